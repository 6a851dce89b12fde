-- Policies, rules and parameters: the tables and their constraints, the
-- validation trigger, version bumps, and evaluate / allowed / explain.
-- Version numbers come from a sequence shared by all tests, so this file
-- compares versions and never prints them.
\set VERBOSITY terse

CREATE TABLE listings (
  id              integer PRIMARY KEY,
  title           text,
  description     text,
  city            text,
  country         text,
  property_type   text,
  size_sqft       integer,
  price_month     numeric,
  desks           integer,
  amenities       text[],
  energy_rating   text,
  available_from  date,
  broker_verified boolean
);

INSERT INTO listings VALUES
  (1, 'Bright office in Mitte', 'Quiet floor, fibre and a roof terrace.', 'Berlin', 'DE',
   'office', 2000, 40000, 20, '{wifi,kitchen}', 'B', '2025-03-01', true),
  (2, 'Desk', 'No brokers! Call 030-555-0199.', 'Paris', 'FR',
   'office', 500, 20000, 5, '{}', NULL, '2025-12-25', false),
  (3, 'Shared desks near the harbour', 'Flexible desks with fast wifi.', 'Hamburg', 'DE',
   'coworking', 1200, 18000, 0, '{kitchen}', NULL, '2025-02-01', true),
  (4, NULL, 'A listing without a title.', 'Vienna', NULL,
   'office', NULL, NULL, NULL, NULL, 'C', NULL, NULL);

-- pg_temp.sql_value(sql, id) evaluates a SQL expression over one listing,
-- to compare rule results with what PostgreSQL computes.
CREATE FUNCTION pg_temp.sql_value(sql text, listing_id integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  result boolean;
BEGIN
  EXECUTE format('SELECT (%s)::boolean FROM listings l WHERE id = $1', sql)
    INTO result USING listing_id;
  RETURN result;
END;
$$;

-- pg_temp.error_of(sql) runs a statement and returns its SQLSTATE and
-- message, or 'no error'. Its changes are always rolled back.
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  state text;
  message text;
BEGIN
  EXECUTE sql;
  RAISE SQLSTATE 'OLP00';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
  IF state = 'OLP00' THEN
    RETURN 'no error';
  END IF;
  RETURN state || ': ' || message;
END;
$$;

------------------------------------------------------------------------
-- The tables: defaults and constraints
------------------------------------------------------------------------

INSERT INTO olpe.policy (name) VALUES ('defaults');
SELECT name, target, on_unknown, description, version > 0 AS has_version,
       created_at <= now() AS created_before_now, updated_at = created_at AS not_updated
FROM olpe.policy WHERE name = 'defaults';

INSERT INTO olpe.rule (policy, name, condition) VALUES ('defaults', 'r', 'x > 1');
SELECT policy, name, condition, applies_when, effect, message, enabled
FROM olpe.rule WHERE policy = 'defaults';

-- Versions come from one sequence, so two policies never share one.
INSERT INTO olpe.policy (name) VALUES ('defaults 2');
SELECT count(DISTINCT version) AS versions
FROM olpe.policy WHERE name IN ('defaults', 'defaults 2');

INSERT INTO olpe.policy (name) VALUES ('');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name) VALUES (repeat('p', 64));
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name) VALUES (NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name) VALUES ('defaults');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name, on_unknown) VALUES ('bad', 'maybe');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name, target) VALUES ('bad', 'no_such_table');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy (name) VALUES (repeat('p', 63));
DELETE FROM olpe.policy WHERE name = repeat('p', 63);

