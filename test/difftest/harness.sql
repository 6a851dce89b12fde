/*
 * harness.sql: functions that compare olpe.eval with PostgreSQL itself.
 *
 * Load after fixture.sql. For each expression in difftest.expr, every row of
 * difftest.t is evaluated twice: once as the SQL expression "SELECT (expr)
 * FROM difftest.t t" and once as olpe.eval(expr, t). Results are compared as
 * text: 'true', 'false', 'NULL', or 'ERROR <SQLSTATE>: <message>' when the
 * evaluation raised, and errors agree when their SQLSTATEs do. An expression
 * passes when all rows agree.
 *
 * The engine argument names the second side: 'olpe' (olpe.eval), or 'pg' to
 * compare PostgreSQL with itself, which tests the harness and the generator
 * without olpe.
 */

SET client_min_messages = warning;

CREATE TABLE difftest.expr (
  n    integer PRIMARY KEY,
  expr text NOT NULL
);

CREATE TABLE difftest.mismatch (
  n    integer NOT NULL,
  expr text NOT NULL,
  id   integer NOT NULL,
  pg   text NOT NULL,
  olpe text NOT NULL
);

/* One row per checked expression: how its rows came out in PostgreSQL. */
CREATE TABLE difftest.outcome (
  n          integer PRIMARY KEY,
  passed     boolean NOT NULL,
  rows_true  integer NOT NULL,
  rows_false integer NOT NULL,
  rows_null  integer NOT NULL,
  rows_error integer NOT NULL
);

/* The SQL for one side: the expression itself, or olpe.eval of its text. */
CREATE FUNCTION difftest.side_sql(expr text, engine text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
  IF engine = 'pg' THEN
    RETURN format('(%s)', expr);
  ELSIF engine = 'olpe' THEN
    RETURN format('olpe.eval(%L, t)', expr);
  END IF;
  RAISE EXCEPTION 'invalid engine "%"', engine
    USING HINT = 'Use ''pg'' or ''olpe''.';
END;
$$;

/* The part of a result that must agree: the value, or the SQLSTATE of an error. */
CREATE FUNCTION difftest.result_key(result text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
  SELECT CASE WHEN result LIKE 'ERROR %' THEN left(result, 11) ELSE result END
$$;

/*
 * Evaluate one side over every row, in id order, as 'true', 'false', 'NULL'
 * or 'ERROR <SQLSTATE>: <message>'. The whole table is tried in one statement
 * first. When that raises, each row is evaluated alone, so that one failing
 * row does not hide the others.
 */
CREATE FUNCTION difftest.eval_side(expr text, engine text)
RETURNS text[]
LANGUAGE plpgsql
AS $$
DECLARE
  side   text := difftest.side_sql(expr, engine);
  result text[];
  value  text;
  row_id integer;
BEGIN
  BEGIN
    EXECUTE format(
      'SELECT array_agg(coalesce(v::text, ''NULL'') ORDER BY id)
         FROM (SELECT id, %s AS v FROM difftest.t t OFFSET 0) s', side)
      INTO result;
    RETURN result;
  EXCEPTION WHEN OTHERS THEN
    result := '{}';
  END;

  FOR row_id IN SELECT id FROM difftest.t ORDER BY id LOOP
    BEGIN
      EXECUTE format('SELECT coalesce((%s)::text, ''NULL'') FROM difftest.t t WHERE id = $1',
                     side)
        INTO value USING row_id;
    EXCEPTION WHEN OTHERS THEN
      value := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
    END;
    result := result || value;
  END LOOP;
  RETURN result;
END;
$$;

/*
 * Check expression n: record its outcome and any mismatching rows, and
 * return whether it passed.
 */
CREATE FUNCTION difftest.check_expr(p_n integer, p_expr text, engine text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  pg_side    text := difftest.side_sql(p_expr, 'pg');
  other_side text := difftest.side_sql(p_expr, engine);
  differing  integer;
  n_true     integer;
  n_false    integer;
  n_null     integer;
  n_error    integer := 0;
  ids        integer[];
  pg_vals    text[];
  other_vals text[];
  failed     boolean := false;
BEGIN
  -- Fast path: both sides in one statement, when neither raises.
  BEGIN
    EXECUTE format(
      'SELECT count(*) FILTER (WHERE a IS DISTINCT FROM b),
              count(*) FILTER (WHERE a), count(*) FILTER (WHERE NOT a),
              count(*) FILTER (WHERE a IS NULL)
         FROM (SELECT %s AS a, %s AS b FROM difftest.t t OFFSET 0) s',
      pg_side, other_side)
      INTO differing, n_true, n_false, n_null;
    IF differing = 0 THEN
      INSERT INTO difftest.outcome VALUES (p_n, true, n_true, n_false, n_null, 0);
      RETURN true;
    END IF;
  EXCEPTION WHEN OTHERS THEN
    NULL;  -- one side raised: compare row by row below
  END;

  SELECT array_agg(id ORDER BY id) INTO ids FROM difftest.t;
  pg_vals := difftest.eval_side(p_expr, 'pg');
  other_vals := difftest.eval_side(p_expr, engine);

  n_true := 0;
  n_false := 0;
  n_null := 0;
  FOR i IN 1 .. array_length(ids, 1) LOOP
    CASE
      WHEN pg_vals[i] = 'true' THEN n_true := n_true + 1;
      WHEN pg_vals[i] = 'false' THEN n_false := n_false + 1;
      WHEN pg_vals[i] = 'NULL' THEN n_null := n_null + 1;
      ELSE n_error := n_error + 1;
    END CASE;
    IF difftest.result_key(pg_vals[i]) IS DISTINCT FROM difftest.result_key(other_vals[i]) THEN
      failed := true;
      INSERT INTO difftest.mismatch
        VALUES (p_n, p_expr, ids[i], coalesce(pg_vals[i], 'missing'),
                coalesce(other_vals[i], 'missing'));
    END IF;
  END LOOP;

  INSERT INTO difftest.outcome VALUES (p_n, NOT failed, n_true, n_false, n_null, n_error);
  RETURN NOT failed;
END;
$$;

/* Check expressions first..last of difftest.expr; return how many failed. */
CREATE FUNCTION difftest.run(first integer, last integer, engine text DEFAULT 'olpe')
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  e      record;
  failed integer := 0;
BEGIN
  FOR e IN SELECT n, expr FROM difftest.expr WHERE n BETWEEN first AND last ORDER BY n LOOP
    IF NOT difftest.check_expr(e.n, e.expr, engine) THEN
      failed := failed + 1;
    END IF;
  END LOOP;
  RETURN failed;
END;
$$;

/*
 * Parse, type-check and plan each expression without running it, and return
 * those that PostgreSQL rejects. The generator must produce valid expressions,
 * so any row here is a generator bug.
 */
CREATE FUNCTION difftest.invalid_expressions()
RETURNS TABLE (n integer, expr text, error_code text, message text)
LANGUAGE plpgsql
AS $$
DECLARE
  e record;
BEGIN
  FOR e IN SELECT x.n, x.expr FROM difftest.expr x ORDER BY x.n LOOP
    BEGIN
      EXECUTE format('SELECT (%s) IS TRUE FROM difftest.t t LIMIT 0', e.expr);
    EXCEPTION WHEN OTHERS THEN
      n := e.n;
      expr := e.expr;
      error_code := SQLSTATE;
      message := SQLERRM;
      RETURN NEXT;
    END;
  END LOOP;
END;
$$;
