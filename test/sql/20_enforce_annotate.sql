-- olpe.enforce() in annotate mode: never blocks, and writes the outcome, the
-- failed rules and the policy version into columns of the row. The columns
-- are checked at the first row of each statement.

CREATE TABLE enf_annotated (
  id              integer PRIMARY KEY,
  title           text,
  size_sqft       integer,
  photo_count     integer,
  policy_outcome  olpe.outcome,
  policy_failures text[],
  policy_version  bigint
);

INSERT INTO olpe.policy (name, target) VALUES ('enf_annotate_rules', 'enf_annotated');
INSERT INTO olpe.rule (policy, name, condition, effect) VALUES
  ('enf_annotate_rules', 'min_size', 'size_sqft >= 100', 'deny'),
  ('enf_annotate_rules', 'photos', 'photo_count >= 3', 'warn'),
  ('enf_annotate_rules', 'title_length', 'length(title) >= 8', 'review');

CREATE TRIGGER enf_annotated_check
  BEFORE INSERT OR UPDATE ON enf_annotated
  FOR EACH ROW EXECUTE FUNCTION
    olpe.enforce('enf_annotate_rules', 'annotate', 'policy_outcome', 'policy_failures',
                 'version=policy_version');

-- Whether a row's version is the policy's current one.
CREATE FUNCTION pg_temp.is_current(v bigint) RETURNS boolean
LANGUAGE sql AS $$
  SELECT v = version FROM olpe.policy WHERE name = 'enf_annotate_rules'
$$;

-- Every outcome is written, a deny too; values the writer gave are replaced.
INSERT INTO enf_annotated (id, title, size_sqft, photo_count) VALUES
  (1, 'Bright loft office', 500, 5),
  (2, 'Corner office', 400, 1),
  (3, 'Desk', 300, 4),
  (4, 'Tiny', 20, 0);
INSERT INTO enf_annotated VALUES (5, 'Cupboard', 10, 3, 'allow', '{}', 0);

COPY enf_annotated (id, title, size_sqft, photo_count) FROM STDIN;
6	Riverside office floor	900	7
7	Shoebox	10	7
\.

SELECT id, policy_outcome, policy_failures, pg_temp.is_current(policy_version) AS current_version
FROM enf_annotated ORDER BY id;

-- UPDATE annotates the new row.
UPDATE enf_annotated SET size_sqft = 150, title = 'Cupboard office' WHERE id = 5;
UPDATE enf_annotated SET size_sqft = 50 WHERE id = 1;
SELECT id, size_sqft, policy_outcome, policy_failures FROM enf_annotated WHERE id IN (1, 5) ORDER BY id;

-- INSERT ... ON CONFLICT DO UPDATE annotates the row the update writes.
INSERT INTO enf_annotated (id, title, size_sqft, photo_count) VALUES (1, 'Bright loft office', 500, 5)
  ON CONFLICT (id) DO UPDATE SET size_sqft = 700;
SELECT id, size_sqft, policy_outcome, policy_failures FROM enf_annotated WHERE id = 1;

-- A policy change gives later rows the new version.
SELECT version AS old_version FROM olpe.policy WHERE name = 'enf_annotate_rules' \gset
UPDATE olpe.rule SET effect = 'review' WHERE policy = 'enf_annotate_rules' AND name = 'min_size';
INSERT INTO enf_annotated (id, title, size_sqft, photo_count) VALUES (8, 'Small office', 20, 3);
SELECT id, policy_outcome, policy_failures, pg_temp.is_current(policy_version) AS current_version,
       policy_version = :old_version AS old_version
FROM enf_annotated WHERE id IN (7, 8) ORDER BY id;

-- The outcome may also go to a text column, and the failures column is optional.
CREATE TABLE enf_annotated_text (
  id         integer PRIMARY KEY,
  title      text,
  size_sqft  integer,
  photo_count integer,
  verdict    text
);
CREATE TRIGGER enf_annotated_text_check
  BEFORE INSERT OR UPDATE ON enf_annotated_text
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'verdict');
INSERT INTO enf_annotated_text (id, title, size_sqft, photo_count) VALUES
  (1, 'Bright loft office', 500, 5), (2, 'Tiny', 50, 5);
SELECT id, verdict FROM enf_annotated_text ORDER BY id;

-- Column errors name the trigger, the table and the column.
CREATE TABLE enf_annotated_bad (
  id            integer PRIMARY KEY,
  title         text,
  size_sqft     integer,
  photo_count   integer,
  outcome_int   integer,
  failures_text text,
  version_int   integer,
  outcome_gen   text GENERATED ALWAYS AS ('x') STORED
);

CREATE TRIGGER enf_missing_column
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'policy_outcome');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_missing_column ON enf_annotated_bad;

CREATE TRIGGER enf_system_column
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'ctid');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_system_column ON enf_annotated_bad;

CREATE TRIGGER enf_outcome_type
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'outcome_int');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_outcome_type ON enf_annotated_bad;

CREATE TRIGGER enf_failures_type
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'title', 'failures_text');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_failures_type ON enf_annotated_bad;

CREATE TRIGGER enf_version_type
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'title', 'version=version_int');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_version_type ON enf_annotated_bad;

CREATE TRIGGER enf_generated
  BEFORE INSERT ON enf_annotated_bad
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_annotate_rules', 'annotate', 'outcome_gen');
INSERT INTO enf_annotated_bad (id) VALUES (1);
DROP TRIGGER enf_generated ON enf_annotated_bad;

-- The same errors, with their SQLSTATEs.
CREATE FUNCTION pg_temp.error_of(trigger_args text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER enf_probe BEFORE INSERT ON enf_annotated_bad'
                 ' FOR EACH ROW EXECUTE FUNCTION olpe.enforce(%s)', trigger_args);
  BEGIN
    INSERT INTO enf_annotated_bad (id) VALUES (1);
  EXCEPTION WHEN OTHERS THEN
    DROP TRIGGER enf_probe ON enf_annotated_bad;
    RETURN SQLSTATE || ': ' || SQLERRM;
  END;
  DROP TRIGGER enf_probe ON enf_annotated_bad;
  RETURN 'no error';
END;
$$;

SELECT args, pg_temp.error_of(args) AS error
FROM (VALUES
  ($$'enf_annotate_rules', 'annotate', 'policy_outcome'$$),
  ($$'enf_annotate_rules', 'annotate', 'outcome_int'$$),
  ($$'enf_annotate_rules', 'annotate', 'title', 'failures_text'$$),
  ($$'enf_annotate_rules', 'annotate', 'title', 'version=version_int'$$),
  ($$'enf_annotate_rules', 'annotate', 'outcome_gen'$$),
  ($$'enf_annotate_rules', 'annotate', 'title', 'missing_failures'$$),
  ($$'enf_annotate_rules', 'annotate', 'title'$$)
) AS t(args);

SELECT count(*) AS rows_written FROM enf_annotated_bad;

DROP TABLE enf_annotated, enf_annotated_text, enf_annotated_bad;
DELETE FROM olpe.policy WHERE name = 'enf_annotate_rules';
