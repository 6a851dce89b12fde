-- olpe.copy_policy and olpe.diff: copy a policy, change the copy, and list
-- the listings whose decision changes.
--
-- Version numbers come from a sequence that other tests also use, so they
-- are compared with olpe.policy.version and never printed.

CREATE FUNCTION pg_temp.error_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;

CREATE TABLE roll_listings (
  id          integer PRIMARY KEY,
  title       text,
  photo_count integer,
  desks       integer,
  city        text
);

INSERT INTO roll_listings VALUES
  (1, 'Quiet office with garden view', 5, 10, 'Berlin'),
  (2, 'Loft', 5, 10, 'Berlin'),
  (3, 'Studio near the harbour', 2, 4, 'Lisbon'),
  (4, 'Corner office, third floor', 1, 2, 'Paris'),
  (5, 'Open space for a team of ten', 3, NULL, 'Paris'),
  (6, 'Desk', 0, 1, 'Lisbon'),
  (7, 'Two rooms by the station', 3, 0, 'Warsaw'),
  (8, 'Attic office with a terrace', 4, 6, 'Warsaw');

INSERT INTO olpe.policy (name, target, description)
VALUES ('roll_v1', 'roll_listings', 'listing quality, first version');
INSERT INTO olpe.policy_param (policy, name, value) VALUES
  ('roll_v1', 'min_photos', '2'),
  ('roll_v1', 'cities', '["Berlin", "Lisbon", "Paris", "Warsaw"]');
INSERT INTO olpe.rule (policy, name, condition, effect, message) VALUES
  ('roll_v1', 'has_photos', 'photo_count >= $min_photos', 'deny',
   'only {photo_count} photos'),
  ('roll_v1', 'title_length', 'length(title) >= 10', 'warn', NULL),
  ('roll_v1', 'known_city', 'city IN $cities', 'deny', NULL),
  ('roll_v1', 'has_desks', 'desks > 0', 'review', NULL);
INSERT INTO olpe.policy_test (policy, name, listing, expected_outcome, expected_failed)
VALUES ('roll_v1', 'no photos', '{"id": 1, "title": "Office with a view", "photo_count": 0, "desks": 3, "city": "Berlin"}',
        'deny', '{has_photos}');

-- copy_policy returns the version of the copy.
SELECT olpe.copy_policy('roll_v1', 'roll_v2') AS copy_version \gset
SELECT :copy_version = version AS returns_copy_version
FROM olpe.policy WHERE name = 'roll_v2';

SELECT (SELECT version FROM olpe.policy WHERE name = 'roll_v2')
     > (SELECT version FROM olpe.policy WHERE name = 'roll_v1')
  AS copy_has_newer_version;

-- The copy has the same settings, params, rules and tests.
SELECT name, target, on_unknown, description
FROM olpe.policy
WHERE name IN ('roll_v1', 'roll_v2')
ORDER BY name;

SELECT 'param' AS kind, count(*) AS only_in_one
FROM ((SELECT name, value FROM olpe.policy_param WHERE policy = 'roll_v1'
       EXCEPT ALL
       SELECT name, value FROM olpe.policy_param WHERE policy = 'roll_v2')
      UNION ALL
      (SELECT name, value FROM olpe.policy_param WHERE policy = 'roll_v2'
       EXCEPT ALL
       SELECT name, value FROM olpe.policy_param WHERE policy = 'roll_v1')) d
UNION ALL
SELECT 'rule', count(*)
FROM ((SELECT name, condition, applies_when, effect, message, enabled
         FROM olpe.rule WHERE policy = 'roll_v1'
       EXCEPT ALL
       SELECT name, condition, applies_when, effect, message, enabled
         FROM olpe.rule WHERE policy = 'roll_v2')
      UNION ALL
      (SELECT name, condition, applies_when, effect, message, enabled
         FROM olpe.rule WHERE policy = 'roll_v2'
       EXCEPT ALL
       SELECT name, condition, applies_when, effect, message, enabled
         FROM olpe.rule WHERE policy = 'roll_v1')) d
