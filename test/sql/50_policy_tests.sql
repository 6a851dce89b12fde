-- olpe.policy_test, olpe.run_tests and olpe.test_coverage: test cases kept
-- beside a policy, their results and the rule coverage.

CREATE FUNCTION pg_temp.error_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;

CREATE TABLE ptest_listings (
  id                   integer PRIMARY KEY,
  title                text,
  city                 text,
  photo_count          integer,
  price_per_sqft_month numeric,
  energy_rating        text
);

INSERT INTO olpe.policy (name, target) VALUES ('ptest_quality', 'ptest_listings');
INSERT INTO olpe.rule (policy, name, condition, applies_when, effect, message) VALUES
  ('ptest_quality', 'has_photos', 'photo_count >= 3', NULL, 'deny', 'only {photo_count} photos'),
  ('ptest_quality', 'energy_rating', 'energy_rating IS NOT NULL AND energy_rating <> ''''',
   'city IN (''Berlin'', ''Paris'')', 'review', NULL),
  ('ptest_quality', 'title_length', 'length(title) >= 10', NULL, 'warn', NULL),
  ('ptest_quality', 'sane_price', '100 / price_per_sqft_month < 10', NULL, 'deny', NULL);

-- The table is dumped by pg_dump with the policies.
SELECT 'olpe.policy_test'::regclass = ANY (extconfig) AS dumped
FROM pg_extension
WHERE extname = 'olpe';

-- A policy without tests: no rows, and a NOTICE naming every rule.
SELECT * FROM olpe.run_tests('ptest_quality');
SELECT * FROM olpe.test_coverage('ptest_quality');

-- Cases. expected_failed is compared as a set, and NULL checks the outcome only.
INSERT INTO olpe.policy_test (policy, name, listing, expected_outcome, expected_failed) VALUES
  ('ptest_quality', 'complete listing',
   '{"title": "Bright office by the river", "city": "Berlin", "photo_count": 5, "price_per_sqft_month": 25, "energy_rating": "B"}',
   'allow', '{}'),
  ('ptest_quality', 'too few photos',
   '{"title": "Bright office by the river", "city": "Lisbon", "photo_count": 1, "price_per_sqft_month": 25}',
   'deny', '{has_photos}'),
  ('ptest_quality', 'energy rating missing in Paris',
   '{"title": "Short", "city": "Paris", "photo_count": 4, "price_per_sqft_month": 25}',
   'review', '{title_length,energy_rating}'),
  ('ptest_quality', 'price unknown',
   '{"title": "Bright office by the river", "city": "Lisbon", "photo_count": 4}',
   'deny', NULL);

SELECT * FROM olpe.run_tests('ptest_quality');
SELECT * FROM olpe.test_coverage('ptest_quality');

-- Failing cases: a wrong outcome, a wrong set of failed rules, and two
-- listings whose evaluation raises an error.
INSERT INTO olpe.policy_test (policy, name, listing, expected_outcome, expected_failed) VALUES
  ('ptest_quality', 'wrong outcome',
   '{"title": "Tiny", "city": "Lisbon", "photo_count": 4, "price_per_sqft_month": 25}',
   'allow', NULL),
  ('ptest_quality', 'wrong failed rules',
   '{"title": "Tiny", "city": "Lisbon", "photo_count": 1, "price_per_sqft_month": 25}',
   'deny', '{has_photos}'),
  ('ptest_quality', 'zero price',
   '{"title": "Bright office by the river", "city": "Lisbon", "photo_count": 4, "price_per_sqft_month": 0}',
   'deny', NULL),
  ('ptest_quality', 'photo count is text',
   '{"title": "Bright office by the river", "city": "Lisbon", "photo_count": "many", "price_per_sqft_month": 25}',
   'deny', NULL);

SELECT * FROM olpe.run_tests('ptest_quality');

-- Errors count for no rule in the coverage.
SELECT * FROM olpe.test_coverage('ptest_quality');

DELETE FROM olpe.policy_test
WHERE policy = 'ptest_quality'
  AND name IN ('wrong outcome', 'wrong failed rules', 'zero price', 'photo count is text');

-- Two more cases cover every rule, and the NOTICE has no DETAIL.
INSERT INTO olpe.policy_test (policy, name, listing, expected_outcome, expected_failed) VALUES
  ('ptest_quality', 'price too low',
   '{"title": "Bright office by the river", "city": "Lisbon", "photo_count": 4, "price_per_sqft_month": 5}',
   'deny', '{sane_price}'),
  ('ptest_quality', 'energy rating present in Paris',
   '{"title": "Bright office by the river", "city": "Paris", "photo_count": 4, "price_per_sqft_month": 25, "energy_rating": "A"}',
   'allow', '{}');

SELECT name, passed FROM olpe.run_tests('ptest_quality');
SELECT * FROM olpe.test_coverage('ptest_quality');

-- A disabled rule is not evaluated, so it has no coverage row.
UPDATE olpe.rule SET enabled = false WHERE policy = 'ptest_quality' AND name = 'title_length';
SELECT rule FROM olpe.test_coverage('ptest_quality');
SELECT name, passed, actual_failed FROM olpe.run_tests('ptest_quality')
WHERE name = 'energy rating missing in Paris';
UPDATE olpe.rule SET enabled = true WHERE policy = 'ptest_quality' AND name = 'title_length';

-- A policy without a target reads each key as the type that its rule needs.
INSERT INTO olpe.policy (name) VALUES ('ptest_untyped');
INSERT INTO olpe.rule (policy, name, condition, effect) VALUES
  ('ptest_untyped', 'has_photos', 'photo_count >= 3', 'deny');
INSERT INTO olpe.policy_test (policy, name, listing, expected_outcome, expected_failed) VALUES
  ('ptest_untyped', 'number', '{"photo_count": 4}', 'allow', '{}'),
  ('ptest_untyped', 'missing', '{}', 'deny', '{has_photos}');
SELECT * FROM olpe.run_tests('ptest_untyped');
SELECT * FROM olpe.test_coverage('ptest_untyped');

-- Every policy's failing cases in one query, as a CI job would run them.
-- The sorted subquery fixes the order of the NOTICEs: other tests update
-- olpe.policy at the same time, so its rows move on the heap.
SELECT p.name AS policy, t.name AS test, t.passed
FROM (SELECT name FROM olpe.policy WHERE name LIKE 'ptest%' ORDER BY name) AS p
CROSS JOIN LATERAL olpe.run_tests(p.name) AS t
ORDER BY 1, 2;

-- Invalid cases are rejected when written.
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_none', 'x', '{}', 'allow', NULL)
$$) AS unknown_policy;
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_quality', 'x', '[1, 2]', 'allow', NULL)
$$) AS listing_not_object;
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_quality', 'x', '{}', 'allow', '{has_photos,NULL}')
$$) AS null_rule_name;
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_quality', '', '{}', 'allow', NULL)
$$) AS empty_name;
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_quality', 'x', '{}', 'fine', NULL)
$$) AS unknown_outcome;
SELECT pg_temp.error_of($$
  INSERT INTO olpe.policy_test VALUES ('ptest_quality', 'complete listing', '{}', 'allow', NULL)
$$) AS duplicate_name;

-- Errors of the functions.
SELECT pg_temp.error_of($$SELECT * FROM olpe.run_tests('ptest_none')$$) AS run_unknown;
SELECT pg_temp.error_of($$SELECT * FROM olpe.run_tests(NULL)$$) AS run_null;
SELECT pg_temp.error_of($$SELECT * FROM olpe.test_coverage('ptest_none')$$) AS coverage_unknown;
SELECT pg_temp.error_of($$SELECT * FROM olpe.test_coverage(NULL)$$) AS coverage_null;

-- How the functions are marked: subtransactions per case keep them out of
-- parallel workers.
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel
FROM pg_proc p
WHERE p.oid IN ('olpe.run_tests(text)'::regprocedure,
                'olpe.test_coverage(text)'::regprocedure)
ORDER BY 1::text;

-- Cases follow their policy: renamed with it, copied with it, deleted with it.
UPDATE olpe.policy SET name = 'ptest_renamed' WHERE name = 'ptest_untyped';
SELECT policy, name FROM olpe.policy_test WHERE policy LIKE 'ptest_%' AND policy <> 'ptest_quality'
ORDER BY 1, 2;
SELECT olpe.copy_policy('ptest_renamed', 'ptest_copy') > 0 AS copied;
SELECT name, passed FROM olpe.run_tests('ptest_copy');
DELETE FROM olpe.policy WHERE name IN ('ptest_renamed', 'ptest_copy');
SELECT count(*) AS left_behind FROM olpe.policy_test
WHERE policy IN ('ptest_untyped', 'ptest_renamed', 'ptest_copy');
