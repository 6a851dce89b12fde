-- Configuration errors of olpe.enforce(). PostgreSQL cannot check trigger
-- arguments at CREATE TRIGGER, so each error is raised at the first row
-- the trigger fires for, and the row is not written.

CREATE TABLE enf_config (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer
);
INSERT INTO olpe.policy (name, target) VALUES ('enf_config_rules', 'enf_config');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('enf_config_rules', 'min_size', 'size_sqft >= 100');

-- Creates a trigger on enf_config from its definition after the table
-- name, inserts a row (or runs stmt), drops the trigger, and returns the
-- SQLSTATE and message of the error.
CREATE FUNCTION pg_temp.error_of(definition text,
                                 stmt text DEFAULT 'INSERT INTO enf_config VALUES (1, ''Office'', 500, 3)')
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  result text := 'no error';
BEGIN
  EXECUTE 'CREATE TRIGGER enf_probe ' || definition;
  BEGIN
    EXECUTE stmt;
  EXCEPTION WHEN OTHERS THEN
    result := SQLSTATE || ': ' || SQLERRM;
  END;
  EXECUTE 'DROP TRIGGER enf_probe ON ' || split_part(split_part(definition, ' ON ', 2), ' ', 1);
  RETURN result;
END;
$$;

-- Each error in full: message, detail and hint.
CREATE TRIGGER enf_no_args BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce();
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_no_args ON enf_config;

CREATE TRIGGER enf_no_mode BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_no_mode ON enf_config;

CREATE TRIGGER enf_bad_mode BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'block');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_bad_mode ON enf_config;

CREATE TRIGGER enf_no_policy BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_no_such_policy', 'reject');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_no_policy ON enf_config;

CREATE TRIGGER enf_no_shadow BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'shadow=enf_no_such_policy');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_no_shadow ON enf_config;

CREATE TRIGGER enf_after AFTER INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_after ON enf_config;

CREATE TRIGGER enf_statement BEFORE INSERT ON enf_config
  FOR EACH STATEMENT EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_statement ON enf_config;

CREATE TRIGGER enf_annotate_no_columns BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'annotate');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_annotate_no_columns ON enf_config;

CREATE TRIGGER enf_unknown_option BEFORE INSERT ON enf_config
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'notify=off');
INSERT INTO enf_config VALUES (1, 'Office', 500, 3);
DROP TRIGGER enf_unknown_option ON enf_config;

-- Every configuration error, with its SQLSTATE.
SELECT definition, pg_temp.error_of(definition) AS error
FROM (VALUES
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce()$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'block')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'Reject')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_no_such_policy', 'reject')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('', 'record')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'shadow=enf_no_such_policy')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'shadow=')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'notify=off')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'notice=maybe')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'notice=off', 'notice=on')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'record', 'notice=off')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'version=title')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject', 'title')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'annotate')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'annotate', 'version=title')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'annotate', 'title', 'a', 'b')$$),
  ($$AFTER INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject')$$),
  ($$AFTER INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'annotate', 'title')$$),
  ($$BEFORE INSERT ON enf_config FOR EACH STATEMENT EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject')$$),
  ($$AFTER INSERT ON enf_config FOR EACH STATEMENT EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'record')$$),
  ($$AFTER INSERT ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'record')$$)
) AS t(definition);

-- A trigger for DELETE, and one INSTEAD OF on a view, are rejected too.
-- (The row deleted here was written by the last, valid, trigger above.)
SELECT pg_temp.error_of(
  $$BEFORE DELETE ON enf_config FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'reject')$$,
  'DELETE FROM enf_config WHERE id = 1') AS before_delete;
CREATE VIEW enf_config_view AS SELECT * FROM enf_config;
SELECT pg_temp.error_of(
  $$INSTEAD OF INSERT ON enf_config_view FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_config_rules', 'record')$$,
  'INSERT INTO enf_config_view VALUES (2, ''Office'', 500, 3)') AS instead_of;

-- A trigger function cannot be called directly.
SELECT olpe.enforce();
DO $$
BEGIN
  PERFORM olpe.enforce();
EXCEPTION WHEN trigger_protocol_violated THEN
  RAISE NOTICE 'olpe.enforce() called directly: SQLSTATE %', SQLSTATE;
END;
$$;

-- Only the valid trigger (AFTER ... record) left a row and a decision.
SELECT id FROM enf_config ORDER BY id;
SELECT count(*) AS logged FROM olpe.decision_log WHERE target = 'enf_config'::regclass;

DELETE FROM olpe.decision_log WHERE target = 'enf_config'::regclass;
DROP VIEW enf_config_view;
DROP TABLE enf_config;
DELETE FROM olpe.policy WHERE name = 'enf_config_rules';