UNION ALL
SELECT 'test', count(*)
FROM ((SELECT name, listing, expected_outcome, expected_failed
         FROM olpe.policy_test WHERE policy = 'roll_v1'
       EXCEPT ALL
       SELECT name, listing, expected_outcome, expected_failed
         FROM olpe.policy_test WHERE policy = 'roll_v2')
      UNION ALL
      (SELECT name, listing, expected_outcome, expected_failed
         FROM olpe.policy_test WHERE policy = 'roll_v2'
       EXCEPT ALL
       SELECT name, listing, expected_outcome, expected_failed
         FROM olpe.policy_test WHERE policy = 'roll_v1')) d;

SELECT policy, count(*) AS rules
FROM olpe.rule
WHERE policy IN ('roll_v1', 'roll_v2')
GROUP BY policy
ORDER BY policy;

-- A copy of a policy that has every column of olpe.policy set.
SELECT olpe.copy_policy('roll_v1', 'roll_pass') > 0 AS copied;
UPDATE olpe.policy SET on_unknown = 'pass', description = NULL WHERE name = 'roll_pass';
SELECT olpe.copy_policy('roll_pass', 'roll_pass_copy') > 0 AS copied;
SELECT name, target, on_unknown, description
FROM olpe.policy
WHERE name IN ('roll_pass', 'roll_pass_copy')
ORDER BY name;

-- Every other column of olpe.policy is copied too.
SELECT to_jsonb(s) - '{name,version,created_at,updated_at}'::text[]
     = to_jsonb(c) - '{name,version,created_at,updated_at}'::text[] AS same_settings
FROM olpe.policy s, olpe.policy c
WHERE s.name = 'roll_pass' AND c.name = 'roll_pass_copy';
DELETE FROM olpe.policy WHERE name IN ('roll_pass', 'roll_pass_copy');

-- Errors.
SELECT pg_temp.error_of($$SELECT olpe.copy_policy('roll_v1', 'roll_v2')$$) AS existing_target;
SELECT pg_temp.error_of($$SELECT olpe.copy_policy('roll_v1', 'roll_v1')$$) AS onto_itself;
SELECT pg_temp.error_of($$SELECT olpe.copy_policy('roll_none', 'roll_v9')$$) AS unknown_source;
SELECT pg_temp.error_of($$SELECT olpe.copy_policy(NULL, 'roll_v9')$$) AS null_source;
SELECT pg_temp.error_of($$SELECT olpe.copy_policy('roll_v1', NULL)$$) AS null_target;
SELECT pg_temp.error_of($$SELECT olpe.copy_policy('roll_v1', '')$$) AS empty_target;

-- A failed copy leaves nothing behind.
SELECT count(*) AS leftovers FROM olpe.policy WHERE name IN ('roll_v9', '');

-- The copy is independent: change it, the source stays as it was.
UPDATE olpe.policy_param SET value = '3' WHERE policy = 'roll_v2' AND name = 'min_photos';
UPDATE olpe.rule SET effect = 'deny' WHERE policy = 'roll_v2' AND name = 'has_desks';
UPDATE olpe.rule SET message = 'title too short: {title}'
WHERE policy = 'roll_v2' AND name = 'title_length';
INSERT INTO olpe.rule (policy, name, condition, effect)
VALUES ('roll_v2', 'no_loft', 'title NOT ILIKE ''%loft%''', 'review');

SELECT policy, name, value FROM olpe.policy_param
WHERE policy IN ('roll_v1', 'roll_v2') AND name = 'min_photos'
ORDER BY policy;

-- Each listing under both versions.
SELECT l.id,
       (olpe.evaluate('roll_v1', l)).outcome AS v1_outcome,
       (olpe.evaluate('roll_v1', l)).failed AS v1_failed,
       (olpe.evaluate('roll_v2', l)).outcome AS v2_outcome,
       (olpe.evaluate('roll_v2', l)).failed AS v2_failed
