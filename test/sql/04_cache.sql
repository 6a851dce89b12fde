-- The per-backend cache of compiled programs. The next statement sees a
-- change to a policy, to the session settings that literals are read under,
-- or to the target table. A tiny olpe.cache_size still gives the right
-- results.
\set VERBOSITY terse

CREATE TABLE spaces (
  id     integer PRIMARY KEY,
  desks  integer,
  d      date,
  ts     timestamptz,
  iv     interval,
  note   text
);
INSERT INTO spaces VALUES
  (1, 5, '2025-01-02', '2025-01-31 12:00:00+00', '-1 day +02:00:00', 'quiet'),
  (2, 12, '2025-02-01', '2025-01-31 18:00:00+00', '-1 day -02:00:00', 'no brokers');

------------------------------------------------------------------------
-- Policy changes in the same session
------------------------------------------------------------------------

INSERT INTO olpe.policy (name, target) VALUES ('cached', 'spaces');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('cached', 'desks', 'desks > 6');
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;

UPDATE olpe.rule SET condition = 'desks > 3' WHERE policy = 'cached';
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;

INSERT INTO olpe.rule (policy, name, condition) VALUES ('cached', 'note', 'note <> ''quiet''');
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;

-- Inside a transaction, the transaction's own changes count from the next
-- statement on, and a rollback brings the old rules back.
BEGIN;
UPDATE olpe.rule SET condition = 'desks > 100' WHERE policy = 'cached' AND name = 'desks';
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;
DELETE FROM olpe.rule WHERE policy = 'cached' AND name = 'note';
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;
ROLLBACK;
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;

-- A policy dropped and created again under the same name gets a new
-- version, so the program compiled for the old one is never used.
DELETE FROM olpe.policy WHERE name = 'cached';
SELECT olpe.evaluate('cached', s) FROM spaces s;
INSERT INTO olpe.policy (name, target) VALUES ('cached', 'spaces');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('cached', 'desks', 'desks < 10');
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;

-- One policy over rows of two tables and over documents, in one statement.
CREATE TABLE more_spaces (note text, desks numeric, extra text);
INSERT INTO more_spaces VALUES ('x', 9.5, 'y'), ('z', 10, 'w');
SELECT (SELECT array_agg((olpe.evaluate('cached', s)).outcome ORDER BY id) FROM spaces s) AS spaces,
       (SELECT array_agg((olpe.evaluate('cached', m)).outcome ORDER BY desks) FROM more_spaces m) AS more_spaces,
       (SELECT array_agg((olpe.evaluate('cached', to_jsonb(s))).outcome ORDER BY id) FROM spaces s) AS documents;

------------------------------------------------------------------------
-- The policy row's tuple
------------------------------------------------------------------------

-- A new statement checks the tuple that the policy row was read from
-- instead of reading the row again. A cursor keeps the snapshot of its
-- DECLARE: fetched after a newer statement cached the changed rules, its
-- rows are still judged by the rules visible to that snapshot.
BEGIN;
DECLARE old_rules CURSOR FOR
  SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;
UPDATE olpe.rule SET condition = 'desks > 100' WHERE policy = 'cached' AND name = 'desks';
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;
FETCH ALL FROM old_rules;
ROLLBACK;

-- VACUUM FULL moves the rows of olpe.policy. Three policies written by one
-- statement share their writing transaction. Once the first is deleted, the
-- table is rewritten and the second changes, the place where the second was
-- read contains the third. The second's new rules must still be used.
VACUUM FULL olpe.policy;
INSERT INTO olpe.policy (name, target) VALUES ('moved_1', 'spaces'), ('moved_2', 'spaces'), ('moved_3', 'spaces');
SELECT id, (olpe.evaluate('moved_2', s)).failed FROM spaces s ORDER BY id;
CREATE TEMP TABLE moved_place AS SELECT ctid AS place FROM olpe.policy WHERE name = 'moved_2';
DELETE FROM olpe.policy WHERE name = 'moved_1';
VACUUM FULL olpe.policy;
INSERT INTO olpe.rule (policy, name, condition) VALUES ('moved_2', 'desks', 'desks > 6');
SELECT p.name AS now_at_old_place FROM olpe.policy p, moved_place m WHERE p.ctid = m.place;
SELECT id, (olpe.evaluate('moved_2', s)).failed FROM spaces s ORDER BY id;
DELETE FROM olpe.policy WHERE name IN ('moved_2', 'moved_3');

