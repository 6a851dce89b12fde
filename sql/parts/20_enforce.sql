/* sql/parts/20_enforce.sql: enforcement trigger, decision log, rollout modes (olpe 1.0) */

\echo Use "CREATE EXTENSION olpe" to load this file. \quit

-- Rollout modes

/*
 * A change of mode is an UPDATE of olpe.policy, so the policy_touch trigger
 * gives the policy a new version, and a decision names the version, and so
 * the mode, that made it.
 */
ALTER TABLE olpe.policy
  ADD COLUMN mode text NOT NULL DEFAULT 'enforce'
  CHECK (mode IN ('enforce', 'warn', 'shadow'));

COMMENT ON COLUMN olpe.policy.mode IS
  'enforce: a deny blocks the row in reject triggers; warn: a deny is reported but never blocks; shadow: decisions only go to olpe.decision_log';

-- Decision log

CREATE SEQUENCE olpe.decision_log_id_seq;

/*
 * Written by olpe.enforce() in the transaction that writes the row, so a
 * decision stays exactly when that transaction commits. Rows are only
 * removed by DELETE, for example through olpe.purge_decision_log().
 */
CREATE TABLE olpe.decision_log (
  id         bigint NOT NULL DEFAULT nextval('olpe.decision_log_id_seq') PRIMARY KEY,
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  policy     text NOT NULL,
  version    bigint NOT NULL,
  target     regclass NOT NULL,
  operation  text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE')),
  row_key    jsonb NOT NULL,
  outcome    olpe.outcome NOT NULL,
  failed     text[] NOT NULL,
  messages   text[] NOT NULL,
  shadow     boolean NOT NULL
);

ALTER SEQUENCE olpe.decision_log_id_seq OWNED BY olpe.decision_log.id;

CREATE INDEX decision_log_decided_at_idx ON olpe.decision_log (decided_at);

COMMENT ON TABLE olpe.decision_log IS
  'decisions of olpe.enforce() triggers in record mode and of shadow policies';
COMMENT ON COLUMN olpe.decision_log.target IS
  'table the row was written to (for a partitioned table, the partition)';
COMMENT ON COLUMN olpe.decision_log.row_key IS
  'primary key columns of the new row as a jsonb object, or the whole row when the table has no primary key';
COMMENT ON COLUMN olpe.decision_log.shadow IS
  'true when the policy ran as a shadow: its decision had no effect on the write';

SELECT pg_catalog.pg_extension_config_dump('olpe.decision_log', '');
SELECT pg_catalog.pg_extension_config_dump('olpe.decision_log_id_seq', '');

-- Enforcement trigger

CREATE FUNCTION olpe.enforce()
RETURNS trigger
AS 'MODULE_PATHNAME', 'olpe_enforce'
LANGUAGE C;

COMMENT ON FUNCTION olpe.enforce() IS
  'row trigger: judge each new row by a policy; arguments (policy, reject | annotate | record, ...)';

-- Retention

CREATE FUNCTION olpe.purge_decision_log(older_than interval)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  deleted bigint;
BEGIN
  IF older_than IS NULL OR older_than < interval '0' THEN
    RAISE EXCEPTION 'invalid interval for olpe.purge_decision_log: %',
      coalesce(older_than::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass zero or a positive interval, such as ''90 days''.';
  END IF;
  DELETE FROM olpe.decision_log WHERE decided_at < now() - older_than;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END;
$$;

COMMENT ON FUNCTION olpe.purge_decision_log(interval) IS
  'delete decisions older than the interval and return how many were deleted';

/*
 * Writers of listing tables need no privilege here: olpe.enforce() inserts
 * into the log as the log's owner.
 */
REVOKE ALL ON olpe.decision_log, olpe.decision_log_id_seq FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION olpe.purge_decision_log(interval) FROM PUBLIC;