FROM roll_listings l
ORDER BY l.id;

-- diff returns exactly the listings whose outcome or failed rules differ.
-- Listing 1 keeps its decision, listing 8 gets a new message only.
SELECT listing->>'id' AS id,
       (decision_a).outcome AS v1_outcome, (decision_a).failed AS v1_failed,
       (decision_b).outcome AS v2_outcome, (decision_b).failed AS v2_failed
FROM olpe.diff('roll_v1', 'roll_v2', 'roll_listings')
ORDER BY (listing->>'id')::integer;

-- The whole listing and both whole decisions come back.
SELECT listing,
       (decision_a).policy AS policy_a,
       (decision_a).version = (SELECT version FROM olpe.policy WHERE name = 'roll_v1') AS version_a,
       (decision_b).policy AS policy_b,
       (decision_b).version = (SELECT version FROM olpe.policy WHERE name = 'roll_v2') AS version_b,
       (decision_b).messages
FROM olpe.diff('roll_v1', 'roll_v2', 'roll_listings')
WHERE listing->>'id' = '2';

-- Swapping the policies swaps the decisions.
SELECT listing->>'id' AS id, (decision_a).policy, (decision_b).policy
FROM olpe.diff('roll_v2', 'roll_v1', 'roll_listings')
ORDER BY (listing->>'id')::integer
LIMIT 2;

-- A policy against itself, and against a copy that changed messages only.
SELECT count(*) AS same_policy FROM olpe.diff('roll_v1', 'roll_v1', 'roll_listings');
SELECT olpe.copy_policy('roll_v1', 'roll_v1_messages') > 0 AS copied;
UPDATE olpe.rule SET message = 'a new message' WHERE policy = 'roll_v1_messages';
SELECT count(*) AS messages_only FROM olpe.diff('roll_v1', 'roll_v1_messages', 'roll_listings');
DELETE FROM olpe.policy WHERE name = 'roll_v1_messages';

-- An empty table has no differences.
CREATE TABLE roll_empty (LIKE roll_listings);
SELECT count(*) AS empty_table FROM olpe.diff('roll_v1', 'roll_v2', 'roll_empty');

-- Views work as well as tables.
CREATE VIEW roll_paris AS SELECT * FROM roll_listings WHERE city = 'Paris';
SELECT listing->>'id' AS id, (decision_b).failed
FROM olpe.diff('roll_v1', 'roll_v2', 'roll_paris')
ORDER BY 1;

-- Columns named l, a and b do not capture the listing or the decisions.
CREATE TABLE roll_odd_names (id integer, l text, a integer, b integer, photo_count integer);
INSERT INTO roll_odd_names VALUES (1, 'x', 2, 3, 2), (2, 'y', 4, 5, 9);
INSERT INTO olpe.policy (name) VALUES ('roll_photos2'), ('roll_photos3');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('roll_photos2', 'has_photos', 'photo_count >= 2'),
  ('roll_photos3', 'has_photos', 'photo_count >= 3');
SELECT listing, (decision_a).outcome, (decision_b).outcome, (decision_b).failed
FROM olpe.diff('roll_photos2', 'roll_photos3', 'roll_odd_names');

-- A table in another schema, whose name needs quoting.
CREATE SCHEMA "Roll Schema";
CREATE TABLE "Roll Schema"."Listings Table" AS SELECT * FROM roll_odd_names;
SELECT listing->>'id' AS id
FROM olpe.diff('roll_photos2', 'roll_photos3', '"Roll Schema"."Listings Table"');
SELECT olpe.diff_query('roll_photos2', 'roll_photos3', '"Roll Schema"."Listings Table"');

