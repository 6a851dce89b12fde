/* sql/parts/60_jsonlogic.sql: JsonLogic rules with json-logic-js semantics (olpe 1.0) */

-- JsonLogic (jsonlogic.com) is a second way to write rules, for rules that
-- query-builder tools export. olpe.jsonlogic_apply reads nothing but its
-- arguments, so it is immutable; docs/jsonlogic.md describes its semantics.

CREATE FUNCTION olpe.jsonlogic_apply(rule jsonb, data jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'olpe_jsonlogic_apply'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION olpe.jsonlogic_apply(jsonb, jsonb) IS
  'evaluate a JsonLogic rule over data as json-logic-js 2.0.5 does; NaN, Infinity and undefined results are null';
