-- olpe.compliance(olpe.decision): the jsonb report, its parallel plan, GROUP
-- BY, a reporting view, and hand-built decisions.
--
-- Version numbers come from a sequence that other tests also use, so they
-- are compared with olpe.policy.version and never printed.

-- 4000 generated listings in four cities.
CREATE TABLE comp_listings (
  id                   integer PRIMARY KEY,
  city                 text NOT NULL,
  title                text,
  photo_count          integer,
  price_per_sqft_month numeric,
  energy_rating        text
);

INSERT INTO comp_listings
SELECT i,
       (ARRAY['Berlin', 'Lisbon', 'Paris', 'Warsaw'])[1 + i % 4],
       CASE WHEN i % 10 = 0 THEN 'Desk' ELSE 'Bright office near the station ' || i END,
       i % 7,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 20 + i % 30 END,
       CASE WHEN i % 6 = 0 THEN NULL ELSE (ARRAY['A', 'B', 'C', 'D'])[1 + i % 4] END
FROM generate_series(1, 4000) AS i;

ANALYZE comp_listings;

INSERT INTO olpe.policy (name, target) VALUES ('comp_quality', 'comp_listings');
INSERT INTO olpe.rule (policy, name, condition, applies_when, effect, message) VALUES
  ('comp_quality', 'has_photos', 'photo_count >= 3', NULL, 'deny',
   'only {photo_count} photos'),
  ('comp_quality', 'price_known', 'price_per_sqft_month > 0', NULL, 'deny', NULL),
  ('comp_quality', 'energy_rating', 'energy_rating IS NOT NULL',
   'city IN (''Berlin'', ''Paris'')', 'review', NULL),
  ('comp_quality', 'title_length', 'length(title) >= 10', NULL, 'warn', NULL);

-- The aggregate and its support functions, as the catalog describes them.
SELECT a.aggfnoid::regprocedure AS aggregate,
       a.aggtransfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggfinalfn,
       a.aggfinalmodify, a.aggtranstype::regtype, p.proparallel
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE a.aggfnoid = 'olpe.compliance(olpe.decision)'::regprocedure;

-- A report over six listings, written out in full.
SELECT jsonb_pretty(olpe.compliance(olpe.evaluate('comp_quality', l)) - 'versions') AS report
FROM comp_listings l
WHERE id BETWEEN 1 AND 6;

-- The same six decisions, one per row, to check the report by hand.
SELECT id, city, (d).outcome, (d).failed
FROM (SELECT id, city, olpe.evaluate('comp_quality', l) AS d
      FROM comp_listings l WHERE id BETWEEN 1 AND 6) s
ORDER BY id;

-- "versions" names the policy and the version that made the decisions.
SELECT v->>'policy' AS policy,
       (v->>'version')::bigint = p.version AS is_current_version,
       v->'count' AS count
FROM (SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
      FROM comp_listings l WHERE id BETWEEN 1 AND 6) r
CROSS JOIN LATERAL jsonb_array_elements(r.report->'versions') AS v
JOIN olpe.policy p ON p.name = v->>'policy';

-- No rows: every outcome is present with 0, there are no failures and no versions.
SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
FROM comp_listings l
WHERE false;

-- NULL decisions are skipped, as count(x) skips NULLs.
SELECT olpe.compliance(d) AS report
FROM (VALUES (NULL::olpe.decision), (NULL::olpe.decision)) AS v(d);

-- Hand-built decisions: NULL failed, policy and version count for the outcome only.
SELECT olpe.compliance(d) AS report
FROM (VALUES (ROW('deny', NULL, NULL, NULL, NULL)::olpe.decision),
             (ROW('warn', '{a,b}', '{m1,m2}', 'hand', 7)::olpe.decision),
             (ROW('warn', '{a,NULL}', '{m1,m2}', 'hand', 7)::olpe.decision),
             (ROW('allow', '{}', '{}', 'hand', 3)::olpe.decision)) AS v(d);

-- A decision without an outcome is rejected.
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END;
$$;

SELECT pg_temp.error_of($$
  SELECT olpe.compliance(ROW(NULL, '{}', '{}', 'hand', 1)::olpe.decision)
$$) AS error;

-- The report over all 4000 listings agrees with counts made by plain SQL.
CREATE TEMP TABLE comp_decisions AS
SELECT l.id, l.city, olpe.evaluate('comp_quality', l) AS d
FROM comp_listings l;

SELECT (SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) - 'versions'
          FROM comp_listings l)
       = jsonb_build_object(
           'total', (SELECT count(*) FROM comp_decisions),
           'outcomes', (SELECT jsonb_object_agg(o, (SELECT count(*) FROM comp_decisions c
                                                      WHERE (c.d).outcome = o))
                          FROM unnest(enum_range(NULL::olpe.outcome)) AS o),
           'failures', (SELECT jsonb_object_agg(rule, n)
                          FROM (SELECT rule, count(*) AS n
                                  FROM comp_decisions c, unnest((c.d).failed) AS rule
                                 GROUP BY rule) f))
       AS matches_plain_sql;

-- Parallel plans: a Partial Aggregate in each worker, combined after the Gather.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF)
SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) FROM comp_listings l;

