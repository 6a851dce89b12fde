-- olpe.enforce() in reject mode: a deny outcome rejects the row with
-- check_violation, warn and review outcomes are written with a NOTICE, and
-- a rejected statement leaves no row behind, whatever wrote it (INSERT,
-- multi-row INSERT, COPY, INSERT ... ON CONFLICT, UPDATE).

CREATE TABLE enf_office (
  id          integer PRIMARY KEY,
  title       text,
  size_sqft   integer,
  photo_count integer
);

INSERT INTO olpe.policy (name, target) VALUES ('enf_office_rules', 'enf_office');
INSERT INTO olpe.rule (policy, name, condition, effect, message) VALUES
  ('enf_office_rules', 'min_size', 'size_sqft >= 100', 'deny',
   'size {size_sqft} sqft is below the minimum of 100 sqft'),
  ('enf_office_rules', 'photos', 'photo_count >= 3', 'warn',
   'only {photo_count} photos'),
  ('enf_office_rules', 'title_length', 'length(title) >= 8', 'review', NULL);

CREATE TRIGGER enf_office_check
  BEFORE INSERT OR UPDATE ON enf_office
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_office_rules', 'reject');

-- Runs a statement and returns the SQLSTATE and message of its error.
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;

-- An allowed row is written silently.
INSERT INTO enf_office VALUES (1, 'Bright loft office', 500, 5);

-- warn and review outcomes are written, with a NOTICE naming the failed rules.
INSERT INTO enf_office VALUES (2, 'Corner office', 400, 1);
INSERT INTO enf_office VALUES (3, 'Desk', 300, 4);
INSERT INTO enf_office VALUES (4, 'Tiny', 200, 0);

-- A deny outcome rejects the row; DETAIL lists every failed rule.
INSERT INTO enf_office VALUES (5, 'Cupboard', 20, 1);
INSERT INTO enf_office VALUES (5, 'Cupboard', NULL, 3);
SELECT pg_temp.error_of($$INSERT INTO enf_office VALUES (5, 'Cupboard', 20, 1)$$);

-- The error carries the table, as a check constraint violation does.
DO $$
DECLARE
  t text;
  s text;
BEGIN
  INSERT INTO enf_office VALUES (5, 'Cupboard', 20, 1);
EXCEPTION WHEN check_violation THEN
  GET STACKED DIAGNOSTICS s = SCHEMA_NAME, t = TABLE_NAME;
  RAISE NOTICE 'check_violation on %.%', s, t;
END;
$$;

SELECT id, title, size_sqft, photo_count FROM enf_office ORDER BY id;

-- Multi-row INSERT: one denied row rejects the whole statement.
INSERT INTO enf_office VALUES
  (10, 'Harbour view suite', 800, 6),
  (11, 'Broom closet', 5, 6),
  (12, 'Garden studio office', 350, 3);
SELECT count(*) AS rows_10_to_12 FROM enf_office WHERE id BETWEEN 10 AND 12;

-- INSERT ... SELECT behaves the same.
INSERT INTO enf_office
  SELECT g, 'Generated office ' || g, CASE WHEN g = 25 THEN 1 ELSE 150 END, 3
  FROM generate_series(20, 30) g;
SELECT count(*) AS rows_20_to_30 FROM enf_office WHERE id BETWEEN 20 AND 30;

-- COPY: a denied row on line 2 rejects the whole COPY.
COPY enf_office FROM STDIN;
40	Riverside office floor	900	7
41	Shoebox	10	7
42	Quiet studio space	120	3
\.
SELECT count(*) AS rows_40_to_42 FROM enf_office WHERE id BETWEEN 40 AND 42;

-- A COPY of allowed rows is written; warn and review rows raise NOTICEs.
COPY enf_office FROM STDIN;
40	Riverside office floor	900	7
41	Mews office	250	2
42	Quiet studio space	120	3
\.
SELECT id, title, size_sqft, photo_count FROM enf_office WHERE id BETWEEN 40 AND 42 ORDER BY id;

-- UPDATE that makes a row invalid is rejected and the row keeps its values.
UPDATE enf_office SET size_sqft = 50 WHERE id = 1;
SELECT id, size_sqft FROM enf_office WHERE id = 1;

