/* sql/parts/50_policy_tests.sql: test cases kept beside a policy, and their runner (olpe 1.0) */

-- Test cases

CREATE TABLE olpe.policy_test (
  policy           text NOT NULL
                   REFERENCES olpe.policy (name) ON UPDATE CASCADE ON DELETE CASCADE,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
  listing          jsonb NOT NULL CHECK (jsonb_typeof(listing) = 'object'),
  expected_outcome olpe.outcome NOT NULL,
  expected_failed  text[]
                   CHECK (array_position(expected_failed, NULL) IS NULL),
  PRIMARY KEY (policy, name)
);

COMMENT ON TABLE olpe.policy_test IS
  'test cases of a policy: a listing document and the decision it must get';
COMMENT ON COLUMN olpe.policy_test.expected_failed IS
  'rule names that must fail, compared as a set; NULL checks the outcome only';

SELECT pg_catalog.pg_extension_config_dump('olpe.policy_test', '');

GRANT SELECT ON olpe.policy_test TO PUBLIC;

/* Raise 22004 for a NULL policy name and 42704 for an unknown policy. */
CREATE FUNCTION olpe._check_policy_exists(policy text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF policy IS NULL THEN
    RAISE EXCEPTION 'policy name must not be NULL'
      USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM olpe.policy p WHERE p.name = _check_policy_exists.policy) THEN
    RAISE EXCEPTION 'policy "%" does not exist', policy
      USING ERRCODE = 'undefined_object',
            HINT = 'Policies are rows of olpe.policy.';
  END IF;
END;
$$;

-- Rule coverage

/*
 * Runs olpe.explain over the listing of every test case of the policy and
 * counts, per enabled rule, the cases in which the rule passed, failed, came
 * out unknown (its condition was NULL) or was skipped (applies_when was not
 * true). A case whose evaluation raises an error counts for no rule:
 * olpe.run_tests reports that error.
 *
 * The exception block starts a subtransaction per case, which a parallel
 * worker cannot do, so the function is PARALLEL UNSAFE.
 */
CREATE FUNCTION olpe.test_coverage(policy text)
RETURNS TABLE (rule text, passed_by integer, failed_by integer,
               unknown_by integer, skipped_by integer, covered boolean)
LANGUAGE plpgsql
STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  test record;
  case_rules text[];
  case_results text[];
  all_rules text[] := '{}';
  all_results text[] := '{}';
BEGIN
  PERFORM olpe._check_policy_exists(policy);

  FOR test IN
    SELECT pt.listing FROM olpe.policy_test pt
     WHERE pt.policy = test_coverage.policy
  LOOP
    BEGIN
      SELECT array_agg(e.rule),
             array_agg(CASE WHEN NOT e.applied THEN 'skipped'
                            WHEN e.passed IS NULL THEN 'unknown'
                            WHEN e.passed THEN 'passed'
                            ELSE 'failed' END)
        INTO case_rules, case_results
        FROM olpe.explain(test_coverage.policy, test.listing) e;
      all_rules := all_rules || case_rules;
      all_results := all_results || case_results;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;

  RETURN QUERY
    SELECT r.name,
           count(*) FILTER (WHERE x.result = 'passed')::integer,
           count(*) FILTER (WHERE x.result = 'failed')::integer,
           count(*) FILTER (WHERE x.result = 'unknown')::integer,
           count(*) FILTER (WHERE x.result = 'skipped')::integer,
           count(*) FILTER (WHERE x.result = 'passed') > 0 AND
           count(*) FILTER (WHERE x.result = 'failed') > 0
      FROM olpe.rule r
      LEFT JOIN unnest(all_rules, all_results) AS x(rule, result) ON x.rule = r.name
     WHERE r.policy = test_coverage.policy AND r.enabled
     GROUP BY r.name
     ORDER BY r.name COLLATE "C";
END;
$$;