-- The check of a cached version locks olpe.policy in ACCESS SHARE mode
-- until the transaction ends, like a query that reads the table. A
-- transaction with an xid in between gives the next one a new snapshot, so
-- the check runs.
SELECT id, (olpe.evaluate('cached', s)).failed FROM spaces s ORDER BY id;
SELECT pg_current_xact_id() IS NOT NULL AS xid_assigned;
BEGIN;
SELECT count(*) FROM olpe.evaluate('cached', (SELECT s FROM spaces s WHERE id = 1));
SELECT mode, granted FROM pg_locks
WHERE locktype = 'relation' AND relation = 'olpe.policy'::regclass
  AND pid = pg_backend_pid();
COMMIT;

------------------------------------------------------------------------
-- Session settings that literals are read under
------------------------------------------------------------------------

INSERT INTO olpe.policy (name, target) VALUES ('literals', 'spaces');
INSERT INTO olpe.rule (policy, name, condition, effect) VALUES
  ('literals', 'date_style', 'd = date ''01/02/2025''', 'warn'),
  ('literals', 'time_zone', 'ts < timestamptz ''2025-01-31 12:00''', 'warn'),
  ('literals', 'interval_style', 'iv = interval ''-1 2:00:00''', 'warn');

-- pg_temp.literal_results() lists, per listing and rule, whether olpe and
-- PostgreSQL (the same expressions in SQL) find the rule passed.
CREATE FUNCTION pg_temp.literal_results()
RETURNS TABLE (id integer, rule text, olpe boolean, pg boolean)
LANGUAGE sql AS $$
  SELECT s.id, e.rule, e.passed,
         CASE e.rule
           WHEN 'date_style' THEN s.d = date '01/02/2025'
           WHEN 'time_zone' THEN s.ts < timestamptz '2025-01-31 12:00'
           WHEN 'interval_style' THEN s.iv = interval '-1 2:00:00'
         END
  FROM spaces s, olpe.explain('literals', s) e
  ORDER BY s.id, e.rule;
$$;

SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SELECT * FROM pg_temp.literal_results();
SELECT id, olpe.eval('d = date ''01/02/2025''', s) AS olpe, d = date '01/02/2025' AS pg
FROM spaces s ORDER BY id;

SET DateStyle = 'ISO, DMY';
SELECT * FROM pg_temp.literal_results() WHERE rule = 'date_style';
SELECT id, olpe.eval('d = date ''01/02/2025''', s) AS olpe, d = date '01/02/2025' AS pg
FROM spaces s ORDER BY id;

SET TimeZone = 'America/New_York';
SELECT * FROM pg_temp.literal_results() WHERE rule = 'time_zone';
SELECT id, olpe.eval('ts < timestamptz ''2025-01-31 12:00''', s) AS olpe,
       ts < timestamptz '2025-01-31 12:00' AS pg
FROM spaces s ORDER BY id;

SET IntervalStyle = 'sql_standard';
SELECT * FROM pg_temp.literal_results() WHERE rule = 'interval_style';
SELECT id, olpe.eval('iv = interval ''-1 2:00:00''', s) AS olpe,
       iv = interval '-1 2:00:00' AS pg
FROM spaces s ORDER BY id;

-- Back to the first settings: the first results again.
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SELECT * FROM pg_temp.literal_results();

RESET DateStyle;
RESET TimeZone;
RESET IntervalStyle;

------------------------------------------------------------------------
-- ALTER TABLE on the target
------------------------------------------------------------------------

INSERT INTO olpe.policy (name, target) VALUES ('altered', 'spaces');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('altered', 'half', 'desks / 2 = 2');
SELECT id, (olpe.evaluate('altered', s)).failed, olpe.eval('desks / 2 = 2', s) AS eval
FROM spaces s ORDER BY id;

