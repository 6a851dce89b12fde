-- Print a report of one policy over one listing table: the rules, the
-- listings per outcome, the rules that fail most often, and olpe.explain for
-- a denied listing, a listing under review (or warned) and an allowed one.
--
-- Usage: psql -v policy=NAME -v target=SCHEMA.TABLE -v label='SQL expression'
--             -f demo/report.sql
--
-- The target table needs an id column. label is an expression over the
-- listing (alias l) that identifies it to a reader, such as l.title.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
\pset footer off

-- Text cut to a maximum length, with an ellipsis where it was cut.
CREATE OR REPLACE FUNCTION pg_temp.shorten(value text, max_length integer) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN length(value) > max_length THEN left(value, max_length - 1) || '…'
            ELSE value END;

\echo
\echo '================================================================'
\echo 'Policy' :policy 'on' :target
\echo '================================================================'

SELECT description, version
  FROM olpe.policy
 WHERE name = :'policy';

\echo 'Rules (condition must hold; applies_when limits a rule to some listings):'
SELECT name AS rule,
       effect,
       pg_temp.shorten(regexp_replace(condition, '\s+', ' ', 'g'), 60) AS condition,
       pg_temp.shorten(regexp_replace(applies_when, '\s+', ' ', 'g'), 32) AS applies_when
  FROM olpe.rule
 WHERE policy = :'policy'
 ORDER BY CASE effect WHEN 'deny' THEN 1 WHEN 'review' THEN 2 ELSE 3 END, name;

-- Evaluate every listing once. The sections below read these decisions.
DROP TABLE IF EXISTS pg_temp.report_decision;
SELECT clock_timestamp() AS evaluation_start \gset
CREATE TEMPORARY TABLE report_decision AS
SELECT l.id, (olpe.evaluate(:'policy', l)).*
  FROM :target AS l;
SELECT count(*) AS evaluated,
       round(extract(epoch FROM clock_timestamp() - :'evaluation_start'::timestamptz) * 1000)
         AS evaluation_ms
  FROM report_decision \gset
\echo 'Evaluated' :evaluated 'listings in' :evaluation_ms 'ms.'
\echo
\echo 'Listings per outcome:'
SELECT o.outcome,
       count(d.id) AS listings,
       round(100.0 * count(d.id) / nullif(:evaluated, 0), 1) AS percent
  FROM unnest(enum_range(NULL::olpe.outcome)) AS o (outcome)
  LEFT JOIN report_decision AS d ON d.outcome = o.outcome
 GROUP BY o.outcome
 ORDER BY o.outcome;

\echo 'Listings failing each rule, most frequent first (a listing can fail several):'
SELECT r.name AS rule,
       r.effect,
       count(f.rule) AS listings,
       round(100.0 * count(f.rule) / nullif(:evaluated, 0), 1) AS percent,
       pg_temp.shorten((array_agg(f.message ORDER BY d.id) FILTER (WHERE f.rule IS NOT NULL))[1], 64)
         AS first_message
  FROM olpe.rule AS r
  LEFT JOIN (report_decision AS d
             CROSS JOIN LATERAL unnest(d.failed, d.messages) AS f (rule, message))
         ON f.rule = r.name
 WHERE r.policy = :'policy'
 GROUP BY r.name, r.effect
 ORDER BY count(f.rule) DESC, r.name;

-- Pick the denied listing with the most failed rules, the first listing under
-- review (or warned, when none is under review), and the first allowed one.
-- Each variable stays unset when no listing qualifies.
SELECT (array_agg(id ORDER BY cardinality(failed) DESC, id)
          FILTER (WHERE outcome = 'deny'))[1] AS denied_id,
       coalesce(min(id) FILTER (WHERE outcome = 'review'),
                min(id) FILTER (WHERE outcome = 'warn')) AS flagged_id,
       min(id) FILTER (WHERE outcome = 'allow') AS allowed_id
  FROM report_decision \gset

\if :{?denied_id}
  \set explain_id :denied_id
  \set explain_heading 'a denied listing'
  \ir explain_listing.sql
\endif
\if :{?flagged_id}
  \set explain_id :flagged_id
  \set explain_heading 'a listing under review or warned'
  \ir explain_listing.sql
\endif
\if :{?allowed_id}
  \set explain_id :allowed_id
  \set explain_heading 'an allowed listing'
  \ir explain_listing.sql
\endif
\unset denied_id
\unset flagged_id
\unset allowed_id
