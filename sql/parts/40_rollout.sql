/* sql/parts/40_rollout.sql: copying policies and comparing them over a table (olpe 1.0) */

-- Copy a policy

/*
 * Copies every column of olpe.policy except name, version and the
 * timestamps, and every column of olpe.policy_param, olpe.rule and
 * olpe.policy_test except policy, so columns that later versions add are
 * copied too. Params go first, because the rule trigger compiles each rule
 * against the policy's params. The policy_test rows are copied when that
 * table exists (sql/parts/50_policy_tests.sql).
 */
CREATE FUNCTION olpe.copy_policy(source text, target text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  policy_columns text;
  member_columns text;
  member_table regclass;
  new_version bigint;
BEGIN
  IF source IS NULL OR target IS NULL THEN
    RAISE EXCEPTION 'source and target policy names must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;

  /*
   * Lock the source row: every change to a policy's rules or params updates
   * this row, so until commit no such change can commit and each statement
   * below reads the same state of the source.
   */
  PERFORM 1 FROM olpe.policy p WHERE p.name = copy_policy.source FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'policy "%" does not exist', source
      USING ERRCODE = 'undefined_object',
            HINT = 'Policies are rows of olpe.policy.';
  END IF;

  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
    INTO policy_columns
    FROM pg_attribute a
   WHERE a.attrelid = 'olpe.policy'::regclass
     AND a.attnum > 0 AND NOT a.attisdropped
     AND a.attname NOT IN ('name', 'version', 'created_at', 'updated_at');

  BEGIN
    EXECUTE format('INSERT INTO olpe.policy (name, %1$s) SELECT $2, %1$s FROM olpe.policy WHERE name = $1',
                   policy_columns)
      USING source, target;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'policy "%" already exists', target
      USING ERRCODE = 'duplicate_object',
            HINT = 'Choose another name, or delete the existing policy first.';
  END;

  FOREACH member_table IN ARRAY ARRAY['olpe.policy_param', 'olpe.rule',
                                      to_regclass('olpe.policy_test')]::regclass[]
  LOOP
    CONTINUE WHEN member_table IS NULL;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
      INTO member_columns
      FROM pg_attribute a
     WHERE a.attrelid = member_table
       AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname <> 'policy';
    EXECUTE format('INSERT INTO %2$s (policy, %1$s) SELECT $2, %1$s FROM %2$s WHERE policy = $1',
                   member_columns, member_table)
      USING source, target;
  END LOOP;

  SELECT p.version INTO new_version FROM olpe.policy p WHERE p.name = copy_policy.target;
  RETURN new_version;
END;
$$;

COMMENT ON FUNCTION olpe.copy_policy(text, text) IS
  'copy a policy with its params, rules and tests under a new name; returns the version of the copy';

-- Compare two policies over a table

/*
 * One scan of the table: both decisions are computed per row in LATERAL
 * function calls, each exactly once, and the filter runs next to the scan.
 * Every function in the query is PARALLEL SAFE, so the planner may run the
 * scan, both evaluations and the filter in parallel workers, and only the
 * rows that differ reach the leader. RETURN QUERY stores them in a
 * tuplestore, which spills to a temporary file beyond work_mem.
 *
 * PARALLEL RESTRICTED keeps this function in the leader process, because
 * a query run inside a parallel worker cannot start workers of its own.
 */
CREATE FUNCTION olpe.diff(policy_a text, policy_b text, listings regclass)
RETURNS TABLE (listing jsonb, decision_a olpe.decision, decision_b olpe.decision)
LANGUAGE plpgsql
STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  missing text;
  kind "char";
BEGIN
  IF policy_a IS NULL OR policy_b IS NULL OR listings IS NULL THEN
    RAISE EXCEPTION 'policy names and listings table must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;

  /* check both policies first, so that an empty table raises the same error */
  SELECT n.name INTO missing
    FROM unnest(ARRAY[policy_a, policy_b]) WITH ORDINALITY AS n(name, i)
   WHERE NOT EXISTS (SELECT 1 FROM olpe.policy p WHERE p.name = n.name)
   ORDER BY n.i
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'policy "%" does not exist', missing
      USING ERRCODE = 'undefined_object',
            HINT = 'Policies are rows of olpe.policy.';
  END IF;

  SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = listings;
  IF kind IS NULL OR kind NOT IN ('r', 'p', 'v', 'm', 'f') THEN
    RAISE EXCEPTION '"%" is not a table, view, materialized view or foreign table', listings
      USING ERRCODE = 'wrong_object_type',
            HINT = 'Pass the table that holds the listings, as in olpe.diff(''a'', ''b'', ''listings'').';
  END IF;

  RETURN QUERY EXECUTE olpe.diff_query(policy_a, policy_b, listings);
END;
$$;

COMMENT ON FUNCTION olpe.diff(text, text, regclass) IS
  'listings of a table whose outcome or failed rules differ between two policies, with both decisions';

/*
 * The query olpe.diff runs, with the policy names as literals, so that its
 * plan can be shown with EXPLAIN. The listing and the decisions are written
 * as l.*, a.* and b.*, because a bare l, a or b would name a column of the
 * listings table that has that name.
 */
CREATE FUNCTION olpe.diff_query(policy_a text, policy_b text, listings regclass)
RETURNS text
LANGUAGE sql
STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT format(
    'SELECT to_jsonb(l.*) AS listing, '
    '(a.*)::olpe.decision AS decision_a, (b.*)::olpe.decision AS decision_b '
    'FROM %1$s AS l '
    'CROSS JOIN LATERAL olpe.evaluate(%2$L::text, l.*) AS a '
    'CROSS JOIN LATERAL olpe.evaluate(%3$L::text, l.*) AS b '
    'WHERE (a.outcome, a.failed) IS DISTINCT FROM (b.outcome, b.failed)',
    listings, policy_a, policy_b)
$$;

COMMENT ON FUNCTION olpe.diff_query(text, text, regclass) IS
  'text of the single SELECT that olpe.diff runs; EXPLAIN it to see the plan';
