-- Rules whose condition is written in JsonLogic (olpe.rule.condition_jsonlogic),
-- and olpe.jsonlogic_to_rule, which translates JsonLogic into the rule
-- language.
--
-- A JsonLogic condition passes when its result is truthy. Over a row it
-- must decide as olpe.jsonlogic_apply(rule, to_jsonb(row)) does, and over a
-- document as olpe.jsonlogic_apply(rule, document). A translated rule must
-- decide as the JsonLogic rule does, over documents and rows, with nulls
-- and missing keys. Tables and policies start with jlr_.
\set VERBOSITY default
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- The column, the constraint and the function
SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull
  FROM pg_attribute
 WHERE attrelid = 'olpe.rule'::regclass AND attname IN ('condition', 'condition_jsonlogic')
 ORDER BY attnum;
SELECT pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'olpe.rule'::regclass AND conname = 'rule_one_condition_check';
SELECT p.proname, pg_get_function_arguments(p.oid) AS arguments,
       p.provolatile, p.proparallel, p.proisstrict
  FROM pg_proc p
 WHERE p.oid = 'olpe.jsonlogic_to_rule(jsonb)'::regprocedure;

CREATE TABLE jlr_listing (
  id          integer PRIMARY KEY,
  city        text,
  country     varchar(2),
  size_sqft   integer,
  price       numeric(10,2),
  rating      double precision,
  desks       bigint,
  floor       smallint,
  verified    boolean,
  amenities   text[],
  details     jsonb,
  available   date,
  updated_at  timestamptz,
  lease       interval
);

INSERT INTO jlr_listing VALUES
  (1, 'Paris', 'FR', 1200, 30.50, 4.5, 12, 3, true, ARRAY['wifi', 'parking'],
   '{"floor": 3, "lift": true, "tags": ["quiet"]}', '2025-06-01', '2025-05-01 10:00+00', '1 year'),
  (2, 'Berlin', 'DE', 80, 12.00, 0, 0, -1, false, ARRAY['kitchen'],
   '{"floor": 0, "lift": false}', '2024-12-31', '2025-01-01 00:00+00', '6 mons'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, '', 'UK', 500, 0.01, 'NaN', 9007199254740993, 0, true, ARRAY['wifi', NULL],
   '{"floor": null}', '2025-01-15', '2025-03-01 12:30+00', '2 days'),
  (5, 'Zürich', 'CH', 100000, 99999999.99, -2.25, 1, 200, NULL, ARRAY[]::text[],
   '{}', '2026-02-28', NULL, '1 year 2 mons 3 days'),
  (6, 'Rome', 'IT', 499, 5.55, 'Infinity', 3, 12, false, NULL,
   '{"floor": "7"}', NULL, '2025-07-01 08:00+00', NULL);

-- Exactly one of condition and condition_jsonlogic

