/* sql/parts/30_compliance.sql: the compliance report aggregate (olpe 1.0) */

-- Compliance report: olpe.compliance(olpe.decision) -> jsonb

/*
 * The support functions take and return the aggregate's internal state, so
 * they cannot be called from SQL outside the aggregate. The transition and
 * combine functions are not strict: they create the state on first use.
 */
CREATE FUNCTION olpe._compliance_transition(internal, olpe.decision)
RETURNS internal
AS 'MODULE_PATHNAME', 'olpe_compliance_transition'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION olpe._compliance_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'olpe_compliance_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION olpe._compliance_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'olpe_compliance_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION olpe._compliance_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'olpe_compliance_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION olpe._compliance_final(internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'olpe_compliance_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE olpe.compliance(olpe.decision) (
  SFUNC = olpe._compliance_transition,
  STYPE = internal,
  SSPACE = 1024,
  FINALFUNC = olpe._compliance_final,
  FINALFUNC_MODIFY = READ_ONLY,
  COMBINEFUNC = olpe._compliance_combine,
  SERIALFUNC = olpe._compliance_serialize,
  DESERIALFUNC = olpe._compliance_deserialize,
  PARALLEL = SAFE
);

COMMENT ON AGGREGATE olpe.compliance(olpe.decision) IS
  'jsonb report of decisions: total, count per outcome, failures per rule, decisions per policy version';
