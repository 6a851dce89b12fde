-- Print one listing's outcome, its messages and its olpe.explain rows.
-- report.sql includes this file with the variables policy, target, label,
-- explain_id and explain_heading set.

SELECT format('olpe.explain for %s (id %s, outcome %s):',
              :'explain_heading', l.id, d.outcome) AS explain_title,
       '  listing:  ' || :label AS explain_listing,
       '  messages: ' || coalesce(nullif(array_to_string(d.messages, '; '), ''), '(none)')
         AS explain_messages
  FROM :target AS l
  JOIN report_decision AS d ON d.id = l.id
 WHERE l.id = :'explain_id' \gset
\echo :explain_title
\echo :explain_listing
\echo :explain_messages
SELECT e.rule,
       e.applied,
       e.passed,
       e.effect,
       pg_temp.shorten(e.detail, 80) AS detail
  FROM :target AS l
 CROSS JOIN LATERAL olpe.explain(:'policy', l) AS e
 WHERE l.id = :'explain_id';
