/* sql/parts/10_core.sql: policies, rules, params, evaluation (olpe 1.0) */

\echo Use "CREATE EXTENSION olpe" to load this file. \quit

-- Decisions

CREATE TYPE olpe.outcome AS ENUM ('allow', 'warn', 'review', 'deny');

COMMENT ON TYPE olpe.outcome IS
  'result of a policy evaluation, ordered from least to most severe';

CREATE TYPE olpe.decision AS (
  outcome  olpe.outcome,
  failed   text[],
  messages text[],
  policy   text,
  version  bigint
);

COMMENT ON TYPE olpe.decision IS
  'outcome of one listing under one policy version, with the failed rules and their messages';

-- Policies, rules and parameters

/*
 * Versions come from one sequence shared by all policies, so a version number
 * names one state of one policy even when a policy is dropped and re-created
 * under the same name. Compiled programs are cached by (name, version).
 */
CREATE SEQUENCE olpe.policy_version_seq;

CREATE TABLE olpe.policy (
  name        text PRIMARY KEY
              CHECK (length(name) BETWEEN 1 AND 63),
  target      regclass,
  on_unknown  text NOT NULL DEFAULT 'fail'
              CHECK (on_unknown IN ('fail', 'pass')),
  description text,
  version     bigint NOT NULL DEFAULT nextval('olpe.policy_version_seq'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE olpe.policy IS 'named sets of listing rules';

CREATE TABLE olpe.rule (
  policy       text NOT NULL
               REFERENCES olpe.policy (name) ON UPDATE CASCADE ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
  condition    text NOT NULL,
  applies_when text,
  effect       text NOT NULL DEFAULT 'deny'
               CHECK (effect IN ('deny', 'review', 'warn')),
  message      text,
  enabled      boolean NOT NULL DEFAULT true,
  PRIMARY KEY (policy, name)
);

COMMENT ON TABLE olpe.rule IS
  'rules of a policy: condition must hold for a listing to comply';

CREATE TABLE olpe.policy_param (
  policy text NOT NULL
         REFERENCES olpe.policy (name) ON UPDATE CASCADE ON DELETE CASCADE,
  name   text NOT NULL
         CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]*$' AND length(name) <= 63),
  value  jsonb NOT NULL,
  PRIMARY KEY (policy, name)
);

COMMENT ON TABLE olpe.policy_param IS
  'named constants and lists of a policy, referenced in rules as $name';

SELECT pg_catalog.pg_extension_config_dump('olpe.policy', '');
SELECT pg_catalog.pg_extension_config_dump('olpe.rule', '');
SELECT pg_catalog.pg_extension_config_dump('olpe.policy_param', '');
SELECT pg_catalog.pg_extension_config_dump('olpe.policy_version_seq', '');

-- Validation: no invalid expression is ever stored

CREATE FUNCTION olpe.validate(expression text, target regclass DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'olpe_validate'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION olpe.validate(text, regclass) IS
  'raise the compile error of a rule expression, or return true';

/* Compiles NEW.condition, NEW.applies_when and NEW.message of a rule row. */
CREATE FUNCTION olpe._rule_validate_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'olpe_rule_validate_trigger'
LANGUAGE C;

/* Recompiles every rule of a policy, after its params or target change. */
CREATE FUNCTION olpe._policy_revalidate(policy text)
RETURNS void
AS 'MODULE_PATHNAME', 'olpe_policy_revalidate'
LANGUAGE C STRICT;

CREATE TRIGGER rule_validate
  BEFORE INSERT OR UPDATE ON olpe.rule
  FOR EACH ROW EXECUTE FUNCTION olpe._rule_validate_trigger();

-- Versions: every change to a policy, its rules or its params bumps the version

CREATE FUNCTION olpe._policy_touch()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.version := nextval('olpe.policy_version_seq');
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER policy_touch
  BEFORE UPDATE ON olpe.policy
  FOR EACH ROW EXECUTE FUNCTION olpe._policy_touch();

CREATE FUNCTION olpe._policy_after_update()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.target IS DISTINCT FROM OLD.target THEN
    PERFORM olpe._policy_revalidate(NEW.name);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER policy_after_update
  AFTER UPDATE ON olpe.policy
  FOR EACH ROW EXECUTE FUNCTION olpe._policy_after_update();

/* Bumps the version of the policies whose rules or params a statement changed. */
CREATE FUNCTION olpe._policy_member_changed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE olpe.policy SET updated_at = now()
     WHERE name = OLD.policy;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND
     (TG_OP = 'INSERT' OR NEW.policy IS DISTINCT FROM OLD.policy) THEN
    UPDATE olpe.policy SET updated_at = now()
     WHERE name = NEW.policy;
  END IF;
  IF TG_TABLE_NAME = 'policy_param' AND TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM olpe._policy_revalidate(NEW.policy);
  END IF;
  IF TG_TABLE_NAME = 'policy_param' AND TG_OP IN ('UPDATE', 'DELETE') AND
     (TG_OP = 'DELETE' OR NEW.policy IS DISTINCT FROM OLD.policy) THEN
    PERFORM olpe._policy_revalidate(OLD.policy);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER rule_changed
  AFTER INSERT OR UPDATE OR DELETE ON olpe.rule
  FOR EACH ROW EXECUTE FUNCTION olpe._policy_member_changed();

CREATE TRIGGER policy_param_changed
  AFTER INSERT OR UPDATE OR DELETE ON olpe.policy_param
  FOR EACH ROW EXECUTE FUNCTION olpe._policy_member_changed();

-- Evaluation

CREATE FUNCTION olpe.evaluate(policy text, listing anyelement)
RETURNS olpe.decision
AS 'MODULE_PATHNAME', 'olpe_evaluate'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION olpe.evaluate(policy text, listing jsonb)
RETURNS olpe.decision
AS 'MODULE_PATHNAME', 'olpe_evaluate'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION olpe.evaluate(text, anyelement) IS
  'evaluate a listing row under a policy';
COMMENT ON FUNCTION olpe.evaluate(text, jsonb) IS
  'evaluate a listing document under a policy';

CREATE FUNCTION olpe.allowed(policy text, listing anyelement)
RETURNS boolean
AS 'MODULE_PATHNAME', 'olpe_allowed'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION olpe.allowed(policy text, listing jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'olpe_allowed'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION olpe.allowed(text, anyelement) IS
  'true unless a deny rule of the policy fails for the listing row';
COMMENT ON FUNCTION olpe.allowed(text, jsonb) IS
  'true unless a deny rule of the policy fails for the listing document';

CREATE FUNCTION olpe.explain(policy text, listing anyelement,
  OUT rule text, OUT applied boolean, OUT passed boolean,
  OUT effect text, OUT message text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'olpe_explain'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 20;

CREATE FUNCTION olpe.explain(policy text, listing jsonb,
  OUT rule text, OUT applied boolean, OUT passed boolean,
  OUT effect text, OUT message text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'olpe_explain'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 20;

COMMENT ON FUNCTION olpe.explain(text, anyelement) IS
  'one row per rule of the policy: whether it applied and passed, and why';
COMMENT ON FUNCTION olpe.explain(text, jsonb) IS
  'one row per rule of the policy: whether it applied and passed, and why';

/*
 * Not STRICT: a NULL listing still has a value for expressions such as
 * "x IS NULL" (every attribute of a NULL row is NULL, as in SQL).
 */
CREATE FUNCTION olpe.eval(expression text, listing anyelement)
RETURNS boolean
AS 'MODULE_PATHNAME', 'olpe_eval'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION olpe.eval(expression text, listing jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'olpe_eval'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION olpe.eval(text, anyelement) IS
  'value of one boolean rule expression over a listing row';
COMMENT ON FUNCTION olpe.eval(text, jsonb) IS
  'value of one boolean rule expression over a listing document';

GRANT USAGE ON SCHEMA olpe TO PUBLIC;
GRANT SELECT ON olpe.policy, olpe.rule, olpe.policy_param TO PUBLIC;
REVOKE EXECUTE ON FUNCTION olpe._policy_revalidate(text) FROM PUBLIC;