INSERT INTO olpe.policy (name, target) VALUES ('jlr_rows', 'jlr_listing');
INSERT INTO olpe.rule (policy, name, condition, condition_jsonlogic)
  VALUES ('jlr_rows', 'both', 'size_sqft > 0', '{">": [{"var": "size_sqft"}, 0]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name) VALUES ('jlr_rows', 'neither');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('jlr_rows', 'switch', 'size_sqft > 0');
UPDATE olpe.rule SET condition_jsonlogic = '{">": [{"var": "size_sqft"}, 0]}'
 WHERE policy = 'jlr_rows' AND name = 'switch';
\echo :LAST_ERROR_SQLSTATE
-- switching a rule from one language to the other in one UPDATE is allowed
UPDATE olpe.rule SET condition = NULL, condition_jsonlogic = '{">": [{"var": "size_sqft"}, 0]}'
 WHERE policy = 'jlr_rows' AND name = 'switch';
SELECT name, condition, condition_jsonlogic FROM olpe.rule WHERE policy = 'jlr_rows';
DELETE FROM olpe.rule WHERE policy = 'jlr_rows';

-- A rule set written in JsonLogic, and the same rules translated into the
-- rule language by olpe.jsonlogic_to_rule

CREATE TABLE jlr_rule_set (name text PRIMARY KEY, effect text, applies_when text,
                           message text, rule jsonb);
INSERT INTO jlr_rule_set VALUES
  ('size_min', 'deny', NULL, 'size {size_sqft} is below 100', '{">=": [{"var": "size_sqft"}, 100]}'),
  ('size_max', 'deny', NULL, NULL, '{"<=": [{"var": "size_sqft"}, 50000]}'),
  ('price_range', 'review', NULL, NULL, '{"<=": [0.05, {"var": "price"}, 1000]}'),
  ('city_known', 'deny', NULL, 'city {city} is not served',
   '{"in": [{"var": "city"}, ["Paris", "Berlin", "Rome", "Zürich"]]}'),
  ('country_not_uk', 'warn', NULL, NULL, '{"!=": [{"var": "country"}, "UK"]}'),
  ('verified', 'review', 'size_sqft > 1000', NULL, '{"var": "verified"}'),
  ('not_unverified', 'warn', NULL, NULL, '{"!==": [{"var": "verified"}, false]}'),
  ('has_contact', 'deny', NULL, NULL, '{"!": {"missing": ["city", "country"]}}'),
  ('two_of_three', 'warn', NULL, NULL, '{"!": {"missing_some": [2, ["city", "price", "desks"]]}}'),
  ('lift_above_ground', 'deny', NULL, NULL,
   '{"if": [{">": [{"var": "details.floor"}, 0]}, {"==": [{"var": "details.lift"}, true]}, true]}'),
  ('desks_positive', 'warn', NULL, NULL,
   '{"or": [{">": [{"var": "desks"}, 0]}, {"==": [{"var": "desks"}, null]}]}'),
  ('floor_range', 'deny', 'floor IS NOT NULL', NULL, '{"<": [-5, {"var": "floor"}, 100]}');

INSERT INTO olpe.rule (policy, name, effect, applies_when, message, condition_jsonlogic)
SELECT 'jlr_rows', name, effect, applies_when, message, rule FROM jlr_rule_set;

SELECT name, olpe.jsonlogic_to_rule(rule) FROM jlr_rule_set ORDER BY name;

INSERT INTO olpe.policy (name, target) VALUES ('jlr_translated', 'jlr_listing');
INSERT INTO olpe.rule (policy, name, effect, applies_when, message, condition)
SELECT 'jlr_translated', name, effect, applies_when, message, olpe.jsonlogic_to_rule(rule)
  FROM jlr_rule_set;

-- The decisions over rows
SELECT l.id, d.outcome, d.failed, d.messages
  FROM jlr_listing l, olpe.evaluate('jlr_rows', l) d ORDER BY l.id;

-- Rows and documents, JsonLogic and translated: the same decisions
SELECT l.id,
       (olpe.evaluate('jlr_rows', l)).failed = (olpe.evaluate('jlr_translated', l)).failed AS translated_rows,
       (olpe.evaluate('jlr_rows', l)).failed = (olpe.evaluate('jlr_rows', to_jsonb(l))).failed AS jsonlogic_documents,
       (olpe.evaluate('jlr_rows', l)).failed = (olpe.evaluate('jlr_translated', to_jsonb(l))).failed AS translated_documents,
       (olpe.evaluate('jlr_rows', l)).outcome = (olpe.evaluate('jlr_translated', l)).outcome AS same_outcome
  FROM jlr_listing l ORDER BY l.id;

-- Each rule over each row decides as jsonlogic_apply over to_jsonb(row)
-- (rules with applies_when are compared where they applied)
SELECT count(*) AS compared,
       count(*) FILTER (WHERE e.passed IS DISTINCT FROM
                        olpe.jsonlogic_apply(jsonb_build_object('!!', jsonb_build_array(s.rule)),
                                             to_jsonb(l))::text::boolean) AS differ
  FROM jlr_listing l, olpe.explain('jlr_rows', l) e JOIN jlr_rule_set s ON s.name = e.rule
 WHERE e.applied;

-- olpe.allowed stops at the first failing deny rule and agrees
SELECT l.id, olpe.allowed('jlr_rows', l) AS jsonlogic, olpe.allowed('jlr_translated', l) AS translated
  FROM jlr_listing l ORDER BY l.id;

-- Column values as JsonLogic reads them: to_jsonb's forms, converted once
-- per row from the columns the rule reads
CREATE TABLE jlr_value_case (name text PRIMARY KEY, rule jsonb);
INSERT INTO jlr_value_case VALUES
  ('text', '{"cat": ["<", {"var": "city"}, ">"]}'),
  ('varchar', '{"cat": ["<", {"var": "country"}, ">"]}'),
  ('integer', '{"-": [{"var": "size_sqft"}, 0.5]}'),
  ('numeric', '{"cat": [{"var": "price"}]}'),
  ('double precision', '{"cat": [{"var": "rating"}]}'),
  ('bigint beyond 2^53', '{"cat": [{"var": "desks"}]}'),
  ('smallint', '{"-": [{"var": "floor"}]}'),
  ('boolean', '{"===": [{"var": "verified"}, true]}'),
  ('text[]', '{"merge": [{"var": "amenities"}, ["end"]]}'),
  ('jsonb path', '{"var": "details.floor"}'),
  ('jsonb array element', '{"var": "details.tags.0"}'),
  ('date', '{"cat": [{"var": "available"}]}'),
  ('timestamptz', '{"cat": [{"var": "updated_at"}]}'),
  ('interval', '{"cat": [{"var": "lease"}]}'),
  ('string length', '{"var": "city.length"}'),
  ('array length', '{"var": "amenities.length"}'),
  ('computed key', '{"var": {"cat": ["ci", "ty"]}}'),
  ('whole data', '{"var": ""}'),
  ('missing', '{"missing": ["city", "price", "amenities"]}'),
  ('in constant list', '{"in": [{"var": "city"}, ["Paris", "Rome", null, 1]]}'),
  ('in empty list', '{"in": [{"var": "city"}, []]}'),
  ('in list with an array', '{"in": [{"var": "amenities"}, ["x", ["wifi"]]]}'),
  ('in list of vars', '{"in": [{"var": "city"}, [{"var": "country"}, "Rome"]]}');

INSERT INTO olpe.policy (name, target) VALUES ('jlr_values', 'jlr_listing');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
SELECT 'jlr_values', name, rule FROM jlr_value_case;

-- the explain detail shows what each rule returned and read, as JSON
SELECT l.id, e.rule, e.detail
  FROM jlr_listing l, olpe.explain('jlr_values', l) e
 WHERE l.id IN (1, 4) AND e.rule NOT IN ('whole data', 'computed key')
 ORDER BY l.id, e.rule COLLATE "C";

-- and every row gives each rule the result that jsonlogic_apply gives over
-- to_jsonb(row)
SELECT c.name, count(*) AS rows,
       count(*) FILTER (WHERE returned IS DISTINCT FROM olpe.jsonlogic_apply(c.rule, to_jsonb(l))::text)
         AS differ
  FROM jlr_listing l, olpe.explain('jlr_values', l) e JOIN jlr_value_case c ON c.name = e.rule,
       LATERAL regexp_replace(regexp_replace(split_part(e.detail, '; read ', 1),
                                             '^JsonLogic condition returned ', ''),
                              ', which is (truthy|falsy)$', '') AS returned
 GROUP BY c.name ORDER BY c.name COLLATE "C";

-- a computed key can name any column, so the rule reads every column
SELECT e.detail FROM jlr_listing l, olpe.explain('jlr_values', l) e
 WHERE l.id = 2 AND e.rule = 'computed key';

-- A JsonLogic condition is never unknown, so on_unknown does not apply to
-- it. A rule-language condition over a NULL attribute is unknown, and
-- on_unknown decides.
INSERT INTO olpe.policy (name, target, on_unknown) VALUES
  ('jlr_unknown_fail', 'jlr_listing', 'fail'), ('jlr_unknown_pass', 'jlr_listing', 'pass');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic) VALUES
  ('jlr_unknown_fail', 'jsonlogic', '{"<": [{"var": "size_sqft"}, 1000]}'),
  ('jlr_unknown_pass', 'jsonlogic', '{"<": [{"var": "size_sqft"}, 1000]}');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('jlr_unknown_fail', 'native', 'size_sqft < 1000'),
  ('jlr_unknown_pass', 'native', 'size_sqft < 1000');
