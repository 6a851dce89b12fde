-- Regular expressions with a constant pattern are compiled once and guarded
-- by prefilters (a required literal, a required run of digits). A prefilter
-- may only skip texts that cannot match, so every pattern below must give
-- exactly PostgreSQL's answer on every text.
CREATE TABLE rx_text (id int PRIMARY KEY, t text);
INSERT INTO rx_text VALUES
  (1, 'call 555-123-4567 today'),
  (2, 'call (555) 123-4567'),
  (3, '+49 30 1234 5678'),
  (4, 'no numbers here'),
  (5, 'only 12 and 34'),
  (6, 'year 2025'),
  (7, 'mail me: a.b@example.com'),
  (8, 'at sign @ alone'),
  (9, 'arabic digits ٣٤٥٦٧٨٩'),
  (10, 'fullwidth １２３４'),
  (11, 'Kelvin sign K and long s ſ'),
  (12, 'aab ac abbbc xy'),
  (13, ''),
  (14, 'ABC abc'),
  (15, 'a{2}b literal braces'),
  (16, NULL);

CREATE TABLE rx_pattern (id int PRIMARY KEY, p text);
INSERT INTO rx_pattern VALUES
  (1, '\+\d{1,3} \d{2,4} \d{3,4} \d{3,4}|\(\d{3}\) \d{3}-\d{4}|\d{3}[.-]\d{3}[.-]\d{4}'),
  (2, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'),
  (3, '\d{3}'),
  (4, '[0-9]{4}'),
  (5, '\d\d?\d'),
  (6, 'a{2}b'),
  (7, 'ab*c'),
  (8, 'x?y'),
  (9, '^\d+$'),
  (10, 'foo|\d{5}'),
  (11, '\(\d{3}\)'),
  (12, '(\d{3})-\d{4}'),
  (13, '***:\d{3}'),
  (14, 'k'),
  (15, 's'),
  (16, '@'),
  (17, '[[:digit:]]{2}'),
  (18, 'abc'),
  (19, '\D\d{2}\D'),
  (20, 'b+c');

-- Every pattern and operator against every text: olpe and PostgreSQL agree.
SELECT o.op, count(*) AS cases,
       count(*) FILTER (WHERE olpe IS NOT DISTINCT FROM pg) AS agree
  FROM rx_text x
 CROSS JOIN rx_pattern y
 CROSS JOIN (VALUES ('~'), ('~*'), ('!~'), ('!~*')) AS o(op)
 CROSS JOIN LATERAL (
   SELECT olpe.eval(format('t %s %s', o.op, '''' || replace(y.p, '''', '''''') || ''''), x) AS olpe,
          CASE o.op WHEN '~' THEN x.t ~ y.p WHEN '~*' THEN x.t ~* y.p
                    WHEN '!~' THEN x.t !~ y.p ELSE x.t !~* y.p END AS pg) r
 GROUP BY o.op
 ORDER BY o.op;

-- The rows where they would differ, if any.
SELECT o.op, y.id AS pattern, x.id AS text
  FROM rx_text x
 CROSS JOIN rx_pattern y
 CROSS JOIN (VALUES ('~'), ('~*'), ('!~'), ('!~*')) AS o(op)
 WHERE olpe.eval(format('t %s %s', o.op, '''' || replace(y.p, '''', '''''') || ''''), x) IS DISTINCT FROM
       CASE o.op WHEN '~' THEN x.t ~ y.p WHEN '~*' THEN x.t ~* y.p
                 WHEN '!~' THEN x.t !~ y.p ELSE x.t !~* y.p END;

-- An invalid constant pattern is a compile error, with its position.
SELECT olpe.validate('t ~ ''(''', 'rx_text');

DROP TABLE rx_text, rx_pattern;