-- Errors.
CREATE SEQUENCE roll_seq;
CREATE TYPE roll_type AS (id integer);
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_none', 'roll_v2', 'roll_listings')$$) AS unknown_a;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_none', 'roll_listings')$$) AS unknown_b;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_none', 'roll_v2', 'roll_empty')$$) AS unknown_a_empty_table;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_listings_pkey')$$) AS index;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_seq')$$) AS sequence;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_type')$$) AS composite_type;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_missing')$$) AS missing_table;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff('roll_v1', 'roll_v2', NULL)$$) AS null_table;
SELECT pg_temp.error_of($$SELECT * FROM olpe.diff(NULL, 'roll_v2', 'roll_listings')$$) AS null_policy;

-- How the functions are marked.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proretset
FROM pg_proc p
WHERE p.oid IN ('olpe.copy_policy(text, text)'::regprocedure,
                'olpe.diff(text, text, regclass)'::regprocedure,
                'olpe.diff_query(text, text, regclass)'::regprocedure)
ORDER BY 1::text;

-- One scan, in parallel: on a larger table the planner runs the scan, both
-- evaluations and the filter in the workers.
CREATE TABLE roll_many AS
SELECT i AS id,
       CASE WHEN i % 5 = 0 THEN 'Desk' ELSE 'Office number ' || i END AS title,
       i % 6 AS photo_count,
       i % 4 AS desks,
       (ARRAY['Berlin', 'Lisbon', 'Paris', 'Rome'])[1 + i % 4] AS city
FROM generate_series(1, 3000) AS i;
ANALYZE roll_many;
UPDATE olpe.policy SET target = NULL WHERE name IN ('roll_v1', 'roll_v2');

CREATE FUNCTION pg_temp.explain(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END;
$$;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

SELECT pg_temp.explain(olpe.diff_query('roll_v1', 'roll_v2', 'roll_many'));

-- Storing the diff in a table: the policies changed above, so the leader
-- compiles them inside the parallel query, in a statement that already
-- writes. Reading the policy tables then must not start a new command.
CREATE TEMP TABLE roll_parallel AS
SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_many');

SET max_parallel_workers_per_gather = 0;

SELECT pg_temp.explain(olpe.diff_query('roll_v1', 'roll_v2', 'roll_many'));

CREATE TEMP TABLE roll_serial AS
SELECT * FROM olpe.diff('roll_v1', 'roll_v2', 'roll_many');

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Both plans return the same rows.
SELECT (SELECT count(*) FROM roll_parallel) AS parallel_rows,
       (SELECT count(*) FROM roll_serial) AS serial_rows,
       (SELECT count(*) FROM (SELECT listing, decision_a::text, decision_b::text FROM roll_parallel
                              EXCEPT ALL
                              SELECT listing, decision_a::text, decision_b::text FROM roll_serial) d)
       AS only_parallel,
       (SELECT count(*) FROM (SELECT listing, decision_a::text, decision_b::text FROM roll_serial
                              EXCEPT ALL
                              SELECT listing, decision_a::text, decision_b::text FROM roll_parallel) d)
       AS only_serial;

-- The rows that differ, counted by the change; the rows are checked
-- against a plain SQL comparison of the two decisions.
SELECT (decision_a).outcome AS v1_outcome, (decision_b).outcome AS v2_outcome,
       (decision_b).failed AS v2_failed, count(*)
FROM roll_serial
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

SELECT count(*) AS plain_sql_rows
FROM roll_many l
WHERE ((olpe.evaluate('roll_v1', l)).outcome, (olpe.evaluate('roll_v1', l)).failed)
      IS DISTINCT FROM
      ((olpe.evaluate('roll_v2', l)).outcome, (olpe.evaluate('roll_v2', l)).failed);

DROP TABLE roll_many, roll_odd_names, roll_empty, "Roll Schema"."Listings Table" CASCADE;
DROP VIEW roll_paris;
DROP SCHEMA "Roll Schema";
DROP SEQUENCE roll_seq;
DROP TYPE roll_type;
DELETE FROM olpe.policy WHERE name IN ('roll_photos2', 'roll_photos3');