INSERT INTO olpe.rule (policy, name, condition, effect) VALUES ('defaults', 'bad', 'x > 1', 'block');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('defaults', '', 'x > 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('defaults', repeat('r', 64), 'x > 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('defaults', 'r', 'x > 2');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('no such policy', 'r', 'x > 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, enabled) VALUES ('defaults', 'bad', 'x > 1', NULL);
\echo :LAST_ERROR_SQLSTATE

INSERT INTO olpe.policy_param (policy, name, value) VALUES ('defaults', '1st', '1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('defaults', 'max-rate', '1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('defaults', repeat('p', 64), '1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('defaults', 'p', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('no such policy', 'p', '1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('defaults', '_Max_rate2', '1');
SELECT name, value FROM olpe.policy_param WHERE policy = 'defaults';

-- Deleting a policy deletes its rules and params.
DELETE FROM olpe.policy WHERE name IN ('defaults', 'defaults 2');
SELECT (SELECT count(*) FROM olpe.rule WHERE policy = 'defaults') AS rules,
       (SELECT count(*) FROM olpe.policy_param WHERE policy = 'defaults') AS params;

-- The policy tables and the version sequence are extension configuration,
-- so pg_dump dumps all their rows.
SELECT c.relation,
       c.relation::regclass::oid = ANY (e.extconfig) AS dumped,
       e.extcondition[array_position(e.extconfig, c.relation::regclass::oid)] AS condition
FROM pg_extension e,
     unnest(ARRAY['olpe.policy', 'olpe.rule', 'olpe.policy_param',
                  'olpe.policy_version_seq']) AS c(relation)
WHERE e.extname = 'olpe';

------------------------------------------------------------------------
-- Parameters of every JSON kind
------------------------------------------------------------------------

INSERT INTO olpe.policy (name, target) VALUES ('params', 'listings');
INSERT INTO olpe.policy_param (policy, name, value) VALUES
  ('params', 'min_size', '1000'),
  ('params', 'big', '5000000000'),
  ('params', 'huge', '100000000000000000000'),
  ('params', 'max_rate', '19.5'),
  ('params', 'country', '"DE"'),
  ('params', 'opens_by', '"2025-03-01"'),
  ('params', 'verified_only', 'true'),
  ('params', 'nothing', 'null'),
  ('params', 'banned', '["no brokers", "cash only"]'),
  ('params', 'cities', '["Berlin", "Paris"]'),
  ('params', 'desk_counts', '[5, 20]'),
  ('params', 'big_sizes', '[5000000000, 2000]'),
  ('params', 'rates', '[20, 15.5]'),
  ('params', 'flags', '[true]'),
  ('params', 'empty', '[]'),
  ('params', 'holidays', '["2025-12-25", "2026-01-01"]'),
  ('params', 'ratings', '["A", "B", null]'),
  ('params', 'shape', '{"a": 1}'),
  ('params', 'nested', '[[1, 2]]');

-- One rule per parameter kind, next to the same condition written in SQL.
CREATE TEMP TABLE param_rules (rule text, condition text, sql text);
INSERT INTO param_rules VALUES
  ('int_division', 'size_sqft / 3 > $min_size / 3', 'size_sqft / 3 > 1000 / 3'),
  ('int_compare', 'size_sqft >= $min_size', 'size_sqft >= 1000'),
  ('bigint', 'size_sqft + $big > 5000001000', 'size_sqft + 5000000000 > 5000001000'),
  ('numeric', 'price_month < $huge', 'price_month < 100000000000000000000'),
  ('numeric_rate', 'price_month / size_sqft <= $max_rate', 'price_month / size_sqft <= 19.5'),
  ('string_text', 'country = $country', $$country = 'DE'$$),
  ('string_date', 'available_from <= $opens_by', $$available_from <= date '2025-03-01'$$),
  ('string_date_math', '$opens_by - available_from > 0', $$date '2025-03-01' - available_from > 0$$),
  ('bool', 'broker_verified OR NOT $verified_only', 'broker_verified OR NOT true'),
  ('json_null', 'coalesce(energy_rating, $nothing) IS NULL', 'energy_rating IS NULL'),
  ('words', 'NOT (description contains_any_word $banned)', $$l.id <> 2$$),
  ('words_empty', 'NOT (description contains_any_word $empty)', 'true'),
  ('in_text', 'city IN $cities', $$city = ANY (ARRAY['Berlin', 'Paris'])$$),
  ('not_in_text', 'city NOT IN $cities', $$city <> ALL (ARRAY['Berlin', 'Paris'])$$),
  ('in_int', 'desks IN $desk_counts', 'desks = ANY (ARRAY[5, 20])'),
  ('in_bigint', 'size_sqft IN $big_sizes', 'size_sqft = ANY (ARRAY[5000000000, 2000])'),
  ('in_numeric', 'price_month / 1000 IN $rates', 'price_month / 1000 = ANY (ARRAY[20, 15.5])'),
  ('in_bool', 'broker_verified IN $flags', 'broker_verified = ANY (ARRAY[true])'),
  ('in_empty', 'city IN $empty', $$city = ANY ('{}'::text[])$$),
  ('not_in_empty', 'city NOT IN $empty', $$city <> ALL ('{}'::text[])$$),
  ('in_dates', 'available_from NOT IN $holidays', $$available_from <> ALL (ARRAY[date '2025-12-25', date '2026-01-01'])$$),
  ('in_null_element', 'energy_rating IN $ratings', $$energy_rating = ANY (ARRAY['A', 'B', NULL])$$),
  ('list_overlap', 'amenities && $banned', $$amenities && ARRAY['no brokers', 'cash only']$$),
  ('list_cardinality', 'cardinality($cities) = 2', 'true');
INSERT INTO olpe.rule (policy, name, condition, effect)
  SELECT 'params', rule, condition, 'warn' FROM param_rules;

SELECT p.rule, p.condition,
       string_agg(coalesce(e.passed::text, 'null'), ' ' ORDER BY l.id) AS olpe,
       string_agg(coalesce(pg_temp.sql_value(p.sql, l.id)::text, 'null'), ' ' ORDER BY l.id) AS pg
FROM listings l
CROSS JOIN LATERAL olpe.explain('params', l) e
JOIN param_rules p ON p.rule = e.rule
GROUP BY p.rule, p.condition
ORDER BY p.rule COLLATE "C";

-- A $number is typed as the literal with that text would be: 2147483647
-- is an integer, so adding 1 overflows when the rule is compiled.
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('params', 'int_max', '2147483647');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'overflow', 'size_sqft < $int_max + 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'no_overflow', 'size_sqft < $big + 1');

-- A $string is typed by its context, so "DE" cannot be an integer.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'size_sqft > $country');
\echo :LAST_ERROR_SQLSTATE

-- JSON objects and nested arrays are rejected where a rule uses them.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'city = $shape');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'desks IN $nested');
\echo :LAST_ERROR_SQLSTATE

-- IN needs a list, and the list's elements must compare with the value.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'desks IN $min_size');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'desks IN $cities');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'city IN $desk_counts');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('params', 'bad', 'description contains_any_word $desk_counts');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Validation: no invalid rule is ever stored
------------------------------------------------------------------------
\set VERBOSITY default

INSERT INTO olpe.policy (name, target) VALUES ('strict', 'listings');
INSERT INTO olpe.policy_param (policy, name, value) VALUES ('strict', 'min_size', '100');
INSERT INTO olpe.rule (policy, name, condition, applies_when, message) VALUES
  ('strict', 'size', 'size_sqft >= $min_size', 'property_type = ''office''',
   'Only {size_sqft} sqft, below {$min_size}.');

-- Each part of a rule is compiled when it is written: the CONTEXT names the
-- part, the rule and the policy.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('strict', 'bad', 'size > 10');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('strict', 'bad', 'size_sqft >');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('strict', 'bad', 'size_sqft + 1');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, applies_when)
  VALUES ('strict', 'bad', 'size_sqft > 10', 'country = 5');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, message)
  VALUES ('strict', 'bad', 'size_sqft > 10', 'Size {sqft} is too small.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, message)
  VALUES ('strict', 'bad', 'size_sqft > 10', 'Size {size_sqft is too small.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, message)
  VALUES ('strict', 'bad', 'size_sqft > 10', 'Size {size_sqft +} is too small.');
\echo :LAST_ERROR_SQLSTATE
-- A constant regular expression is compiled with the rule, so an invalid
-- pattern is rejected when the rule is written.
SELECT pg_temp.error_of($$INSERT INTO olpe.rule (policy, name, condition)
                          VALUES ('strict', 'bad', 'title ~ ''(''')$$) AS regex_rule;
SELECT pg_temp.error_of($$SELECT olpe.validate('title !~* ''a{2,1}''', 'listings')$$) AS regex_validate;
-- A disabled rule is validated too.
INSERT INTO olpe.rule (policy, name, condition, enabled) VALUES ('strict', 'bad', 'size > 10', false);
\echo :LAST_ERROR_SQLSTATE

UPDATE olpe.rule SET condition = 'size_sqft >= $min' WHERE policy = 'strict' AND name = 'size';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.rule SET applies_when = 'kind = ''office''' WHERE policy = 'strict' AND name = 'size';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.rule SET message = '{size_sqft || }' WHERE policy = 'strict' AND name = 'size';
\echo :LAST_ERROR_SQLSTATE
SELECT name, condition, applies_when, message FROM olpe.rule WHERE policy = 'strict';

-- A param change or delete that breaks a rule is rejected, and one that
-- keeps every rule valid is accepted.
UPDATE olpe.policy_param SET value = '"large"' WHERE policy = 'strict' AND name = 'min_size';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.policy_param SET value = '[100]' WHERE policy = 'strict' AND name = 'min_size';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM olpe.policy_param WHERE policy = 'strict' AND name = 'min_size';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.policy_param SET name = 'minimum' WHERE policy = 'strict' AND name = 'min_size';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.policy_param SET value = '150.5' WHERE policy = 'strict' AND name = 'min_size';
SELECT name, value FROM olpe.policy_param WHERE policy = 'strict';

-- A target change that breaks a rule is rejected: other_listings has no
-- size_sqft. Without a target every name is a document key.
CREATE TABLE other_listings (id integer, title text, property_type text);
UPDATE olpe.policy SET target = 'other_listings' WHERE name = 'strict';
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.policy SET target = NULL WHERE name = 'strict';
INSERT INTO olpe.rule (policy, name, condition) VALUES ('strict', 'any_key', 'size > 10');
UPDATE olpe.policy SET target = 'listings' WHERE name = 'strict';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM olpe.rule WHERE policy = 'strict' AND name = 'any_key';
UPDATE olpe.policy SET target = 'listings' WHERE name = 'strict';
SELECT name, target FROM olpe.policy WHERE name = 'strict';

-- Renaming a policy carries its rules and params along.
UPDATE olpe.policy SET name = 'strict renamed' WHERE name = 'strict';
SELECT policy, name FROM olpe.rule WHERE policy LIKE 'strict%';
SELECT policy, name FROM olpe.policy_param WHERE policy LIKE 'strict%';
SELECT l.id, (olpe.evaluate('strict renamed', l)).failed FROM listings l ORDER BY l.id;
SELECT olpe.evaluate('strict', l) FROM listings l;
\echo :LAST_ERROR_SQLSTATE
UPDATE olpe.policy SET name = 'strict' WHERE name = 'strict renamed';

-- olpe.validate checks an expression without storing it.
SELECT olpe.validate('size_sqft > 10', 'listings') AS with_target,
       olpe.validate('anything > 10') AS without_target,
       olpe.validate(NULL) AS null_expression;
SELECT olpe.validate('anything > 10', 'listings');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------
-- Versions: every change to a policy, its rules or its params bumps it
------------------------------------------------------------------------
\set VERBOSITY terse

INSERT INTO olpe.policy (name, target) VALUES ('versioned', 'listings');
INSERT INTO olpe.policy (name) VALUES ('bystander');
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset
SELECT version AS bystander_v FROM olpe.policy WHERE name = 'bystander' \gset

UPDATE olpe.policy SET description = 'changed' WHERE name = 'versioned';
SELECT version > :v AS policy_update_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

INSERT INTO olpe.rule (policy, name, condition) VALUES ('versioned', 'r1', 'desks > 0');
SELECT version > :v AS rule_insert_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

UPDATE olpe.rule SET condition = 'desks > 1' WHERE policy = 'versioned';
SELECT version > :v AS rule_update_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

UPDATE olpe.rule SET enabled = false WHERE policy = 'versioned';
SELECT version > :v AS rule_disable_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

INSERT INTO olpe.policy_param (policy, name, value) VALUES ('versioned', 'n', '1');
SELECT version > :v AS param_insert_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

UPDATE olpe.policy_param SET value = '2' WHERE policy = 'versioned';
SELECT version > :v AS param_update_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

DELETE FROM olpe.policy_param WHERE policy = 'versioned';
SELECT version > :v AS param_delete_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

DELETE FROM olpe.rule WHERE policy = 'versioned';
SELECT version > :v AS rule_delete_bumps FROM olpe.policy WHERE name = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset

-- Moving a rule to another policy bumps both.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('versioned', 'moving', 'true');
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset
UPDATE olpe.rule SET policy = 'bystander' WHERE policy = 'versioned' AND name = 'moving';
SELECT name, version > (CASE name WHEN 'versioned' THEN :v ELSE :bystander_v END) AS bumped
FROM olpe.policy WHERE name IN ('versioned', 'bystander') ORDER BY name;
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset
SELECT version AS bystander_v FROM olpe.policy WHERE name = 'bystander' \gset

-- A change to one policy leaves the others alone, and a rejected change
-- bumps nothing.
UPDATE olpe.rule SET condition = 'false' WHERE policy = 'bystander';
SELECT version = :v AS unchanged FROM olpe.policy WHERE name = 'versioned';
SELECT version AS bystander_v FROM olpe.policy WHERE name = 'bystander' \gset
UPDATE olpe.rule SET condition = 'nope >' WHERE policy = 'bystander';
SELECT version = :bystander_v AS unchanged FROM olpe.policy WHERE name = 'bystander';

-- A decision records the version that judged it, and so does each program
-- compiled after a change.
INSERT INTO olpe.rule (policy, name, condition) VALUES ('versioned', 'r2', 'desks > 10');
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset
SELECT l.id, d.outcome, d.failed, d.version = :v AS current_version
FROM listings l, olpe.evaluate('versioned', l) d WHERE l.id <= 3 ORDER BY l.id;
UPDATE olpe.rule SET condition = 'desks >= 5' WHERE policy = 'versioned';
SELECT version AS v FROM olpe.policy WHERE name = 'versioned' \gset
SELECT l.id, d.outcome, d.failed, d.version = :v AS current_version
FROM listings l, olpe.evaluate('versioned', l) d WHERE l.id <= 3 ORDER BY l.id;

------------------------------------------------------------------------
-- Decisions
------------------------------------------------------------------------
\set VERBOSITY default

SELECT 'allow'::olpe.outcome < 'warn' AS allow_lt_warn,
       'warn'::olpe.outcome < 'review' AS warn_lt_review,
       'review'::olpe.outcome < 'deny' AS review_lt_deny;

INSERT INTO olpe.policy (name, target, description) VALUES
  ('office', 'listings', 'rules for office listings');
INSERT INTO olpe.policy_param (policy, name, value) VALUES
  ('office', 'banned_words', '["no brokers", "cash only"]'),
  ('office', 'max_rate', '25');

-- Rules are inserted out of name order: decisions list them in name order.
INSERT INTO olpe.rule (policy, name, condition, applies_when, effect, message, enabled) VALUES
  ('office', 'f_rate', 'price_month / size_sqft <= $max_rate', NULL, 'warn',
   'Rate {round(price_month / size_sqft, 2)} is above {$max_rate}.', true),
  ('office', 'c_banned_words', 'NOT (description contains_any_word $banned_words)', NULL, 'deny',
   'Description of "{title}" uses a banned phrase.', true),
  ('office', 'a_title_length', 'length(title) BETWEEN 10 AND 120', NULL, 'deny',
   'Title has {length(title)} characters; {{10..120}} are allowed.', true),
  ('office', 'd_energy', 'energy_rating IS NOT NULL', 'country IN (''DE'', ''FR'')', 'warn',
   'Energy rating missing in {country} ({energy_rating}).', true),
  ('office', 'b_no_phone', 'description !~* ''\d{3}[-. ]\d{3}[-. ]\d{4}''', NULL, 'review',
   NULL, true),
  ('office', 'e_coworking', 'amenities @> ARRAY[''wifi''] AND desks > 0',
   'property_type = ''coworking''', 'review', 'Coworking: {{desks}} = {desks}.', true),
  ('office', 'g_disabled', 'false', NULL, 'deny', 'never shown', false);

-- Listing 1 passes every rule. Listing 2 fails rules of every effect: the
-- outcome is the most severe. Listing 3 fails a warn and a review rule.
-- Listing 4 has no title: a_title_length is unknown, which fails (closed).
SELECT l.id, d.outcome, d.failed, d.messages, d.policy
FROM listings l, olpe.evaluate('office', l) d ORDER BY l.id;

-- The outcome is the maximum effect of the failed rules.
SELECT l.id, d.outcome,
       (SELECT max(r.effect::olpe.outcome) FROM olpe.rule r
         WHERE r.policy = 'office' AND r.name = ANY (d.failed)) AS max_effect
FROM listings l, olpe.evaluate('office', l) d ORDER BY l.id;

-- allowed() is false exactly when a deny rule fails, unknown ones included.
SELECT l.id, olpe.allowed('office', l) AS allowed,
       (olpe.evaluate('office', l)).outcome <> 'deny' AS not_denied
FROM listings l ORDER BY l.id;

-- explain: one row per enabled rule, in name order, for each listing.
SELECT rule, applied, passed, effect, message, detail
FROM listings l, olpe.explain('office', l) WHERE l.id = 1;
SELECT rule, applied, passed, effect, message, detail
FROM listings l, olpe.explain('office', l) WHERE l.id = 2;
SELECT rule, applied, passed, effect, message, detail
FROM listings l, olpe.explain('office', l) WHERE l.id = 3;
SELECT rule, applied, passed, effect, message, detail
FROM listings l, olpe.explain('office', l) WHERE l.id = 4;

-- on_unknown = 'pass': an unknown rule no longer fails.
UPDATE olpe.policy SET on_unknown = 'pass' WHERE name = 'office';
SELECT d.outcome, d.failed, d.messages, olpe.allowed('office', l) AS allowed
FROM listings l, olpe.evaluate('office', l) d WHERE l.id = 4;
SELECT rule, passed, message FROM listings l, olpe.explain('office', l)
WHERE l.id = 4 AND rule = 'a_title_length';
UPDATE olpe.policy SET on_unknown = 'fail' WHERE name = 'office';

-- Enabling a rule makes it count at the next statement.
UPDATE olpe.rule SET enabled = true WHERE policy = 'office' AND name = 'g_disabled';
SELECT l.id, (olpe.evaluate('office', l)).failed FROM listings l WHERE l.id = 1;
UPDATE olpe.rule SET enabled = false WHERE policy = 'office' AND name = 'g_disabled';

-- A jsonb listing is judged as the row with the same values, with or
-- without a target table (office_doc has the same rules and no target).
INSERT INTO olpe.policy (name, on_unknown) VALUES ('office_doc', 'fail');
INSERT INTO olpe.policy_param (policy, name, value)
  SELECT 'office_doc', name, value FROM olpe.policy_param WHERE policy = 'office';
INSERT INTO olpe.rule (policy, name, condition, applies_when, effect, message, enabled)
  SELECT 'office_doc', name, condition, applies_when, effect, message, enabled
  FROM olpe.rule WHERE policy = 'office';

SELECT l.id,
       (olpe.evaluate('office', to_jsonb(l)) IS NOT DISTINCT FROM olpe.evaluate('office', l))
         AS document_with_target,
       (olpe.evaluate('office_doc', to_jsonb(l)) IS NOT DISTINCT FROM
        ROW((olpe.evaluate('office', l)).outcome, (olpe.evaluate('office', l)).failed,
            (olpe.evaluate('office', l)).messages, 'office_doc',
            (olpe.evaluate('office_doc', to_jsonb(l))).version)::olpe.decision)
         AS document_without_target,
       olpe.allowed('office_doc', to_jsonb(l)) = olpe.allowed('office', l) AS same_allowed
FROM listings l ORDER BY l.id;

SELECT d.outcome, d.failed, d.messages
FROM olpe.evaluate('office_doc', '{"title": "Short", "description": "Cash only, no brokers", "country": "FR", "property_type": "coworking", "amenities": ["wifi"], "desks": "3", "price_month": 1000, "size_sqft": 100}'::jsonb) d;
SELECT rule, applied, passed, message, detail
FROM olpe.explain('office_doc', '{"title": "A long enough title", "description": "fine", "country": "DE", "property_type": "coworking", "amenities": [], "desks": 2, "energy_rating": "A", "price_month": 3000, "size_sqft": 100}'::jsonb);

-- A missing key is NULL: under on_unknown = 'fail' it fails its rule.
SELECT d.outcome, d.failed FROM olpe.evaluate('office_doc', '{}'::jsonb) d;
SELECT olpe.allowed('office_doc', '{}'::jsonb);

-- evaluate and allowed are STRICT: a NULL listing gives NULL.
SELECT olpe.evaluate('office', NULL::listings) IS NULL AS null_row,
       olpe.allowed('office', NULL::jsonb) IS NULL AS null_document;

-- A policy without rules allows everything.
INSERT INTO olpe.policy (name) VALUES ('empty');
SELECT d.outcome, d.failed, d.messages, d.policy FROM olpe.evaluate('empty', '{}'::jsonb) d;
SELECT olpe.allowed('empty', l) FROM listings l WHERE l.id = 2;
SELECT count(*) FROM olpe.explain('empty', '{}'::jsonb);

-- Long texts stored compressed in the row and out of line in the TOAST
-- table. Four rules read the same description, and each one must see the
-- whole text however it is stored.
CREATE TABLE long_texts (id integer PRIMARY KEY, description text);
INSERT INTO long_texts VALUES
  (1, repeat('Bright corner office near the harbour. ', 200)),
  (2, repeat('Quiet desks, call +44 20 7946 0958 today. ', 200)),
  (3, (SELECT string_agg(md5(i::text), ' ') FROM generate_series(1, 300) AS i)
      || ' no brokers'),
  (4, 'short');
SELECT id, octet_length(description) AS bytes,
       pg_column_compression(description) IS NOT NULL AS compressed,
       pg_column_size(description) < 2000 AS in_row
FROM long_texts ORDER BY id;

INSERT INTO olpe.policy (name, target) VALUES ('long_texts', 'long_texts');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('long_texts', 'long_enough', 'length(description) >= 50'),
  ('long_texts', 'no_phone', $$description !~ '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}'$$),
  ('long_texts', 'no_banned', $$NOT (description contains_any_word ARRAY['no brokers', 'cash only'])$$),
  ('long_texts', 'mentions_harbour', $$lower(description) LIKE '%harbour%'$$);
SELECT l.id, d.outcome, d.failed,
       ARRAY(SELECT unnest(d.failed) ORDER BY 1) = ARRAY(SELECT r FROM (VALUES
           ('long_enough', length(l.description) < 50),
           ('no_phone', l.description ~ '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}'),
           ('no_banned', l.description ~* '\m(no brokers|cash only)\M'),
           ('mentions_harbour', lower(l.description) NOT LIKE '%harbour%')) AS v(r, f)
         WHERE f ORDER BY r) AS same_as_sql
FROM long_texts l, olpe.evaluate('long_texts', l) AS d
ORDER BY l.id;

-- The same rows through the reject trigger, copied from the table, so the
-- trigger receives the compressed and the out-of-line values.
CREATE TABLE long_texts_copy (LIKE long_texts);
CREATE TRIGGER long_texts_check BEFORE INSERT ON long_texts_copy
  FOR EACH ROW EXECUTE FUNCTION olpe.enforce('long_texts', 'reject', 'notice=off');
UPDATE olpe.policy SET target = 'long_texts_copy' WHERE name = 'long_texts';
INSERT INTO long_texts_copy SELECT * FROM long_texts WHERE id = 1;
INSERT INTO long_texts_copy SELECT * FROM long_texts WHERE id = 2;
INSERT INTO long_texts_copy SELECT * FROM long_texts WHERE id = 3;
SELECT id, octet_length(description) AS bytes FROM long_texts_copy ORDER BY id;

-- A document is judged as the row of the target table: a char(n) key drops
-- its trailing spaces and a real key is rounded to real, as the columns do
-- (to_jsonb() writes char(n) values padded). The elements of a char(n)[]
-- column keep their padding in both.
CREATE TABLE padded (id integer, code char(6), codes char(4)[], ratio real);
INSERT INTO padded VALUES
  (1, 'abc', ARRAY['ab', 'cd'], 0.1),
  (2, 'abc   ', ARRAY['ab  '], 0.5),
  (3, NULL, NULL, NULL);
INSERT INTO olpe.policy (name, target) VALUES ('padded', 'padded');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('padded', 'code', $$code = 'abc'$$),
  ('padded', 'code_length', 'length(code) = 3'),
  ('padded', 'codes', $$codes @> ARRAY['ab']$$),
  ('padded', 'ratio', 'ratio = 0.1::double precision');
SELECT p.id, to_jsonb(p) AS document,
       (olpe.evaluate('padded', p)).failed AS row_failed,
       (olpe.evaluate('padded', to_jsonb(p))).failed AS document_failed
FROM padded p ORDER BY p.id;
SELECT (olpe.evaluate('padded', '{"code": "abc  ", "codes": ["ab "], "ratio": 0.1}'::jsonb)).failed;

-- An array key given as a string is read as an array literal, as ::text[]
-- reads it. A number where an array belongs raises 22P02.
SELECT (olpe.evaluate('padded', '{"codes": "{ab,cd}"}'::jsonb)).failed;
SELECT (olpe.evaluate('padded', '{"codes": "{{ab},{cd}}"}'::jsonb)).failed;
SELECT olpe.evaluate('padded', '{"codes": 5}'::jsonb);
SELECT olpe.evaluate('padded', '{"codes": "ab"}'::jsonb);

-- A key of a column with a typmod, or of a type that rules read as another
-- one, is read through the column's own type first: numeric(5,2) rounds,
-- timestamp(0) rounds and drops a UTC offset, and values that the column
-- cannot hold raise the column's error.
CREATE TABLE typed_keys (price numeric(5,2), floors smallint, since timestamp(0), code varchar(3));
INSERT INTO olpe.policy (name, target) VALUES ('typed_keys', 'typed_keys');
INSERT INTO olpe.rule (policy, name, condition) VALUES
  ('typed_keys', 'price', 'price = 1.01'),
  ('typed_keys', 'floors', 'floors > 0'),
  ('typed_keys', 'since', $$since = '2025-01-01 10:00:01'$$),
  ('typed_keys', 'code', $$code = 'abc'$$);
SELECT doc,
       (olpe.evaluate('typed_keys', doc)).failed AS document_failed,
       (olpe.evaluate('typed_keys', jsonb_populate_record(NULL::typed_keys, doc))).failed AS row_failed
FROM (VALUES
  ('{"price": 1.005, "floors": 2, "since": "2025-01-01 10:00:00.7", "code": "abc"}'::jsonb),
  ('{"price": "1.01", "floors": "3", "since": "2025-01-01T10:00:01+05", "code": "abc"}'),
  ('{"price": 1.02, "floors": 0, "since": "2025-01-01 10:00:00", "code": "ab"}')) AS v(doc);
SELECT olpe.evaluate('typed_keys', '{"price": 1234.5}'::jsonb);
SELECT olpe.evaluate('typed_keys', '{"floors": 40000}'::jsonb);
SELECT olpe.evaluate('typed_keys', '{"code": "abcd"}'::jsonb);
