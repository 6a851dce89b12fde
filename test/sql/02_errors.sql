-- Compile and run-time errors of rule expressions: each statement shows the
-- message, the position of the fault (psql prints the expression with a
-- caret under it) and, on the next line, the SQLSTATE.
\set VERBOSITY default

CREATE TABLE listing (
  id        integer PRIMARY KEY,
  i         integer,
  s         text,
  d         date,
  tags      text[],
  u         uuid,
  details   jsonb,
  c_name    text COLLATE "C",
  icu_name  text COLLATE "und-x-icu",
  größe     integer
);
INSERT INTO listing (id, i, s, d) VALUES
  (1, 5000, 'text', '2025-01-31'), (2, 0, 'x', NULL), (3, -5000, 'y', NULL);

-- 42601: text that does not parse names the offending token.
SELECT olpe.validate('x = = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x > 1 y');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x = 1;');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x IS maybe');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('and = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x IN ()');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('1abc > 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('$ > 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x # 1 = {');
\echo :LAST_ERROR_SQLSTATE

-- 42601 at the end of the input.
SELECT olpe.validate('x = ');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x BETWEEN 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('CASE WHEN x THEN 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('NOT');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('(x > 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('  -- only a comment');
\echo :LAST_ERROR_SQLSTATE

-- 42601: unterminated strings, quoted identifiers and comments point at
-- their start.
SELECT olpe.validate('title = ''abc');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x > 1 AND "title = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x > 1 /* a /* nested */ comment');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('"" = 1');
\echo :LAST_ERROR_SQLSTATE

-- 42601: a parenthesized list outside IN, and comparisons, IN, BETWEEN
-- and LIKE that do not chain, as in SQL.
SELECT olpe.validate('x = (1, 2)');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('(1, 2) @> ARRAY[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('a < b < c');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i = 5 = true');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s LIKE ''a'' LIKE ''b''');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x IN (1) IN (true)');
\echo :LAST_ERROR_SQLSTATE

-- 42703: an unknown column of the target, or an unknown $param.
SELECT olpe.validate('nope > 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i > 1 AND "I" > 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('GRÖßE = 3', 'listing');
\echo :LAST_ERROR_SQLSTATE
-- Positions count characters, not bytes.
SELECT olpe.validate('s = ''ééé'' AND größe > 1 AND nope', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i.x > 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i > $min_size');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s IN $banned', 'listing');
\echo :LAST_ERROR_SQLSTATE

-- Without a target, every name is a key of the listing document.
SELECT olpe.validate('nope > 1 AND "I" > 1 AND i.x > 1');

-- 42804: a condition that is not boolean, and mixed types.
SELECT olpe.validate('i + 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i > 0 AND i', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('NOT s', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('CASE WHEN i THEN true END', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('CASE WHEN i > 0 THEN i ELSE s END = 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('CASE i WHEN 1 THEN true ELSE ''no''::text END', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('ARRAY[i, s] @> ARRAY[1]', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('coalesce(i, s) = 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s contains_any_word 5', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('u IS NULL', 'listing');
\echo :LAST_ERROR_SQLSTATE

-- 42P18: an empty ARRAY[] has no type unless a cast gives it one, as in
-- SQL (compare the SELECTs). The cast form is accepted.
SELECT olpe.validate('tags @> ARRAY[]', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT tags @> ARRAY[] FROM listing;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('cardinality(ARRAY[]) = 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('tags @> ARRAY[]::text[]', 'listing') AS cast_accepted;

-- 0A000: multidimensional arrays, in both of SQL's forms.
SELECT olpe.validate('ARRAY[ARRAY[1], ARRAY[2]] IS NULL');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('ARRAY[[1], [2]] IS NULL');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('ARRAY[[], []] IS NULL');
\echo :LAST_ERROR_SQLSTATE

-- 42883: no operator for the types, as in SQL (compare the SELECTs).
SELECT olpe.validate('s > 1', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT s > 1 FROM listing;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i IN (1, s)', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT i IN (1, s) FROM listing;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('-true');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('tags @> ARRAY[1]', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x ? 1');
\echo :LAST_ERROR_SQLSTATE

-- 42883: an operator whose result type rules do not support.
SELECT olpe.validate('d + interval ''1 day'' > now()', 'listing');
\echo :LAST_ERROR_SQLSTATE

-- 42883: functions outside the allow-list, unknown argument types, and
-- arguments to functions that take none.
SELECT olpe.validate('foo(1)');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('pg_sleep(1) IS NULL');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('length(s) > 0 AND replace(s, ''a'', ''b'') = s', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('length(i) > 0', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('cardinality(i) > 0', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('now(1) > d', 'listing');
\echo :LAST_ERROR_SQLSTATE

-- 42704: a type outside the rule language.
SELECT olpe.validate('x::uuid IS NULL');
\echo :LAST_ERROR_SQLSTATE

-- 42P22: columns of two different non-default collations leave a text
-- comparison without a collation. As in SQL, the expression compiles and
-- the comparison fails when it runs on values.
UPDATE listing SET c_name = 'a', icu_name = 'B' WHERE id = 1;
SELECT olpe.validate('c_name < icu_name', 'listing');
SELECT olpe.eval('c_name < icu_name', l) FROM listing l WHERE id = 2;
SELECT olpe.eval('c_name < icu_name', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT c_name < icu_name FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.eval('lower(c_name || icu_name) = ''ab''', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT lower(c_name || icu_name) = 'ab' FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE

-- 54000: longer than olpe.max_expression_length (in bytes).
SET olpe.max_expression_length = 16;
SELECT olpe.validate('x > 1 AND y < 20');
SELECT olpe.validate('x > 1 AND y < 200');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s = ''ééééééé''');
\echo :LAST_ERROR_SQLSTATE
RESET olpe.max_expression_length;

-- 54001: nested deeper than olpe.max_expression_depth. A chain of n
-- additions compared with 0 is n + 2 levels deep.
SET olpe.max_expression_depth = 8;
SELECT olpe.validate('1 + 1 + 1 + 1 + 1 + 1 + 1 > 0');
SELECT olpe.validate('1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 > 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('NOT NOT NOT NOT NOT NOT NOT NOT x');
\echo :LAST_ERROR_SQLSTATE
RESET olpe.max_expression_depth;

-- The default limit is 200 levels. Parentheses add no level, and deeply
-- nested ones hit PostgreSQL's stack depth check instead of a crash.
\set VERBOSITY terse
SELECT olpe.validate(repeat('NOT ', 199) || 'x');
SELECT olpe.validate(repeat('NOT ', 200) || 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate(repeat('(', 100) || 'x' || repeat(')', 100));
SET olpe.max_expression_length = '1MB';
SELECT olpe.validate(repeat('(', 200000) || 'x' || repeat(')', 200000));
\echo :LAST_ERROR_SQLSTATE
RESET olpe.max_expression_length;
\set VERBOSITY default

-- 22P02, 22007, 22008, 22003: literals that do not convert to their type, with the
-- position of the literal.
SELECT olpe.validate('d > date ''nope''', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('d > ''2025-13-01''', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i > ''abc''', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('s = ''x'' AND interval ''soon'' > interval ''1 day''', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('i > ''9999999999''', 'listing');
\echo :LAST_ERROR_SQLSTATE

-- A quoted literal on the left of IN is read as the type of the first
-- item, as in SQL (compare the SELECT).
SELECT olpe.validate('''a'' IN (1, s)', 'listing');
\echo :LAST_ERROR_SQLSTATE
SELECT 'a' IN (1, s) FROM listing;
\echo :LAST_ERROR_SQLSTATE

-- Constant sub-expressions are computed when the rule is compiled, so their
-- errors come at once, as they would when PostgreSQL plans the query.
SELECT olpe.validate('1 / 0 = 1');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('x > 1 AND 2147483647 + 1 > 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('-2147483648 - 1 < 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('9999999999::int > 0');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.validate('CASE WHEN false THEN 1 / 0 = 1 ELSE true END');
SELECT olpe.validate('-2147483648 < 0 AND 2147483648 > 0');

-- Run-time errors carry the rule and the policy in their CONTEXT.
INSERT INTO olpe.policy (name) VALUES ('runtime');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('runtime', 'a_fine', 'i >= 0'),
  ('runtime', 'b_overflow', 'i * 1000000 > 0');
SELECT (olpe.evaluate('runtime', l)).outcome FROM listing l WHERE id = 2;
SELECT (olpe.evaluate('runtime', l)).outcome FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.allowed('runtime', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT rule FROM olpe.explain('runtime', (SELECT l FROM listing l WHERE id = 1));
\echo :LAST_ERROR_SQLSTATE

-- allowed() stops at the first deny rule that fails, so for listing 3
-- b_overflow never runs.
SELECT olpe.allowed('runtime', l) FROM listing l WHERE id = 3;
SELECT (olpe.evaluate('runtime', l)).outcome FROM listing l WHERE id = 3;
\echo :LAST_ERROR_SQLSTATE

SELECT olpe.eval('i * 1000000 > 0', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.eval('i / (i - 5000) > 0', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE

-- A document value that does not convert to the type a rule reads it as.
UPDATE olpe.rule SET condition = 'price > 100' WHERE policy = 'runtime' AND name = 'b_overflow';
SELECT olpe.evaluate('runtime', '{"i": 1, "price": "cheap"}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT (olpe.evaluate('runtime', '{"i": 1, "price": "150"}'::jsonb)).outcome;

-- 42804: a listing is a table row or a jsonb document.
SELECT olpe.evaluate('runtime', 42);
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.allowed('runtime', 'text'::text);
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.eval('x > 1', now());
\echo :LAST_ERROR_SQLSTATE

-- 42704: an unknown policy.
SELECT olpe.evaluate('no such policy', l) FROM listing l WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.allowed('no such policy', '{}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM olpe.explain('no such policy', '{}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.evaluate(repeat('p', 100), '{}'::jsonb);
\echo :LAST_ERROR_SQLSTATE
