-- olpe.enforce() in record mode: never blocks, and inserts each decision
-- into olpe.decision_log in the transaction that writes the row, so the log
-- keeps exactly the decisions of committed rows.

CREATE TABLE enf_recorded (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer
);

INSERT INTO olpe.policy (name, target) VALUES ('enf_record_rules', 'enf_recorded');
INSERT INTO olpe.rule (policy, name, condition, effect, message) VALUES
  ('enf_record_rules', 'min_size', 'size_sqft >= 100', 'deny', 'size {size_sqft} is below 100'),
  ('enf_record_rules', 'photos', 'photo_count >= 3', 'warn', 'only {photo_count} photos');

CREATE TRIGGER enf_recorded_log
  BEFORE INSERT OR UPDATE ON enf_recorded
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_record_rules', 'record');

-- The log of one table, without the columns that differ between runs.
CREATE FUNCTION pg_temp.log_of(t regclass)
RETURNS TABLE (policy text, current_version boolean, operation text, row_key jsonb,
               outcome olpe.outcome, failed text[], messages text[], shadow boolean)
LANGUAGE sql AS $$
  SELECT d.policy, d.version = p.version, d.operation, d.row_key,
         d.outcome, d.failed, d.messages, d.shadow
  FROM olpe.decision_log d LEFT JOIN olpe.policy p ON p.name = d.policy
  WHERE d.target = t
  ORDER BY d.id
$$;

-- Every row is written and its decision logged, a deny too.
INSERT INTO enf_recorded VALUES (1, 'Bright loft office', 500, 5), (2, 'Tiny', 20, 1);
UPDATE enf_recorded SET photo_count = 0 WHERE id = 1;
COPY enf_recorded FROM STDIN;
3	Riverside office floor	900	7
\.
SELECT id FROM enf_recorded ORDER BY id;
SELECT * FROM pg_temp.log_of('enf_recorded');

-- A rolled back transaction leaves no decision behind ...
BEGIN;
INSERT INTO enf_recorded VALUES (10, 'Rolled back office', 5, 5);
SELECT count(*) AS logged_inside FROM olpe.decision_log WHERE row_key = '{"id": 10}';
ROLLBACK;
SELECT count(*) AS logged_after_rollback FROM olpe.decision_log WHERE row_key = '{"id": 10}';

-- ... nor does a rolled back savepoint, or a statement that fails after the
-- trigger ran (here on the primary key).
BEGIN;
INSERT INTO enf_recorded VALUES (11, 'Kept office', 150, 3);
SAVEPOINT s;
INSERT INTO enf_recorded VALUES (12, 'Discarded office', 150, 3);
ROLLBACK TO SAVEPOINT s;
COMMIT;
INSERT INTO enf_recorded VALUES (13, 'Duplicate office', 150, 3), (11, 'Duplicate office', 150, 3);
SELECT row_key FROM olpe.decision_log
WHERE target = 'enf_recorded'::regclass AND (row_key ->> 'id')::int >= 10 ORDER BY id;

-- A composite primary key gives every key column; a table without a primary
-- key logs the whole row.
CREATE TABLE enf_recorded_pair (
  region      text,
  id          integer,
  title       text,
  size_sqft   integer,
  photo_count integer,
  PRIMARY KEY (region, id)
);
CREATE TRIGGER enf_recorded_pair_log
  BEFORE INSERT OR UPDATE ON enf_recorded_pair
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_record_rules', 'record');
INSERT INTO enf_recorded_pair VALUES ('north', 7, 'Pair office', 50, 3);
SELECT row_key, outcome FROM pg_temp.log_of('enf_recorded_pair');

CREATE TABLE enf_recorded_nokey (title text, size_sqft integer, photo_count integer);
CREATE TRIGGER enf_recorded_nokey_log
  BEFORE INSERT OR UPDATE ON enf_recorded_nokey
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_record_rules', 'record');
INSERT INTO enf_recorded_nokey VALUES ('Keyless office', 120, NULL);
SELECT row_key, outcome, messages FROM pg_temp.log_of('enf_recorded_nokey');

-- A BEFORE trigger runs before INSERT ... ON CONFLICT finds the conflict, so
-- it logs the proposed row too; an AFTER trigger logs only rows written.
CREATE TABLE enf_recorded_after (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer
);
CREATE TRIGGER enf_recorded_after_log
  AFTER INSERT OR UPDATE ON enf_recorded_after
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_record_rules', 'record');
INSERT INTO enf_recorded_after VALUES (1, 'After office', 500, 5);
INSERT INTO enf_recorded_after VALUES (1, 'After office', 5, 5) ON CONFLICT DO NOTHING;
INSERT INTO enf_recorded_after VALUES (1, 'After office', 5, 5)
  ON CONFLICT (id) DO UPDATE SET size_sqft = 90;
SELECT operation, row_key, outcome, failed FROM pg_temp.log_of('enf_recorded_after');

INSERT INTO enf_recorded VALUES (1, 'Bright loft office', 5, 5) ON CONFLICT DO NOTHING;
SELECT operation, row_key, outcome, failed FROM pg_temp.log_of('enf_recorded')
WHERE row_key = '{"id": 1}';

-- Writers need no privilege on the log, and cannot read or write it.
CREATE ROLE regress_olpe_writer;
GRANT INSERT, UPDATE, SELECT ON enf_recorded TO regress_olpe_writer;
SET ROLE regress_olpe_writer;
INSERT INTO enf_recorded VALUES (20, 'Writer office', 200, 3);
SELECT count(*) FROM olpe.decision_log;
INSERT INTO olpe.decision_log (policy, version, target, operation, row_key, outcome, failed, messages, shadow)
  VALUES ('forged', 1, 'enf_recorded', 'INSERT', '{}', 'allow', '{}', '{}', false);
SELECT olpe.purge_decision_log('0 seconds');
RESET ROLE;
SELECT row_key, outcome FROM pg_temp.log_of('enf_recorded') WHERE row_key = '{"id": 20}';
REVOKE ALL ON enf_recorded FROM regress_olpe_writer;
DROP ROLE regress_olpe_writer;

-- Retention: olpe.purge_decision_log deletes what is older than its
-- argument and returns the count.
UPDATE olpe.decision_log SET decided_at = now() - interval '40 days'
 WHERE target = 'enf_recorded'::regclass AND (row_key ->> 'id')::int < 10;
SELECT olpe.purge_decision_log('30 days') AS purged;
SELECT olpe.purge_decision_log('30 days') AS purged_again;
SELECT row_key FROM pg_temp.log_of('enf_recorded');
SELECT olpe.purge_decision_log('-1 day');
SELECT olpe.purge_decision_log(NULL);
DO $$
BEGIN
  PERFORM olpe.purge_decision_log('-1 day');
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'purge_decision_log(''-1 day''): SQLSTATE %', SQLSTATE;
END;
$$;

DELETE FROM olpe.decision_log
 WHERE target IN ('enf_recorded'::regclass, 'enf_recorded_pair'::regclass,
                  'enf_recorded_nokey'::regclass, 'enf_recorded_after'::regclass);
DROP TABLE enf_recorded, enf_recorded_pair, enf_recorded_nokey, enf_recorded_after;
DELETE FROM olpe.policy WHERE name = 'enf_record_rules';