-- Workers really ran: their partial states were serialized, sent to the
-- leader, deserialized and combined.
CREATE FUNCTION pg_temp.workers_launched(query text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
    IF line ~ 'Workers Launched: ' THEN
      RETURN substring(line FROM 'Workers Launched: (\d+)')::integer;
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;

SELECT pg_temp.workers_launched(
  'SELECT olpe.compliance(olpe.evaluate(''comp_quality'', l)) FROM comp_listings l') > 0
  AS workers_ran;

CREATE TEMP TABLE comp_parallel AS
SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
FROM comp_listings l;

EXPLAIN (COSTS OFF)
SELECT city, olpe.compliance(olpe.evaluate('comp_quality', l))
FROM comp_listings l
GROUP BY city;

CREATE TEMP TABLE comp_parallel_city AS
SELECT city, olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
FROM comp_listings l
GROUP BY city;

-- The serial plan gives exactly the same reports.
SET max_parallel_workers_per_gather = 0;

EXPLAIN (COSTS OFF)
SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) FROM comp_listings l;

SELECT s.report = p.report AS same_report, s.report - 'versions' AS report
FROM (SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
      FROM comp_listings l) s,
     comp_parallel p;

SELECT s.city, s.report = p.report AS same_report, s.report - 'versions' AS report
FROM (SELECT city, olpe.compliance(olpe.evaluate('comp_quality', l)) AS report
      FROM comp_listings l
      GROUP BY city) s
FULL JOIN comp_parallel_city p USING (city)
ORDER BY city;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Two versions of one policy: decisions keep the version that made them.
CREATE TEMP TABLE comp_before AS
SELECT olpe.evaluate('comp_quality', l) AS d
FROM comp_listings l WHERE id <= 100;

SELECT version AS old_version FROM olpe.policy WHERE name = 'comp_quality' \gset

UPDATE olpe.rule SET condition = 'photo_count >= 2'
WHERE policy = 'comp_quality' AND name = 'has_photos';

SELECT jsonb_array_length(report->'versions') AS versions,
       (report->'versions'->0->>'version')::bigint = :old_version AS first_is_old,
       (report->'versions'->1->>'version')::bigint
         = (SELECT version FROM olpe.policy WHERE name = 'comp_quality') AS second_is_current,
       report->'versions'->0->'count' AS old_count,
       report->'versions'->1->'count' AS new_count,
       report->'failures'->'has_photos' AS has_photos_failures
FROM (SELECT olpe.compliance(d) AS report
      FROM (SELECT d FROM comp_before
            UNION ALL
            SELECT olpe.evaluate('comp_quality', l) FROM comp_listings l WHERE id <= 100) u) r;

-- Two policies: versions are listed in policy name order.
SELECT olpe.copy_policy('comp_quality', 'comp_a_copy') > 0 AS copied;

SELECT array_agg(v->>'policy' ORDER BY ord) AS policies,
       array_agg(v->'count' ORDER BY ord) AS counts
FROM (SELECT olpe.compliance(d) AS report
      FROM (SELECT olpe.evaluate('comp_quality', l) AS d FROM comp_listings l WHERE id <= 10
            UNION ALL
            SELECT olpe.evaluate('comp_a_copy', l) FROM comp_listings l WHERE id <= 20) u) r
CROSS JOIN LATERAL jsonb_array_elements(r.report->'versions') WITH ORDINALITY AS x(v, ord);

DELETE FROM olpe.policy WHERE name = 'comp_a_copy';

-- As a window function: the final function does not change the state, so
-- each row gets a running report.
SELECT id, (olpe.compliance(olpe.evaluate('comp_quality', l)) OVER (ORDER BY id)) - 'versions' AS running
FROM comp_listings l
WHERE id <= 3
ORDER BY id;

-- A view for reporting tools: plain columns, plus the decision for the aggregate.
CREATE VIEW listing_compliance AS
SELECT l.id, l.city, d.outcome, d.failed, d.messages,
       (d.*)::olpe.decision AS decision
FROM comp_listings l
CROSS JOIN LATERAL olpe.evaluate('comp_quality', l) AS d;

SELECT column_name, data_type, udt_schema, udt_name
FROM information_schema.columns
WHERE table_name = 'listing_compliance'
ORDER BY ordinal_position;

SELECT id, city, outcome, failed, messages
FROM listing_compliance
WHERE city = 'Berlin' AND outcome = 'deny'
ORDER BY id
LIMIT 5;

SELECT outcome, count(*)
FROM listing_compliance
GROUP BY outcome
ORDER BY outcome;

SELECT city, count(*) FILTER (WHERE 'energy_rating' = ANY (failed)) AS energy_rating_failures
FROM listing_compliance
GROUP BY city
ORDER BY city;

SELECT city,
       report->'total' AS total,
       report->'outcomes'->'deny' AS deny,
       report->'failures'->'has_photos' AS has_photos
FROM (SELECT city, olpe.compliance(decision) AS report
      FROM listing_compliance
      GROUP BY city) r
ORDER BY city;

-- The view's report equals the report over the table.
SELECT (SELECT olpe.compliance(decision) FROM listing_compliance)
     = (SELECT olpe.compliance(olpe.evaluate('comp_quality', l)) FROM comp_listings l)
     AS same_report;

DROP VIEW listing_compliance;