-- One invalid row among many rejects the whole UPDATE.
UPDATE enf_office SET size_sqft = size_sqft - 350 WHERE id IN (1, 2, 40);
SELECT id, size_sqft FROM enf_office WHERE id IN (1, 2, 40) ORDER BY id;

-- A valid UPDATE is written.
UPDATE enf_office SET photo_count = 3 WHERE id = 2;

-- INSERT ... ON CONFLICT DO UPDATE: the BEFORE UPDATE trigger judges the
-- updated row, so an update to an invalid row is rejected ...
INSERT INTO enf_office VALUES (1, 'Bright loft office', 500, 5)
  ON CONFLICT (id) DO UPDATE SET size_sqft = 10;
SELECT id, size_sqft FROM enf_office WHERE id = 1;

-- ... and a valid one is written.
INSERT INTO enf_office VALUES (1, 'Bright loft office', 500, 5)
  ON CONFLICT (id) DO UPDATE SET size_sqft = 650;
SELECT id, size_sqft FROM enf_office WHERE id = 1;

-- The BEFORE INSERT trigger judges the proposed row before PostgreSQL finds
-- the conflict, so a denied proposed row is rejected even when it conflicts.
INSERT INTO enf_office VALUES (1, 'Bright loft office', 1, 5)
  ON CONFLICT (id) DO UPDATE SET size_sqft = 700;
SELECT id, size_sqft FROM enf_office WHERE id = 1;

-- A rejected row inside a transaction aborts only its savepoint.
BEGIN;
INSERT INTO enf_office VALUES (50, 'Atrium office', 300, 3);
SAVEPOINT s;
INSERT INTO enf_office VALUES (51, 'Atrium closet', 3, 3);
ROLLBACK TO SAVEPOINT s;
INSERT INTO enf_office VALUES (52, 'Atrium suite', 600, 3);
COMMIT;
SELECT id FROM enf_office WHERE id BETWEEN 50 AND 59 ORDER BY id;

-- A rule change is seen by the next statement.
UPDATE olpe.rule
   SET condition = 'size_sqft >= 1000',
       message = 'size {size_sqft} sqft is below the minimum of 1000 sqft'
 WHERE policy = 'enf_office_rules' AND name = 'min_size';
INSERT INTO enf_office VALUES (60, 'Spacious office', 900, 3);
UPDATE olpe.rule
   SET condition = 'size_sqft >= 100',
       message = 'size {size_sqft} sqft is below the minimum of 100 sqft'
 WHERE policy = 'enf_office_rules' AND name = 'min_size';
INSERT INTO enf_office VALUES (60, 'Spacious office', 900, 3);

-- notice=off: warn and review outcomes are written without a NOTICE; a deny
-- is still rejected.
DROP TRIGGER enf_office_check ON enf_office;
CREATE TRIGGER enf_office_check
  BEFORE INSERT OR UPDATE ON enf_office
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_office_rules', 'reject', 'notice=off');
INSERT INTO enf_office VALUES (70, 'Tiny', 200, 0);
INSERT INTO enf_office VALUES (71, 'Tiny', 2, 0);
SELECT id FROM enf_office WHERE id >= 70 ORDER BY id;

-- Rows of a partitioned table are judged in each partition.
CREATE TABLE enf_office_part (
  id          integer,
  title       text,
  size_sqft   integer,
  photo_count integer
) PARTITION BY RANGE (id);
CREATE TABLE enf_office_part_low PARTITION OF enf_office_part FOR VALUES FROM (0) TO (100);
CREATE TABLE enf_office_part_high PARTITION OF enf_office_part FOR VALUES FROM (100) TO (200);
CREATE TRIGGER enf_office_part_check
  BEFORE INSERT OR UPDATE ON enf_office_part
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('enf_office_rules', 'reject');
INSERT INTO enf_office_part VALUES (1, 'Partitioned office', 500, 3), (150, 'Partitioned office', 500, 3);
INSERT INTO enf_office_part VALUES (151, 'Partitioned office', 50, 3);
SELECT tableoid::regclass AS partition, id FROM enf_office_part ORDER BY id;

DROP TABLE enf_office, enf_office_part;
DELETE FROM olpe.policy WHERE name = 'enf_office_rules';
