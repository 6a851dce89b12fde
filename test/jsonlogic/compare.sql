-- Compare olpe.jsonlogic_apply with the expected results of the JsonLogic
-- conformance suites. run.sh loads, before this script:
--   suite_file(file, body)   each suite file as jsonb, parsed by PostgreSQL
--                            from the original text
--   oracle_line(line)        the JSON lines written by oracle.js, and by
--                            generate.js, whose lines carry their own rule
--                            and data
-- and sets :max_failures. The output is unaligned: failure rows first, then
-- one "summary|suite|passed|failed" row per suite.

SET client_min_messages = warning;

CREATE TEMP TABLE suite_case AS
SELECT f.file,
       c.ordinal,
       CASE WHEN f.file = 'tests.json' THEN c.item -> 0 ELSE c.item -> 'rule' END AS rule,
       -- a compat case without "data" runs on null, as oracle.js does
       CASE WHEN f.file = 'tests.json' THEN c.item -> 1
            ELSE coalesce(c.item -> 'data', 'null') END AS data,
       CASE WHEN f.file = 'tests.json' THEN c.item -> 2 END AS suite_expected,
       c.item ->> 'description' AS description
FROM suite_file f,
     jsonb_array_elements(f.body) WITH ORDINALITY AS c(item, ordinal)
WHERE jsonb_typeof(c.item) <> 'string'
UNION ALL
SELECT l.line::jsonb ->> 'file', (l.line::jsonb ->> 'ordinal')::bigint,
       l.line::jsonb -> 'rule', l.line::jsonb -> 'data', NULL, NULL
FROM oracle_line l
WHERE l.line::jsonb ? 'rule';

CREATE TEMP TABLE oracle AS
SELECT l.line::jsonb ->> 'file' AS file,
       (l.line::jsonb ->> 'ordinal')::bigint AS ordinal,
       l.line::jsonb -> 'result' AS result,
       l.line::jsonb ->> 'error' AS error
FROM oracle_line l;

CREATE FUNCTION pg_temp.try_apply(rule jsonb, data jsonb,
                                  OUT result jsonb, OUT error text)
LANGUAGE plpgsql AS $$
BEGIN
  result := olpe.jsonlogic_apply(rule, data);
EXCEPTION WHEN OTHERS THEN
  error := SQLSTATE || ' ' || SQLERRM;
END
$$;

CREATE TEMP TABLE outcome AS
SELECT c.file, c.ordinal, c.description, c.rule, c.data, c.suite_expected,
       o.result AS oracle_result, o.error AS oracle_error,
       (o.file IS NOT NULL) AS has_oracle,
       r.result AS olpe_result, r.error AS olpe_error
FROM suite_case c
LEFT JOIN oracle o USING (file, ordinal)
CROSS JOIN LATERAL pg_temp.try_apply(c.rule, c.data) r;

-- tests.json is judged by its own expected values, every other suite by
-- json-logic-js: the same value (jsonb equality compares numbers by
-- value), or an error on both sides. olpe words "Unrecognized operation"
-- as json-logic-js does, so that message must match too.
ALTER TABLE outcome ADD COLUMN passed boolean;
UPDATE outcome SET passed = CASE
  WHEN file = 'tests.json' THEN olpe_error IS NULL AND olpe_result = suite_expected
  WHEN NOT has_oracle THEN false
  WHEN oracle_error LIKE 'Unrecognized operation %' THEN olpe_error = '42883 ' || oracle_error
  WHEN oracle_error IS NOT NULL THEN olpe_error IS NOT NULL
  ELSE olpe_error IS NULL AND olpe_result = oracle_result
END;

-- oracle lines without a case mean that the files changed between the runs
INSERT INTO outcome (file, ordinal, description, passed)
SELECT o.file, o.ordinal, 'oracle line without a case', false
FROM oracle o
WHERE NOT EXISTS (SELECT FROM suite_case c WHERE c.file = o.file AND c.ordinal = o.ordinal);

SELECT 'FAILED', file || '#' || ordinal, coalesce(description, ''),
       'rule=' || coalesce(rule::text, '?'),
       'data=' || coalesce(data::text, '?'),
       'expected=' || CASE
         WHEN file = 'tests.json' THEN suite_expected::text
         WHEN NOT has_oracle THEN '(no oracle result)'
         WHEN oracle_error IS NOT NULL THEN 'error: ' || oracle_error
         ELSE oracle_result::text END,
       'olpe=' || coalesce(olpe_result::text, 'error: ' || olpe_error)
FROM outcome
WHERE NOT passed
ORDER BY file, ordinal
LIMIT :max_failures;

SELECT 'summary', suite, count(*) FILTER (WHERE passed), count(*) FILTER (WHERE NOT passed)
FROM (SELECT CASE WHEN file = 'tests.json' THEN 1 WHEN file = 'generated' THEN 3 ELSE 2 END AS position,
             CASE WHEN file = 'tests.json' THEN 'jsonlogic.com tests.json'
                  WHEN file = 'generated' THEN 'generated rules (json-logic-js oracle)'
                  ELSE 'compat-tables (json-logic-js oracle)' END AS suite,
             passed
      FROM outcome) o
GROUP BY position, suite
ORDER BY position;

-- the cases where json-logic-js raised an error, for the report
SELECT 'errors', count(*) FILTER (WHERE oracle_error IS NOT NULL),
       count(*) FILTER (WHERE oracle_error IS NOT NULL AND NOT passed)
FROM outcome;
