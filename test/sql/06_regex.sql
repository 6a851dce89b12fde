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
  (16, NULL),
  (17, 'dial +7 now, or 1234'),
  (18, 'x@y and 12'),
  (19, 'café ab 98765 ünï');

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
  (20, 'b+c'),
  (21, '@y|\d{4}'),
  (22, '\+\d|x@'),
  (23, 'ab|'),
  (24, '|\d'),
  (25, 'AB|\d{5}'),
  (26, 'K|\d{3}'),
  (27, 'é a|b\d{6}'),
  (28, 'now|\d{9}|@y');

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

-- Generated patterns: pieces with brackets, escapes, ranges, quantifiers,
-- letters under ~* and non-ASCII characters, joined at random, against
-- generated texts. Patterns that PostgreSQL rejects are left out.
SELECT setseed(0.25);
CREATE FUNCTION pg_temp.valid_pattern(p text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM '' ~ p;
  RETURN true;
EXCEPTION WHEN invalid_regular_expression THEN
  RETURN false;
END $$;
CREATE TABLE rx_gen_pattern AS
SELECT g AS id, p
  FROM generate_series(1, 400) g,
       LATERAL (SELECT string_agg((ARRAY['\d', '\d{2}', '\d{1,3}', '[0-9]', '[.-]', '[A-Za-z]',
                  '[a-c]', '[^a]', '.', '@', 'a', 'B', 'é', 'x+', 'y*', 'z?', '\.', '\+', '\(',
                  ' ', '-', '[[:digit:]]', '[[:alpha:]]', '\w', '\s', '|', '^', '$', '{2}', '+',
                  '[\d.]', '[-+]', '[]a]', 'k', 'ſ', 'ab', '\m', '\M', '[é-]', '{1,}', '[+-/]',
                  '\d+', '[[:digit:]x]', '\D'])[1 + floor(random() * 44)::int], '')
                  AS p
               FROM generate_series(1, 1 + (g % 6)) WHERE g > 0) x
 WHERE pg_temp.valid_pattern(p);
CREATE TABLE rx_gen_text AS
SELECT g AS id, t
  FROM generate_series(1, 40) g,
       LATERAL (SELECT string_agg((ARRAY['abc', '123', '4567', '+', '@', '.', '-', '(', ')',
                  ' ', 'é', 'K', 'k', 'ſ', 'x', 'B', '٣', 'ü', 'y', 'z', '9.8-7', 'a@b.c',
                  '(555) 123-4567', '+49 30 1234 5678', 'ab', ']'])[1 + floor(random() * 26)::int], '')
                  AS t
               FROM generate_series(1, 1 + (g % 9)) WHERE g > 0) x;
SELECT count(*) AS patterns FROM rx_gen_pattern;

SELECT o.op, count(*) AS cases,
       count(*) FILTER (WHERE olpe IS NOT DISTINCT FROM pg) AS agree
  FROM rx_gen_pattern y
 CROSS JOIN rx_gen_text x
 CROSS JOIN (VALUES ('~'), ('~*'), ('!~'), ('!~*')) AS o(op)
 CROSS JOIN LATERAL (
   SELECT olpe.eval(format('t %s %s', o.op, '''' || replace(y.p, '''', '''''') || ''''), x) AS olpe,
          CASE o.op WHEN '~' THEN x.t ~ y.p WHEN '~*' THEN x.t ~* y.p
                    WHEN '!~' THEN x.t !~ y.p ELSE x.t !~* y.p END AS pg) r
 GROUP BY o.op
 ORDER BY o.op;

-- Matches found, so that a prefilter rejecting everything would show.
SELECT count(*) FILTER (WHERE x.t ~ y.p) AS matches,
       count(*) FILTER (WHERE x.t ~* y.p) AS matches_ignoring_case
  FROM rx_gen_pattern y CROSS JOIN rx_gen_text x;

-- The cases where they would differ, if any.
SELECT o.op, y.p AS pattern, x.t AS text
  FROM rx_gen_pattern y
 CROSS JOIN rx_gen_text x
 CROSS JOIN (VALUES ('~'), ('~*'), ('!~'), ('!~*')) AS o(op)
 WHERE olpe.eval(format('t %s %s', o.op, '''' || replace(y.p, '''', '''''') || ''''), x) IS DISTINCT FROM
       CASE o.op WHEN '~' THEN x.t ~ y.p WHEN '~*' THEN x.t ~* y.p
                 WHEN '!~' THEN x.t !~ y.p ELSE x.t !~* y.p END
 ORDER BY 1, 2, 3
 LIMIT 20;

-- An invalid constant pattern is a compile error, with its position.
SELECT olpe.validate('t ~ ''(''', 'rx_text');

DROP TABLE rx_text, rx_pattern, rx_gen_pattern, rx_gen_text;