COMMENT ON FUNCTION olpe.test_coverage(text) IS
  'per enabled rule of a policy: how many test cases made it pass, fail, come out unknown or skip it';

-- Test runner

/*
 * One row per test case, in name order. A case passes when the listing gets
 * the expected outcome and, when expected_failed is not NULL, exactly the
 * expected set of failed rules. A case whose evaluation raises an error
 * fails, with the SQLSTATE and message in the error column. A NOTICE then
 * sums up the run and names the rules that no case made both pass and fail
 * (see olpe.test_coverage).
 *
 * PARALLEL UNSAFE for the same reason as olpe.test_coverage.
 */
CREATE FUNCTION olpe.run_tests(policy text)
RETURNS TABLE (name text, passed boolean,
               expected_outcome olpe.outcome, actual_outcome olpe.outcome,
               expected_failed text[], actual_failed text[], error text)
LANGUAGE plpgsql
STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  test record;
  decision olpe.decision;
  context text;
  olpe_context text;
  line text;
  ncases integer := 0;
  npassed integer := 0;
  nrules integer;
  ncovered integer;
  uncovered text;
BEGIN
  PERFORM olpe._check_policy_exists(policy);

  FOR test IN
    SELECT pt.name, pt.listing, pt.expected_outcome, pt.expected_failed
      FROM olpe.policy_test pt
     WHERE pt.policy = run_tests.policy
     ORDER BY pt.name COLLATE "C"
  LOOP
    name := test.name;
    expected_outcome := test.expected_outcome;
    expected_failed := test.expected_failed;
    actual_outcome := NULL;
    actual_failed := NULL;
    error := NULL;

    BEGIN
      decision := olpe.evaluate(run_tests.policy, test.listing);
      actual_outcome := decision.outcome;
      actual_failed := decision.failed;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
      error := SQLSTATE || ': ' || SQLERRM;

      /*
       * Keep olpe's context lines (the attribute being read, the rule being
       * evaluated) and drop the lines of this function that follow them.
       */
      olpe_context := NULL;
      FOREACH line IN ARRAY string_to_array(context, E'\n') LOOP
        EXIT WHEN line ~ '^(PL/pgSQL |SQL statement |SQL function )';
        olpe_context := concat_ws('; ', olpe_context, line);
      END LOOP;
      IF olpe_context IS NOT NULL THEN
        error := error || ' (' || olpe_context || ')';
      END IF;
    END;

    passed := error IS NULL
      AND actual_outcome = expected_outcome
      AND (expected_failed IS NULL OR
           (actual_failed @> expected_failed AND expected_failed @> actual_failed));
    ncases := ncases + 1;
    npassed := npassed + passed::integer;
    RETURN NEXT;
  END LOOP;

  SELECT count(*),
         count(*) FILTER (WHERE c.covered),
         string_agg(format('%s (%s)', c.rule,
                           CASE WHEN c.passed_by = 0 AND c.failed_by = 0 THEN 'never passed or failed'
                                WHEN c.passed_by = 0 THEN 'never passed'
                                ELSE 'never failed' END),
                    ', ' ORDER BY c.rule COLLATE "C") FILTER (WHERE NOT c.covered)
    INTO nrules, ncovered, uncovered
    FROM olpe.test_coverage(run_tests.policy) c;

  IF uncovered IS NULL THEN
    RAISE NOTICE 'policy "%": % of % tests passed, % of % rules covered',
      policy, npassed, ncases, ncovered, nrules;
  ELSE
    RAISE NOTICE 'policy "%": % of % tests passed, % of % rules covered',
      policy, npassed, ncases, ncovered, nrules
      USING DETAIL = 'Rules not covered: ' || uncovered || '.',
            HINT = 'Add test cases in olpe.policy_test that make each rule pass and fail.';
  END IF;
END;
$$;

COMMENT ON FUNCTION olpe.run_tests(text) IS
  'run the test cases of a policy: one row per case, and a NOTICE with the rule coverage';
