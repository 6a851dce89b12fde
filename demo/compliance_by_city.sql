-- Print a compliance report by city: the olpe.compliance aggregate over
-- olpe.evaluate(policy, l), grouped by city. For the 10 cities with the most
-- listings it shows the listings denied, under review and warned, and the
-- rule that fails most often in the city, or (none). A last line adds up the
-- reports of all cities.
--
-- Usage: psql -v policy=NAME -v target=SCHEMA.TABLE -v city='SQL expression'
--             -f demo/compliance_by_city.sql
--
-- city is an expression over the listing (alias l) that names its city, such
-- as l.city. Cities with equal numbers of listings are ordered by name, and so
-- are rules with equal numbers of failures.

\set ON_ERROR_STOP on
-- No command tags or \pset messages, also without psql -q.
\set QUIET on
SET client_min_messages = warning;
\pset footer off

-- One compliance report (jsonb) per city. Every listing is evaluated once.
DROP TABLE IF EXISTS pg_temp.city_report;
CREATE TEMPORARY TABLE city_report AS
SELECT :city AS city,
       olpe.compliance(olpe.evaluate(:'policy', l)) AS report
  FROM :target AS l
 GROUP BY 1;

\echo
\echo 'Compliance by city: olpe.compliance(olpe.evaluate(':'policy'', l)) ... GROUP BY city,'
\echo 'for the 10 cities with the most listings (top_failing_rule: failures of the rule in the city):'
SELECT r.city,
       (r.report->>'total')::integer AS listings,
       (r.report->'outcomes'->>'deny')::integer AS deny,
       (r.report->'outcomes'->>'review')::integer AS review,
       (r.report->'outcomes'->>'warn')::integer AS warn,
       coalesce(top.rule || ' (' || top.failures || ')', '(none)') AS top_failing_rule
  FROM city_report AS r
  LEFT JOIN LATERAL (SELECT f.key AS rule, f.value::integer AS failures
                       FROM jsonb_each(r.report->'failures') AS f
                      ORDER BY f.value::integer DESC, f.key
                      LIMIT 1) AS top ON true
 ORDER BY listings DESC, r.city
 LIMIT 10;

SELECT format('All %s cities: %s listings, %s denied, %s under review, %s warned.',
              count(*),
              sum((report->>'total')::integer),
              sum((report->'outcomes'->>'deny')::integer),
              sum((report->'outcomes'->>'review')::integer),
              sum((report->'outcomes'->>'warn')::integer)) AS city_totals
  FROM city_report \gset
\echo :city_totals
