--
-- Regressions found by the differential test (test/difftest): one minimal
-- expression and row for each class of disagreement between olpe.eval and
-- PostgreSQL. Each case shows both results, as 'true', 'false', 'NULL' or
-- 'ERROR <SQLSTATE>', and whether they agree.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE TEMP TABLE listing (
  id    integer PRIMARY KEY,
  b     boolean,
  i4    integer,
  num   numeric,
  f8    double precision,
  txt   text,
  txt_c text COLLATE "C",
  d     date,
  ts    timestamptz,
  iv    interval,
  ia    integer[]
);

INSERT INTO listing VALUES
  (1, true, 0, 0, NULL, 'é', 'f', '1999-12-31', '2000-01-01 00:00:00+00', '1 day', '{1}'),
  (2, false, 0, 1e20, 1e20, 'x', 'É', '2024-02-29', NULL, '178000000 years', '{1,2}'),
  (3, NULL, -2147483648, 0, NULL, 'x', 'a', '0001-01-01', NULL, '1 day', NULL);

/* Evaluate expr over row row_id both as SQL and with olpe.eval. */
CREATE FUNCTION pg_temp.compare_row(expr text, row_id integer)
RETURNS TABLE (postgres text, olpe text, agree boolean)
LANGUAGE plpgsql
AS $$
BEGIN
  BEGIN
    EXECUTE format('SELECT coalesce((%s)::text, ''NULL'') FROM listing t WHERE id = $1', expr)
      INTO postgres USING row_id;
  EXCEPTION WHEN OTHERS THEN
    postgres := 'ERROR ' || SQLSTATE;
  END;
  BEGIN
    SELECT coalesce(olpe.eval(expr, t)::text, 'NULL') INTO olpe
      FROM listing t WHERE id = row_id;
  EXCEPTION WHEN OTHERS THEN
    olpe := 'ERROR ' || SQLSTATE;
  END;
  agree := postgres = olpe;
  RETURN NEXT;
END;
$$;

SELECT c.name, c.expr, c.row_id, r.*
  FROM (VALUES
    -- A column with collation "C" beside one with the default collation:
    -- the non-default collation wins, as in PostgreSQL, with no 42P21 error.
    ('collation_c_beats_default', 'txt_c < txt', 1),
    ('collation_c_lower', 'lower(txt_c) = ''É''', 2),

    -- A strict operator evaluates all its operands before it returns NULL,
    -- so an error in the other operand is raised (22012 here).
    ('strict_null_operand_still_raises', 'f8 >= 1 / num', 1),
    ('strict_null_after_and_still_raises', 'b AND f8 > 1 / num', 3),

    -- An array literal cast to text.
    ('array_literal_cast_to_text', 'ARRAY[]::text[]::text = ''{}''', 1),
    ('array_constructor_cast_to_text', 'ARRAY[i4]::text = ''{0}''', 1),

    -- IN resolves one common type over the left operand and the items
    -- without columns: numeric and double precision compare as double
    -- precision (1e20 equals 99999999999999999999 there), and a bare
    -- literal beside a timestamptz constant is a timestamptz.
    ('in_list_numeric_float8_common_type',
     'num NOT IN (99999999999999999999, 1e300::float8)', 2),
    ('in_list_literal_takes_common_type',
     'd IN (timestamptz ''2000-01-01 00:00+00'', ''1999-12-31 12:00:00+00'')', 1),
    ('in_list_column_item_keeps_literal_type',
     'd IN (ts, ''1999-12-31 12:00:00+00'')', 1),

    -- integer + date and interval + timestamptz are SQL functions that
    -- PostgreSQL inlines as date + integer and timestamptz + interval, so the
    -- right operand is evaluated first and its error is the one raised.
    ('int_plus_date_right_operand_first', 'i4 / i4 + txt::date IS NULL', 1),
    ('int_plus_date_overflow_order', 'abs(i4) + (d + i4) IS NULL', 3),
    ('interval_plus_timestamptz_right_first', '(iv + iv) + txt::timestamptz IS NULL', 2)
  ) AS c(name, expr, row_id),
  LATERAL pg_temp.compare_row(c.expr, c.row_id) AS r
 ORDER BY c.name;

-- A CASE without ELSE whose arms all fail yields NULL, also as an operand of
-- && (array overlap) in a query that evaluates && itself. A CASE must not
-- evaluate an ELSE arm that it does not have.
SELECT id, ia && ia AS postgres_overlap,
       olpe.eval('CASE WHEN b THEN ia END && ia', t) AS olpe,
       CASE WHEN b THEN ia END && ia AS postgres
  FROM listing t
 ORDER BY id;