-- A new column can be used by a new rule, and the old rule still reads
-- the right column.
ALTER TABLE spaces ADD COLUMN size_sqft integer DEFAULT 100;
UPDATE spaces SET size_sqft = 3000 WHERE id = 2;
INSERT INTO olpe.rule (policy, name, condition) VALUES ('altered', 'size', 'size_sqft < 1000');
SELECT id, (olpe.evaluate('altered', s)).failed, olpe.eval('size_sqft < 1000', s) AS eval
FROM spaces s ORDER BY id;

-- Dropping a column that no rule reads leaves the results unchanged.
ALTER TABLE spaces DROP COLUMN note;
SELECT id, (olpe.evaluate('altered', s)).failed, olpe.eval('size_sqft < 1000', s) AS eval
FROM spaces s ORDER BY id;

-- A new column type changes the operators: numeric division is exact.
ALTER TABLE spaces ALTER COLUMN desks TYPE numeric;
SELECT id, (olpe.evaluate('altered', s)).failed, olpe.eval('desks / 2 = 2', s) AS eval,
       desks / 2 = 2 AS pg
FROM spaces s ORDER BY id;

-- Dropping a column that a rule reads makes the rule fail to compile.
\set VERBOSITY default
ALTER TABLE spaces DROP COLUMN size_sqft;
SELECT olpe.evaluate('altered', s) FROM spaces s;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.eval('size_sqft < 1000', s) FROM spaces s;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
DELETE FROM olpe.rule WHERE policy = 'altered' AND name = 'size';
SELECT id, (olpe.evaluate('altered', s)).failed FROM spaces s ORDER BY id;

------------------------------------------------------------------------
-- A tiny cache
------------------------------------------------------------------------

-- Eight policies, each with a word list, a regular expression and an IN
-- list, evaluated in turn for every listing. With a 64kB limit the cache
-- keeps few programs, so it frees programs and compiles them again.
CREATE TABLE many (id integer PRIMARY KEY, n integer, body text);
INSERT INTO many
  SELECT i, i * 7 % 100, CASE WHEN i % 3 = 0 THEN 'cash only' ELSE 'office ' || i END
  FROM generate_series(1, 40) i;

INSERT INTO olpe.policy (name, target)
  SELECT 'tiny_' || k, 'many' FROM generate_series(2, 9) k;
INSERT INTO olpe.rule (policy, name, condition, effect)
  SELECT 'tiny_' || k, 'a_mod', format('n %% %s <> 0', k), 'deny' FROM generate_series(2, 9) k
  UNION ALL
  SELECT 'tiny_' || k, 'b_words', 'NOT (body contains_any_word ARRAY[''cash only'', ''no brokers''])', 'review'
  FROM generate_series(2, 9) k
  UNION ALL
  SELECT 'tiny_' || k, 'c_regex', format('body !~ ''^office %s''', k), 'warn' FROM generate_series(2, 9) k
  UNION ALL
  SELECT 'tiny_' || k, 'd_in', format('n NOT IN (%s, %s, %s)', k, k + 10, k + 20), 'warn'
  FROM generate_series(2, 9) k;

-- The expected outcome, computed in SQL.
CREATE FUNCTION pg_temp.expected_outcome(m many, k integer) RETURNS olpe.outcome
LANGUAGE sql AS $$
  SELECT CASE
    WHEN m.n % k = 0 THEN 'deny'
    WHEN m.body = 'cash only' THEN 'review'
    WHEN m.body ~ ('^office ' || k) OR m.n IN (k, k + 10, k + 20) THEN 'warn'
    ELSE 'allow'
  END::olpe.outcome;
$$;

SET olpe.cache_size = '64kB';
SHOW olpe.cache_size;

SELECT count(*) AS decisions,
       count(*) FILTER (WHERE (olpe.evaluate('tiny_' || k, m)).outcome
                              = pg_temp.expected_outcome(m, k)) AS right_outcome,
       count(*) FILTER (WHERE olpe.allowed('tiny_' || k, m)
                              = (pg_temp.expected_outcome(m, k) <> 'deny')) AS right_allowed