SELECT e.rule, e.passed AS on_unknown_fail, p.passed AS on_unknown_pass,
       (olpe.evaluate('jlr_unknown_fail', l)).failed AS failed_fail,
       (olpe.evaluate('jlr_unknown_pass', l)).failed AS failed_pass
  FROM jlr_listing l
  JOIN olpe.explain('jlr_unknown_fail', l) e ON true
  JOIN olpe.explain('jlr_unknown_pass', l) p ON p.rule = e.rule
 WHERE l.id = 3 ORDER BY e.rule;

-- Documents: a policy without a target accepts any key, and decides as
-- jsonlogic_apply does
INSERT INTO olpe.policy (name) VALUES ('jlr_docs');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic, message) VALUES
  ('jlr_docs', 'any_key', '{"==": [{"var": "some.nested.key"}, 1]}', 'nested key is {some.nested.key}'),
  ('jlr_docs', 'falsy_result', '{"var": "title"}', 'title is {title}'),
  ('jlr_docs', 'whole_document', '{"!!": {"var": ""}}', NULL),
  ('jlr_docs', 'array_result', '{"missing": ["a", "b"]}', NULL);
SELECT d.doc, e.rule, e.passed, e.message, e.detail
  FROM (VALUES ('{"some": {"nested": {"key": 1}}, "title": "Loft", "a": 1, "b": 2}'::jsonb),
               ('{"title": "", "a": null}'),
               ('{}')) AS d(doc),
       olpe.explain('jlr_docs', d.doc) e
 ORDER BY d.doc::text, e.rule;
