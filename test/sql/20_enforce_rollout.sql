-- Rollout modes of a policy (olpe.policy.mode) and shadow policies:
-- enforce blocks in reject triggers, warn reports a deny without blocking,
-- and shadow only writes to olpe.decision_log, never shown to the writer.

CREATE TABLE enf_roll (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer
);

-- v1 is live; v2 is the candidate that raises the minimum size and wants
-- three photos; v3 is a second candidate.
INSERT INTO olpe.policy (name, target, mode) VALUES
  ('enf_roll_v1', 'enf_roll', 'enforce'),
  ('enf_roll_v2', 'enf_roll', 'shadow'),
  ('enf_roll_v3', 'enf_roll', 'shadow');
INSERT INTO olpe.rule (policy, name, condition, effect, message) VALUES
  ('enf_roll_v1', 'min_size', 'size_sqft >= 100', 'deny', 'size {size_sqft} is below 100'),
  ('enf_roll_v2', 'min_size', 'size_sqft >= 200', 'deny', 'size {size_sqft} is below 200'),
  ('enf_roll_v2', 'photos', 'photo_count >= 3', 'review', 'only {photo_count} photos'),
  ('enf_roll_v3', 'photos', 'photo_count >= 1', 'warn', 'no photos');

SELECT name, mode FROM olpe.policy WHERE name LIKE 'enf_roll%' ORDER BY name;

-- The log of enf_roll, without the columns that differ between runs.
CREATE FUNCTION pg_temp.roll_log()
RETURNS TABLE (policy text, current_version boolean, operation text, row_key jsonb,
               outcome olpe.outcome, failed text[], shadow boolean)
LANGUAGE sql AS $$
  SELECT d.policy, d.version = p.version, d.operation, d.row_key,
         d.outcome, d.failed, d.shadow
  FROM olpe.decision_log d LEFT JOIN olpe.policy p ON p.name = d.policy
  WHERE d.target = 'enf_roll'::regclass
  ORDER BY d.id
$$;

-- Shadow: v2 runs beside v1 on live writes. The writer sees only v1.
CREATE TRIGGER enf_roll_check
  BEFORE INSERT OR UPDATE ON enf_roll
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_roll_v1', 'reject', 'shadow=enf_roll_v2');

INSERT INTO enf_roll VALUES (1, 'Large office', 500, 5);
INSERT INTO enf_roll VALUES (2, 'Medium office', 150, 1);
INSERT INTO enf_roll VALUES (3, 'Small office', 50, 5);
UPDATE enf_roll SET photo_count = 4 WHERE id = 2;
SELECT id FROM enf_roll ORDER BY id;
SELECT * FROM pg_temp.roll_log();

-- Comparing the two versions over the log: which written rows v2 would deny.
SELECT row_key, failed FROM olpe.decision_log
WHERE target = 'enf_roll'::regclass AND policy = 'enf_roll_v2' AND outcome = 'deny'
ORDER BY id;

-- Several shadows may run on one trigger; a policy in shadow mode named as
-- the trigger's own policy also only logs.
DELETE FROM olpe.decision_log WHERE target = 'enf_roll'::regclass;
DROP TRIGGER enf_roll_check ON enf_roll;
CREATE TRIGGER enf_roll_check
  BEFORE INSERT OR UPDATE ON enf_roll
  FOR EACH ROW EXECUTE FUNCTION
    olpe.enforce('enf_roll_v2', 'reject', 'shadow=enf_roll_v1', 'shadow=enf_roll_v3');
INSERT INTO enf_roll VALUES (4, 'Closet', 10, 0);
SELECT id FROM enf_roll ORDER BY id;
SELECT * FROM pg_temp.roll_log();

-- A mode change is a policy change: it gives the policy a new version.
SELECT version AS v1_before FROM olpe.policy WHERE name = 'enf_roll_v1' \gset
UPDATE olpe.policy SET mode = 'warn' WHERE name = 'enf_roll_v1';
SELECT mode, version > :v1_before AS new_version FROM olpe.policy WHERE name = 'enf_roll_v1';

-- Warn: a deny is reported with a WARNING and the row is written.
DELETE FROM olpe.decision_log WHERE target = 'enf_roll'::regclass;
DROP TRIGGER enf_roll_check ON enf_roll;
CREATE TRIGGER enf_roll_check
  BEFORE INSERT OR UPDATE ON enf_roll
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_roll_v1', 'reject');
INSERT INTO enf_roll VALUES (5, 'Closet', 10, 0);
SELECT id, size_sqft FROM enf_roll WHERE id = 5;

-- The mode is read with the version, in the statement's snapshot: a mode
-- change inside a transaction applies to its next statement, and is gone
-- after ROLLBACK.
BEGIN;
UPDATE olpe.policy SET mode = 'enforce' WHERE name = 'enf_roll_v1';
INSERT INTO enf_roll VALUES (6, 'Closet', 10, 0);
ROLLBACK;
INSERT INTO enf_roll VALUES (6, 'Closet', 10, 0);
SELECT id FROM enf_roll WHERE id IN (5, 6) ORDER BY id;

-- annotate and record never block, so warn changes nothing there; shadow
-- leaves the annotate columns alone and only logs.
CREATE TABLE enf_roll_annotated (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer,
  outcome     olpe.outcome
);
CREATE TRIGGER enf_roll_annotated_check
  BEFORE INSERT OR UPDATE ON enf_roll_annotated
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_roll_v1', 'annotate', 'outcome');
INSERT INTO enf_roll_annotated VALUES (1, 'Closet', 10, 0, NULL);
UPDATE olpe.policy SET mode = 'shadow' WHERE name = 'enf_roll_v1';
INSERT INTO enf_roll_annotated VALUES (2, 'Closet', 10, 0, NULL);
SELECT id, outcome FROM enf_roll_annotated ORDER BY id;
SELECT policy, row_key, outcome, shadow FROM olpe.decision_log
WHERE target = 'enf_roll_annotated'::regclass ORDER BY id;

-- Switching v2 on: replace the trigger and enforce v2 in one transaction.
BEGIN;
DROP TRIGGER enf_roll_check ON enf_roll;
CREATE TRIGGER enf_roll_check
  BEFORE INSERT OR UPDATE ON enf_roll
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_roll_v2', 'reject', 'shadow=enf_roll_v1');
UPDATE olpe.policy SET mode = 'enforce' WHERE name = 'enf_roll_v2';
COMMIT;
INSERT INTO enf_roll VALUES (7, 'Medium office', 150, 3);
INSERT INTO enf_roll VALUES (7, 'Large office', 250, 1);

-- Modes other than enforce, warn and shadow are rejected.
\set VERBOSITY terse
UPDATE olpe.policy SET mode = 'off' WHERE name = 'enf_roll_v1';
UPDATE olpe.policy SET mode = NULL WHERE name = 'enf_roll_v1';
\set VERBOSITY default

DELETE FROM olpe.decision_log
 WHERE target IN ('enf_roll'::regclass, 'enf_roll_annotated'::regclass);
DROP TABLE enf_roll, enf_roll_annotated;
DELETE FROM olpe.policy WHERE name LIKE 'enf_roll%';