FROM many m, generate_series(2, 9) k;

-- The outcomes of each policy, compared listing by listing.
SELECT k, array_agg((olpe.evaluate('tiny_' || k, m)).outcome ORDER BY m.id)
            = array_agg(pg_temp.expected_outcome(m, k) ORDER BY m.id) AS right
FROM many m, generate_series(2, 9) k
GROUP BY k ORDER BY k;

-- Changes are still seen at the next statement with a tiny cache.
UPDATE olpe.rule SET condition = 'n >= 0' WHERE policy = 'tiny_2' AND name = 'a_mod';
SELECT count(*) FILTER (WHERE (olpe.evaluate('tiny_2', m)).outcome = 'deny') AS denied,
       count(*) FILTER (WHERE (olpe.evaluate('tiny_3', m)).outcome = 'deny') AS denied_3
FROM many m;
SELECT count(*) FILTER (WHERE m.n % 3 = 0) AS expected_denied_3 FROM many m;

-- Expressions of olpe.eval share the cache: 79 distinct expressions, each
-- evaluated for every listing.
SELECT count(*) FILTER (WHERE olpe.eval(format('n %% %s = 0', k), m) = (m.n % k = 0)) AS right,
       count(*) AS total
FROM many m, generate_series(2, 80) k;

-- The programs kept stay within the limit, unless a single program is
-- larger than the limit by itself.
SELECT sum(total_bytes) <= 64 * 1024
       OR count(*) FILTER (WHERE name IN ('olpe policy', 'olpe expression')) = 1
         AS within_limit
FROM pg_backend_memory_contexts
WHERE name IN ('olpe policy', 'olpe expression', 'olpe evaluation');

-- 64kB is the smallest cache.
SET olpe.cache_size = '63kB';
\echo :LAST_ERROR_SQLSTATE
RESET olpe.cache_size;

------------------------------------------------------------------------
-- DROP EXTENSION and CREATE EXTENSION in one session
------------------------------------------------------------------------

-- The new extension starts its version sequence again, so the policy made
-- again gets the version number of the dropped one. Its new rules must be
-- used all the same. A database of its own keeps the other tests' objects.
\set test_database :DBNAME
CREATE DATABASE olpe_recreate;
\c olpe_recreate
SET client_min_messages = warning;
CREATE EXTENSION olpe;
CREATE TABLE desks (id integer, title text);
INSERT INTO desks VALUES (1, 'Desk');
INSERT INTO olpe.policy (name, target) VALUES ('again', 'desks');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('again', 'title_length', 'length(title) >= 10');
SELECT version AS first_version FROM olpe.policy WHERE name = 'again' \gset
SELECT d.outcome, d.failed FROM desks l, olpe.evaluate('again', l) AS d;
DROP EXTENSION olpe CASCADE;
CREATE EXTENSION olpe;
INSERT INTO olpe.policy (name, target) VALUES ('again', 'desks');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('again', 'has_id', 'id > 0');
SELECT version = :first_version AS same_version FROM olpe.policy WHERE name = 'again';
SELECT d.outcome, d.failed FROM desks l, olpe.evaluate('again', l) AS d;
SELECT olpe.allowed('again', l) FROM desks l;

-- Twice in one transaction: the two policy rows then also share their
-- writing transaction.
BEGIN;
DROP EXTENSION olpe CASCADE;
CREATE EXTENSION olpe;
INSERT INTO olpe.policy (name, target) VALUES ('again', 'desks');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('again', 'big_id', 'id > 10');
SELECT d.outcome, d.failed FROM desks l, olpe.evaluate('again', l) AS d;
DROP EXTENSION olpe CASCADE;
CREATE EXTENSION olpe;
INSERT INTO olpe.policy (name, target) VALUES ('again', 'desks');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('again', 'big_id', 'id > 0');
COMMIT;
SELECT version = :first_version AS same_version FROM olpe.policy WHERE name = 'again';
SELECT d.outcome, d.failed FROM desks l, olpe.evaluate('again', l) AS d;
\c :test_database
DROP DATABASE olpe_recreate;