-- a listing document must be an object, whatever language its rules use
SELECT olpe.evaluate('jlr_docs', '[]'::jsonb);
SELECT olpe.evaluate('jlr_docs', 'null'::jsonb);
SELECT d.doc,
       (olpe.evaluate('jlr_docs', d.doc)).failed,
       ARRAY(SELECT r.name FROM olpe.rule r
              WHERE r.policy = 'jlr_docs'
                AND NOT olpe.jsonlogic_apply(jsonb_build_object('!!', jsonb_build_array(r.condition_jsonlogic)),
                                             d.doc)::text::boolean
              ORDER BY r.name) AS falsy_by_jsonlogic_apply
  FROM (VALUES ('{"some": {"nested": {"key": 1}}, "title": "Loft", "a": 1, "b": 2}'::jsonb),
               ('{"title": "", "a": null}'), ('{}')) AS d(doc)
 ORDER BY d.doc::text;

-- explain of a rule that applies_when skips: its condition is not run
SELECT e.rule, e.applied, e.passed, e.detail
  FROM jlr_listing l, olpe.explain('jlr_rows', l) e
 WHERE l.id = 2 AND e.rule IN ('verified', 'floor_range', 'size_min', 'city_known')
 ORDER BY e.rule;

-- Validation when the rule is written: the JsonLogic engine's SQLSTATEs,
-- and a CONTEXT that names the rule
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{">": [{"var": "size"}, 1]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{">": [{"var": "Size_Sqft"}, 1]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{"missing": ["city", "nosuch.key"]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{"if": [false, {"nope": [1]}, true]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{"method": [{"var": "city"}, "toUpperCase"]}');
\echo :LAST_ERROR_SQLSTATE
SET olpe.max_expression_depth = 8;
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{"!": {"!": {"!": {"!": {"!": {"!": {"!": {"!": {"!": {"var": "verified"}}}}}}}}}}');
\echo :LAST_ERROR_SQLSTATE
RESET olpe.max_expression_depth;
SET olpe.max_expression_length = 20;
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_rows', 'bad', '{"in": [{"var": "city"}, ["Paris", "Berlin"]]}');
\echo :LAST_ERROR_SQLSTATE
RESET olpe.max_expression_length;
-- applies_when and message stay in the rule language
INSERT INTO olpe.rule (policy, name, condition_jsonlogic, applies_when)
  VALUES ('jlr_rows', 'bad', '{"var": "verified"}', 'nosuch > 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic, message)
  VALUES ('jlr_rows', 'bad', '{"var": "verified"}', 'size {size_sqft + ''x''}');
\echo :LAST_ERROR_SQLSTATE

-- a column of a type that rules cannot read, by name or because the rule
-- reads every column
CREATE TABLE jlr_with_uuid (id integer, ref uuid);
INSERT INTO olpe.policy (name, target) VALUES ('jlr_uuid', 'jlr_with_uuid');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_uuid', 'by_name', '{"!=": [{"var": "ref"}, null]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_uuid', 'computed', '{"var": {"cat": ["i", "d"]}}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_uuid', 'id_only', '{">": [{"var": "id"}, 0]}');

-- a new target without the column is rejected
CREATE TABLE jlr_other (id integer, town text);
UPDATE olpe.policy SET target = 'jlr_other' WHERE name = 'jlr_rows';
\echo :LAST_ERROR_SQLSTATE

-- A JsonLogic error at evaluation names the rule and the policy
INSERT INTO olpe.policy (name, target) VALUES ('jlr_runtime', 'jlr_listing');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic)
  VALUES ('jlr_runtime', 'product', '{"if": [{"var": "verified"}, {"*": []}, true]}');
SELECT l.id, (olpe.evaluate('jlr_runtime', l)).outcome FROM jlr_listing l WHERE l.id = 2;
SELECT l.id, (olpe.evaluate('jlr_runtime', l)).outcome FROM jlr_listing l WHERE l.id = 1;
\echo :LAST_ERROR_SQLSTATE

-- JsonLogic rules with olpe.enforce and olpe.copy_policy
CREATE TABLE jlr_enforced (id integer, size_sqft integer, city text);
INSERT INTO olpe.policy (name, target) VALUES ('jlr_enforce', 'jlr_enforced');
INSERT INTO olpe.rule (policy, name, condition_jsonlogic, message)
  VALUES ('jlr_enforce', 'min_size', '{">=": [{"var": "size_sqft"}, 100]}', 'size {size_sqft} is below 100');
CREATE TRIGGER jlr_enforced_check BEFORE INSERT OR UPDATE ON jlr_enforced
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('jlr_enforce', 'reject');
INSERT INTO jlr_enforced VALUES (1, 150, 'Paris');
INSERT INTO jlr_enforced VALUES (2, 50, 'Paris');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO jlr_enforced VALUES (3, NULL, 'Paris');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM jlr_enforced;
SELECT olpe.copy_policy('jlr_enforce', 'jlr_enforce_copy') > 0 AS copied;
SELECT name, condition, condition_jsonlogic, message FROM olpe.rule WHERE policy = 'jlr_enforce_copy';

-- olpe.jsonlogic_to_rule: translations

CREATE TABLE jlr_translation (id serial PRIMARY KEY, rule jsonb);
INSERT INTO jlr_translation (rule) VALUES
  ('{">": [{"var": "n"}, 5]}'),
  ('{"<": [{"var": "n"}, 5]}'),
  ('{">=": [{"var": "n"}, 0]}'),
  ('{"<=": [{"var": "n"}, -1]}'),
  ('{">": [5, {"var": "n"}]}'),
  ('{"<": [{"var": "n"}, null]}'),
  ('{"<=": [0, {"var": "n"}, 10]}'),
  ('{"<=": [1, {"var": "n"}, 10]}'),
  ('{"<": [-2, {"var": "n"}, 10]}'),
  ('{"<": [{"var": "n"}, 10, 20]}'),
  ('{"<": [30, 10, {"var": "n"}]}'),
  ('{"==": [{"var": "n"}, 5]}'),
  ('{"!=": [{"var": "n"}, 5]}'),
  ('{"===": [{"var": "n"}, 0]}'),
  ('{"!==": [{"var": "n"}, 0]}'),
  ('{"==": [{"var": "n"}, null]}'),
  ('{"!=": [null, {"var": "n"}]}'),
  ('{"===": [{"var": "n"}, null]}'),
  ('{"==": [{"var": "n"}, {"+": [2, 3]}]}'),
  ('{"===": [{"var": "n"}, {"and": []}]}'),
  ('{"==": [{"var": "s"}, "Paris"]}'),
  ('{"!=": [{"var": "s"}, "Paris"]}'),
  ('{"==": [{"var": "s"}, ""]}'),
  ('{"==": [{"var": "s"}, "it''s"]}'),
  ('{"==": [{"var": "b"}, true]}'),
  ('{"==": [{"var": "b"}, false]}'),
  ('{"!=": [{"var": "b"}, false]}'),
  ('{"var": "b"}'),
  ('{"var": ["b", null]}'),
  ('{"!": {"var": "b"}}'),
  ('{"!!": [{"var": "b"}]}'),
  ('{"in": [{"var": "s"}, ["Paris", "Rome"]]}'),
  ('{"in": [{"var": "s"}, ["Paris", null]]}'),
  ('{"in": [{"var": "s"}, [null]]}'),
  ('{"in": [{"var": "s"}, ["Paris", [1], {"a": 1, "b": 2}]]}'),
  ('{"in": [{"var": "n"}, [5, 10, 2.5]]}'),
  ('{"in": [{"var": "n"}, []]}'),
  ('{"in": [{"var": "b"}, [true]]}'),
  ('{"missing": ["n"]}'),
  ('{"missing": ["n", "s"]}'),
  ('{"missing": [["s", "b"]]}'),
  ('{"missing": ["d.k"]}'),
  ('{"missing": []}'),
  ('{"!": {"missing": ["s"]}}'),
  ('{"missing_some": [1, ["n", "s", "b"]]}'),
  ('{"missing_some": [2, ["n", "s", "b"]]}'),
  ('{"missing_some": [3, ["n", "s", "b"]]}'),
  ('{"missing_some": [4, ["n", "s", "b"]]}'),
  ('{"missing_some": [0, ["n"]]}'),
  ('{">": [{"var": "d.k"}, 2]}'),
  ('{"==": [{"var": "d.k"}, null]}'),
  ('{"and": [{">": [{"var": "n"}, 0]}, {"==": [{"var": "s"}, "Paris"]}]}'),
  ('{"or": [{"var": "b"}, {"<": [{"var": "n"}, 3]}]}'),
  ('{"or": [{"and": [{"var": "b"}, {"==": [{"var": "s"}, "Paris"]}]}, {"or": [{"missing": "n"}, {">": [{"var": "n"}, 10]}]}]}'),
  ('{"and": [{"or": [{"var": "b"}, {"missing": "s"}]}, {"!": {"and": [{"var": "b"}, {"==": [{"var": "n"}, 5]}]}}]}'),
  ('{"and": []}'),
  ('{"or": [{"var": "b"}]}'),
  ('{"if": [{"var": "b"}, {">": [{"var": "n"}, 5]}, {"==": [{"var": "s"}, "Berlin"]}]}'),
  ('{"if": [{"var": "b"}, {">": [{"var": "n"}, 5]}, {"==": [{"var": "s"}, "Berlin"]}, true, false]}'),
  ('{"?:": [{"missing": "s"}, true, {"in": [{"var": "s"}, ["Berlin"]]}]}'),
  ('{"if": [{"var": "b"}]}'),
  ('{"if": []}'),
  ('{"if": [{"var": "b"}, true]}'),
  ('{"!": [{"or": [{"var": "b"}, {"==": [{"var": "n"}, 5]}]}]}'),
  ('{"==": [{"var": "Size Sqft"}, 1]}'),
  ('{"==": [{"var": "order"}, 1]}'),
  ('{"==": [{"var": "say \"hi\""}, 1]}'),
  ('true'),
  ('0'),
  ('"x"'),
  ('[]'),
  ('{"==": [1, "1"]}'),
  ('{"a": 1, "b": 2}');
SELECT id, rule, olpe.jsonlogic_to_rule(rule) AS translation FROM jlr_translation ORDER BY id;
-- every translation is a valid rule-language condition
SELECT count(*) AS valid FROM jlr_translation WHERE olpe.validate(olpe.jsonlogic_to_rule(rule));

-- Each translation decides as the JsonLogic rule over documents that hold,
-- for each of n (a number), s (a string), b (a boolean) and d (an object),
-- a value of that type, null, or nothing
CREATE TABLE jlr_document AS
SELECT coalesce((SELECT jsonb_object_agg(key, value)
                   FROM (VALUES ('n', n.v), ('s', s.v), ('b', b.v), ('d', d.v)) AS x(key, value)
                  WHERE value IS NOT NULL), '{}') AS doc
  FROM (VALUES (NULL::jsonb), ('null'), ('-1'), ('0'), ('2.5'), ('5'), ('10'), ('11')) n(v),
       (VALUES (NULL::jsonb), ('null'), ('""'), ('"Paris"'), ('"Berlin"'), ('"it''s"')) s(v),
       (VALUES (NULL::jsonb), ('null'), ('true'), ('false')) b(v),
       (VALUES (NULL::jsonb), ('null'), ('{}'), ('{"k": 3}'), ('{"k": null}'), ('{"k": 1.5}')) d(v);
SELECT count(*) AS documents FROM jlr_document;
SELECT count(*) AS compared,
       count(*) FILTER (WHERE translated IS NULL) AS null_results,
       count(*) FILTER (WHERE translated IS DISTINCT FROM jsonlogic) AS differ
  FROM (SELECT olpe.eval(olpe.jsonlogic_to_rule(t.rule), d.doc) AS translated,
               olpe.jsonlogic_apply(jsonb_build_object('!!', jsonb_build_array(t.rule)),
                                    d.doc)::text::boolean AS jsonlogic
          FROM jlr_translation t, jlr_document d) AS r;

-- Translations that the rule language cannot express, or that would not
-- agree with JsonLogic
CREATE FUNCTION pg_temp.translation_error(rule jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  RETURN 'translated: ' || olpe.jsonlogic_to_rule(rule);
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || E'\n  DETAIL: ' || coalesce(detail, '');
END;
$$;
SELECT r.rule, pg_temp.translation_error(r.rule) AS error
  FROM (VALUES
    ('{"==": [{"var": "a"}, {"var": "b"}]}'::jsonb),
    ('{"===": [{"var": "a"}, {"var": "b"}]}'),
    ('{"<": [{"var": "a"}, {"var": "b"}]}'),
    ('{"<": [{"var": "a"}, "m"]}'),
    ('{">": [{"var": "a"}, true]}'),
    ('{"==": [{"var": "a"}, [1]]}'),
    ('{"==": [{"var": "a"}, 1, 2]}'),
    ('{"<": [{"var": "a"}]}'),
    ('{"!": [{"var": "a"}, {"var": "b"}]}'),
    ('{">": [{"var": "a"}, {"/": [1, 0]}]}'),
    ('{"+": [{"var": "a"}, 1]}'),
    ('{">": [{"+": [{"var": "a"}, 1]}, 5]}'),
    ('{"cat": [{"var": "a"}, "x"]}'),
    ('{"some": [{"var": "a"}, {">": [{"var": ""}, 1]}]}'),
    ('{"log": {"var": "a"}}'),
    ('{"in": ["wifi", {"var": "amenities"}]}'),
    ('{"in": [{"var": "a"}, "abc"]}'),
    ('{"in": [{"var": "a"}, [1, "1"]]}'),
    ('{"in": [{"cat": ["a", {"var": "b"}]}, ["ab"]]}'),
    ('{"var": ["a", 5]}'),
    ('{"var": ""}'),
    ('{"var": {"cat": ["a", "b"]}}'),
    ('{"var": "a.0"}'),
    ('{"var": "a.length"}'),
    ('{"var": "a..b"}'),
    ('{"missing": [{"var": "k"}]}'),
    ('{"missing": [["a"], "b"]}'),
    ('{"missing_some": [{"var": "k"}, ["a"]]}'),
    ('{"missing_some": [1, "a"]}'),
    ('[{"var": "a"}]'),
    ('{"nope": [1]}'),
    ('{"if": [false, {"nope": [1]}, true]}')) AS r(rule);
SELECT olpe.jsonlogic_to_rule('{"+": [{"var": "a"}, 1]}');
\echo :LAST_ERROR_SQLSTATE
SELECT olpe.jsonlogic_to_rule('{"nope": [1]}');
\echo :LAST_ERROR_SQLSTATE

-- A translated rule passes olpe's own validation against a target table
INSERT INTO olpe.rule (policy, name, condition)
SELECT 'jlr_translated', 'translated_' || id, olpe.jsonlogic_to_rule(rule)
  FROM (VALUES (1, '{"and": [{"<=": [100, {"var": "size_sqft"}, 500000]}, {"missing": ["city"]}]}'::jsonb),
               (2, '{"or": [{"var": "verified"}, {"in": [{"var": "country"}, ["FR", "DE"]]}]}'),
               (3, '{"!": {"==": [{"var": "details.lift"}, true]}}')) AS t(id, rule);
SELECT name, condition FROM olpe.rule WHERE policy = 'jlr_translated' AND name LIKE 'translated\_%' ORDER BY name;

DROP TABLE jlr_listing, jlr_rule_set, jlr_value_case, jlr_with_uuid, jlr_other,
           jlr_enforced, jlr_translation, jlr_document;
DELETE FROM olpe.policy WHERE name LIKE 'jlr\_%';
