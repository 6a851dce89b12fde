-- pgTAP checks of the objects that sql/olpe--1.0.sql creates: tables,
-- constraints, types, functions and their labels, triggers, pg_dump
-- registration and privileges.
--
-- Needs CREATE EXTENSION pgtap and CREATE EXTENSION olpe in the database
-- (test/run.sh does both). Everything runs in one transaction that is rolled
-- back, so the file can run again on the same database.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;

SELECT plan(225);

-- Helpers for checks that pgTAP 1.2 lacks. pg_temp objects vanish with the
-- rollback.

CREATE FUNCTION pg_temp.parallel_safe(signature text) RETURNS text
LANGUAGE sql AS $$
  SELECT is((SELECT proparallel::text FROM pg_proc
             WHERE oid = to_regprocedure(signature)),
            's', signature || ' is PARALLEL SAFE')
$$;

CREATE FUNCTION pg_temp.arguments_are(signature text, expected text) RETURNS text
LANGUAGE sql AS $$
  SELECT is((SELECT pg_get_function_arguments(oid) FROM pg_proc
             WHERE oid = to_regprocedure(signature)),
            expected, signature || ' argument names and defaults')
$$;

CREATE FUNCTION pg_temp.constraint_is(tab text, name text, expected text) RETURNS text
LANGUAGE sql AS $$
  SELECT is((SELECT pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = to_regclass(tab) AND conname = name),
            expected, tab || ' constraint ' || name)
$$;

CREATE FUNCTION pg_temp.trigger_def_is(tab text, name text, expected text) RETURNS text
LANGUAGE sql AS $$
  SELECT is((SELECT pg_get_triggerdef(oid) FROM pg_trigger
             WHERE tgrelid = to_regclass(tab) AND tgname = name),
            expected, tab || ' trigger ' || name || ' definition')
$$;

-- Extension and schema

SELECT has_extension('olpe', 'extension olpe is installed');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'olpe'),
          '1.0', 'olpe extension version is 1.0');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'olpe'),
          'olpe', 'olpe extension lives in schema olpe');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'olpe'),
          false, 'olpe extension is not relocatable');
SELECT has_schema('olpe', 'schema olpe exists');

-- Types

SELECT has_enum('olpe', 'outcome', 'enum olpe.outcome exists');
SELECT enum_has_labels('olpe', 'outcome', ARRAY['allow', 'warn', 'review', 'deny'],
                       'olpe.outcome labels from least to most severe');
SELECT ok('allow'::olpe.outcome < 'warn' AND 'warn'::olpe.outcome < 'review'
          AND 'review'::olpe.outcome < 'deny',
          'olpe.outcome sorts allow < warn < review < deny');

SELECT has_composite('olpe', 'decision', 'composite type olpe.decision exists');
SELECT is(
  ARRAY(SELECT attname || ' ' || format_type(atttypid, atttypmod)
          FROM pg_attribute
         WHERE attrelid = 'olpe.decision'::regclass AND attnum > 0 AND NOT attisdropped
         ORDER BY attnum),
  ARRAY['outcome olpe.outcome', 'failed text[]', 'messages text[]', 'policy text', 'version bigint'],
  'olpe.decision columns and types, in order');

-- Sequence

SELECT has_sequence('olpe', 'policy_version_seq', 'sequence olpe.policy_version_seq exists');

-- Table olpe.policy

SELECT has_table('olpe', 'policy', 'table olpe.policy exists');
SELECT columns_are('olpe', 'policy',
  ARRAY['name', 'target', 'on_unknown', 'description', 'version', 'created_at', 'updated_at',
        'mode']);

SELECT col_type_is('olpe', 'policy', 'name', 'text', 'olpe.policy.name is text');
SELECT col_type_is('olpe', 'policy', 'target', 'regclass', 'olpe.policy.target is regclass');
SELECT col_type_is('olpe', 'policy', 'on_unknown', 'text', 'olpe.policy.on_unknown is text');
SELECT col_type_is('olpe', 'policy', 'description', 'text', 'olpe.policy.description is text');
SELECT col_type_is('olpe', 'policy', 'version', 'bigint', 'olpe.policy.version is bigint');
SELECT col_type_is('olpe', 'policy', 'created_at', 'timestamp with time zone', 'olpe.policy.created_at is timestamp with time zone');
SELECT col_type_is('olpe', 'policy', 'updated_at', 'timestamp with time zone', 'olpe.policy.updated_at is timestamp with time zone');

SELECT col_not_null('olpe', 'policy', 'name', 'olpe.policy.name is NOT NULL');
SELECT col_is_null('olpe', 'policy', 'target', 'olpe.policy.target allows NULL');
SELECT col_not_null('olpe', 'policy', 'on_unknown', 'olpe.policy.on_unknown is NOT NULL');
SELECT col_is_null('olpe', 'policy', 'description', 'olpe.policy.description allows NULL');
SELECT col_not_null('olpe', 'policy', 'version', 'olpe.policy.version is NOT NULL');
SELECT col_not_null('olpe', 'policy', 'created_at', 'olpe.policy.created_at is NOT NULL');
SELECT col_not_null('olpe', 'policy', 'updated_at', 'olpe.policy.updated_at is NOT NULL');

SELECT col_hasnt_default('olpe', 'policy', 'name', 'olpe.policy.name has no default');
SELECT col_hasnt_default('olpe', 'policy', 'target', 'olpe.policy.target has no default');
SELECT col_default_is('olpe', 'policy', 'on_unknown', 'fail'::text,
                      'olpe.policy.on_unknown default');
SELECT col_hasnt_default('olpe', 'policy', 'description', 'olpe.policy.description has no default');
SELECT col_default_is('olpe', 'policy', 'version',
                      $$nextval('olpe.policy_version_seq'::regclass)$$::text,
                      'olpe.policy.version default');
SELECT col_default_is('olpe', 'policy', 'created_at', 'now()'::text,
                      'olpe.policy.created_at default');
SELECT col_default_is('olpe', 'policy', 'updated_at', 'now()'::text,
                      'olpe.policy.updated_at default');

SELECT col_is_pk('olpe', 'policy', 'name', 'olpe.policy primary key is (name)');
SELECT pg_temp.constraint_is('olpe.policy', 'policy_name_check',
  'CHECK (((length(name) >= 1) AND (length(name) <= 63)))');
SELECT pg_temp.constraint_is('olpe.policy', 'policy_on_unknown_check',
  $$CHECK ((on_unknown = ANY (ARRAY['fail'::text, 'pass'::text])))$$);
SELECT set_eq(
  $$SELECT conname::text FROM pg_constraint WHERE conrelid = 'olpe.policy'::regclass$$,
  ARRAY['policy_pkey', 'policy_name_check', 'policy_on_unknown_check', 'policy_mode_check'],
  'olpe.policy has no other constraints');

-- Table olpe.rule

SELECT has_table('olpe', 'rule', 'table olpe.rule exists');
SELECT columns_are('olpe', 'rule',
  ARRAY['policy', 'name', 'condition', 'applies_when', 'effect', 'message', 'enabled',
        'condition_jsonlogic']);

SELECT col_type_is('olpe', 'rule', 'policy', 'text', 'olpe.rule.policy is text');
SELECT col_type_is('olpe', 'rule', 'name', 'text', 'olpe.rule.name is text');
SELECT col_type_is('olpe', 'rule', 'condition', 'text', 'olpe.rule.condition is text');
SELECT col_type_is('olpe', 'rule', 'applies_when', 'text', 'olpe.rule.applies_when is text');
SELECT col_type_is('olpe', 'rule', 'effect', 'text', 'olpe.rule.effect is text');
SELECT col_type_is('olpe', 'rule', 'message', 'text', 'olpe.rule.message is text');
SELECT col_type_is('olpe', 'rule', 'enabled', 'boolean', 'olpe.rule.enabled is boolean');
SELECT col_type_is('olpe', 'rule', 'condition_jsonlogic', 'jsonb',
                   'olpe.rule.condition_jsonlogic is jsonb');

SELECT col_not_null('olpe', 'rule', 'policy', 'olpe.rule.policy is NOT NULL');
SELECT col_not_null('olpe', 'rule', 'name', 'olpe.rule.name is NOT NULL');
SELECT col_is_null('olpe', 'rule', 'condition',
                   'olpe.rule.condition allows NULL (when condition_jsonlogic is set)');
SELECT col_is_null('olpe', 'rule', 'applies_when', 'olpe.rule.applies_when allows NULL');
SELECT col_not_null('olpe', 'rule', 'effect', 'olpe.rule.effect is NOT NULL');
SELECT col_is_null('olpe', 'rule', 'message', 'olpe.rule.message allows NULL');
SELECT col_not_null('olpe', 'rule', 'enabled', 'olpe.rule.enabled is NOT NULL');
SELECT col_is_null('olpe', 'rule', 'condition_jsonlogic',
                   'olpe.rule.condition_jsonlogic allows NULL (when condition is set)');

SELECT col_hasnt_default('olpe', 'rule', 'policy', 'olpe.rule.policy has no default');
SELECT col_hasnt_default('olpe', 'rule', 'name', 'olpe.rule.name has no default');
SELECT col_hasnt_default('olpe', 'rule', 'condition', 'olpe.rule.condition has no default');
SELECT col_hasnt_default('olpe', 'rule', 'applies_when', 'olpe.rule.applies_when has no default');
SELECT col_default_is('olpe', 'rule', 'effect', 'deny'::text,
                      'olpe.rule.effect default');
SELECT col_hasnt_default('olpe', 'rule', 'message', 'olpe.rule.message has no default');
SELECT col_default_is('olpe', 'rule', 'enabled', true,
                      'olpe.rule.enabled default');
SELECT col_hasnt_default('olpe', 'rule', 'condition_jsonlogic',
                         'olpe.rule.condition_jsonlogic has no default');

SELECT col_is_pk('olpe', 'rule', ARRAY['policy', 'name'], 'olpe.rule primary key is (policy, name)');
SELECT fk_ok('olpe', 'rule', 'policy', 'olpe', 'policy', 'name',
             'olpe.rule.policy references olpe.policy.name');
SELECT pg_temp.constraint_is('olpe.rule', 'rule_policy_fkey',
  'FOREIGN KEY (policy) REFERENCES olpe.policy(name) ON UPDATE CASCADE ON DELETE CASCADE');
SELECT pg_temp.constraint_is('olpe.rule', 'rule_name_check',
  'CHECK (((length(name) >= 1) AND (length(name) <= 63)))');
SELECT pg_temp.constraint_is('olpe.rule', 'rule_effect_check',
  $$CHECK ((effect = ANY (ARRAY['deny'::text, 'review'::text, 'warn'::text])))$$);
SELECT pg_temp.constraint_is('olpe.rule', 'rule_one_condition_check',
  'CHECK (((condition IS NULL) <> (condition_jsonlogic IS NULL)))');
SELECT set_eq(
  $$SELECT conname::text FROM pg_constraint WHERE conrelid = 'olpe.rule'::regclass$$,
  ARRAY['rule_pkey', 'rule_policy_fkey', 'rule_name_check', 'rule_effect_check',
        'rule_one_condition_check'],
  'olpe.rule has no other constraints');

-- Table olpe.policy_param

SELECT has_table('olpe', 'policy_param', 'table olpe.policy_param exists');
SELECT columns_are('olpe', 'policy_param', ARRAY['policy', 'name', 'value']);

SELECT col_type_is('olpe', 'policy_param', 'policy', 'text', 'olpe.policy_param.policy is text');
SELECT col_type_is('olpe', 'policy_param', 'name', 'text', 'olpe.policy_param.name is text');
SELECT col_type_is('olpe', 'policy_param', 'value', 'jsonb', 'olpe.policy_param.value is jsonb');

SELECT col_not_null('olpe', 'policy_param', 'policy', 'olpe.policy_param.policy is NOT NULL');
SELECT col_not_null('olpe', 'policy_param', 'name', 'olpe.policy_param.name is NOT NULL');
SELECT col_not_null('olpe', 'policy_param', 'value', 'olpe.policy_param.value is NOT NULL');

SELECT col_hasnt_default('olpe', 'policy_param', 'policy', 'olpe.policy_param.policy has no default');
SELECT col_hasnt_default('olpe', 'policy_param', 'name', 'olpe.policy_param.name has no default');
SELECT col_hasnt_default('olpe', 'policy_param', 'value', 'olpe.policy_param.value has no default');

SELECT col_is_pk('olpe', 'policy_param', ARRAY['policy', 'name'], 'olpe.policy_param primary key is (policy, name)');
SELECT fk_ok('olpe', 'policy_param', 'policy', 'olpe', 'policy', 'name',
             'olpe.policy_param.policy references olpe.policy.name');
SELECT pg_temp.constraint_is('olpe.policy_param', 'policy_param_policy_fkey',
  'FOREIGN KEY (policy) REFERENCES olpe.policy(name) ON UPDATE CASCADE ON DELETE CASCADE');
SELECT pg_temp.constraint_is('olpe.policy_param', 'policy_param_name_check',
  $$CHECK (((name ~ '^[A-Za-z_][A-Za-z0-9_]*$'::text) AND (length(name) <= 63)))$$);
SELECT set_eq(
  $$SELECT conname::text FROM pg_constraint WHERE conrelid = 'olpe.policy_param'::regclass$$,
  ARRAY['policy_param_pkey', 'policy_param_policy_fkey', 'policy_param_name_check'],
  'olpe.policy_param has no other constraints');

-- Check constraints at work. Only olpe.policy is written here, because
-- inserts into olpe.rule and olpe.policy_param run the C validation triggers,
-- which are outside the scope of a schema check.

SELECT throws_ok(
  $$INSERT INTO olpe.policy (name) VALUES ('')$$,
  '23514', 'new row for relation "policy" violates check constraint "policy_name_check"',
  'empty policy name is rejected');
SELECT throws_ok(
  format('INSERT INTO olpe.policy (name) VALUES (%L)', repeat('p', 64)),
  '23514', 'new row for relation "policy" violates check constraint "policy_name_check"',
  '64-character policy name is rejected');
SELECT lives_ok(
  format('INSERT INTO olpe.policy (name) VALUES (%L)', repeat('p', 63)),
  '63-character policy name is accepted');
SELECT throws_ok(
  $$INSERT INTO olpe.policy (name, on_unknown) VALUES ('tap_unknown', 'maybe')$$,
  '23514', 'new row for relation "policy" violates check constraint "policy_on_unknown_check"',
  'on_unknown outside fail/pass is rejected');
SELECT throws_ok(
  $$INSERT INTO olpe.policy (name) VALUES (NULL)$$,
  '23502', 'null value in column "name" of relation "policy" violates not-null constraint',
  'NULL policy name is rejected');

INSERT INTO olpe.policy (name) VALUES ('tap_defaults');
SELECT results_eq(
  $$SELECT on_unknown, version = currval('olpe.policy_version_seq'),
           created_at = now(), updated_at = now()
      FROM olpe.policy WHERE name = 'tap_defaults'$$,
  $$VALUES ('fail', true, true, true)$$,
  'policy defaults: on_unknown fail, version from the sequence, timestamps now()');
SELECT throws_ok(
  $$INSERT INTO olpe.policy (name) VALUES ('tap_defaults')$$,
  '23505', 'duplicate key value violates unique constraint "policy_pkey"',
  'duplicate policy name is rejected');

-- Functions: signatures, return types, languages and labels

SELECT has_function('olpe', 'jsonlogic_to_rule', ARRAY['jsonb']);
SELECT function_returns('olpe', 'jsonlogic_to_rule', ARRAY['jsonb'], 'text');
SELECT function_lang_is('olpe', 'jsonlogic_to_rule', ARRAY['jsonb'], 'c');
SELECT volatility_is('olpe', 'jsonlogic_to_rule', ARRAY['jsonb'], 'immutable');
SELECT is_strict('olpe', 'jsonlogic_to_rule', ARRAY['jsonb']);
SELECT pg_temp.parallel_safe('olpe.jsonlogic_to_rule(jsonb)');
SELECT pg_temp.arguments_are('olpe.jsonlogic_to_rule(jsonb)', 'rule jsonb');

SELECT has_function('olpe', 'validate', ARRAY['text', 'regclass']);
SELECT function_returns('olpe', 'validate', ARRAY['text', 'regclass'], 'boolean');
SELECT function_lang_is('olpe', 'validate', ARRAY['text', 'regclass'], 'c');
SELECT volatility_is('olpe', 'validate', ARRAY['text', 'regclass'], 'stable');
SELECT isnt_strict('olpe', 'validate', ARRAY['text', 'regclass']);
SELECT pg_temp.parallel_safe('olpe.validate(text, regclass)');
SELECT pg_temp.arguments_are('olpe.validate(text, regclass)',
  'expression text, target regclass DEFAULT NULL::regclass');

SELECT has_function('olpe', 'evaluate', ARRAY['text', 'anyelement']);
SELECT function_returns('olpe', 'evaluate', ARRAY['text', 'anyelement'], 'olpe.decision');
SELECT function_lang_is('olpe', 'evaluate', ARRAY['text', 'anyelement'], 'c');
SELECT volatility_is('olpe', 'evaluate', ARRAY['text', 'anyelement'], 'stable');
SELECT is_strict('olpe', 'evaluate', ARRAY['text', 'anyelement']);
SELECT pg_temp.parallel_safe('olpe.evaluate(text, anyelement)');
SELECT pg_temp.arguments_are('olpe.evaluate(text, anyelement)', 'policy text, listing anyelement');

SELECT has_function('olpe', 'evaluate', ARRAY['text', 'jsonb']);
SELECT function_returns('olpe', 'evaluate', ARRAY['text', 'jsonb'], 'olpe.decision');
SELECT function_lang_is('olpe', 'evaluate', ARRAY['text', 'jsonb'], 'c');
SELECT volatility_is('olpe', 'evaluate', ARRAY['text', 'jsonb'], 'stable');
SELECT is_strict('olpe', 'evaluate', ARRAY['text', 'jsonb']);
SELECT pg_temp.parallel_safe('olpe.evaluate(text, jsonb)');
SELECT pg_temp.arguments_are('olpe.evaluate(text, jsonb)', 'policy text, listing jsonb');

SELECT has_function('olpe', 'allowed', ARRAY['text', 'anyelement']);
SELECT function_returns('olpe', 'allowed', ARRAY['text', 'anyelement'], 'boolean');
SELECT function_lang_is('olpe', 'allowed', ARRAY['text', 'anyelement'], 'c');
SELECT volatility_is('olpe', 'allowed', ARRAY['text', 'anyelement'], 'stable');
SELECT is_strict('olpe', 'allowed', ARRAY['text', 'anyelement']);
SELECT pg_temp.parallel_safe('olpe.allowed(text, anyelement)');
SELECT pg_temp.arguments_are('olpe.allowed(text, anyelement)', 'policy text, listing anyelement');

SELECT has_function('olpe', 'allowed', ARRAY['text', 'jsonb']);
SELECT function_returns('olpe', 'allowed', ARRAY['text', 'jsonb'], 'boolean');
SELECT function_lang_is('olpe', 'allowed', ARRAY['text', 'jsonb'], 'c');
SELECT volatility_is('olpe', 'allowed', ARRAY['text', 'jsonb'], 'stable');
SELECT is_strict('olpe', 'allowed', ARRAY['text', 'jsonb']);
SELECT pg_temp.parallel_safe('olpe.allowed(text, jsonb)');
SELECT pg_temp.arguments_are('olpe.allowed(text, jsonb)', 'policy text, listing jsonb');

SELECT has_function('olpe', 'explain', ARRAY['text', 'anyelement']);
SELECT function_returns('olpe', 'explain', ARRAY['text', 'anyelement'], 'setof record');
SELECT function_lang_is('olpe', 'explain', ARRAY['text', 'anyelement'], 'c');
SELECT volatility_is('olpe', 'explain', ARRAY['text', 'anyelement'], 'stable');
SELECT is_strict('olpe', 'explain', ARRAY['text', 'anyelement']);
SELECT pg_temp.parallel_safe('olpe.explain(text, anyelement)');
SELECT pg_temp.arguments_are('olpe.explain(text, anyelement)',
  'policy text, listing anyelement, OUT rule text, OUT applied boolean, OUT passed boolean, '
  'OUT effect text, OUT message text, OUT detail text');
SELECT is((SELECT prorows FROM pg_proc WHERE oid = to_regprocedure('olpe.explain(text, anyelement)')),
          20::real, 'olpe.explain(text, anyelement) estimates 20 rows');

SELECT has_function('olpe', 'explain', ARRAY['text', 'jsonb']);
SELECT function_returns('olpe', 'explain', ARRAY['text', 'jsonb'], 'setof record');
SELECT function_lang_is('olpe', 'explain', ARRAY['text', 'jsonb'], 'c');
SELECT volatility_is('olpe', 'explain', ARRAY['text', 'jsonb'], 'stable');
SELECT is_strict('olpe', 'explain', ARRAY['text', 'jsonb']);
SELECT pg_temp.parallel_safe('olpe.explain(text, jsonb)');
SELECT pg_temp.arguments_are('olpe.explain(text, jsonb)',
  'policy text, listing jsonb, OUT rule text, OUT applied boolean, OUT passed boolean, '
  'OUT effect text, OUT message text, OUT detail text');
SELECT is((SELECT prorows FROM pg_proc WHERE oid = to_regprocedure('olpe.explain(text, jsonb)')),
          20::real, 'olpe.explain(text, jsonb) estimates 20 rows');

-- eval is not STRICT: a NULL listing still gives "x IS NULL" a value.
SELECT has_function('olpe', 'eval', ARRAY['text', 'anyelement']);
SELECT function_returns('olpe', 'eval', ARRAY['text', 'anyelement'], 'boolean');
SELECT function_lang_is('olpe', 'eval', ARRAY['text', 'anyelement'], 'c');
SELECT volatility_is('olpe', 'eval', ARRAY['text', 'anyelement'], 'stable');
SELECT isnt_strict('olpe', 'eval', ARRAY['text', 'anyelement']);
SELECT pg_temp.parallel_safe('olpe.eval(text, anyelement)');
SELECT pg_temp.arguments_are('olpe.eval(text, anyelement)', 'expression text, listing anyelement');

SELECT has_function('olpe', 'eval', ARRAY['text', 'jsonb']);
SELECT function_returns('olpe', 'eval', ARRAY['text', 'jsonb'], 'boolean');
SELECT function_lang_is('olpe', 'eval', ARRAY['text', 'jsonb'], 'c');
SELECT volatility_is('olpe', 'eval', ARRAY['text', 'jsonb'], 'stable');
SELECT isnt_strict('olpe', 'eval', ARRAY['text', 'jsonb']);
SELECT pg_temp.parallel_safe('olpe.eval(text, jsonb)');
SELECT pg_temp.arguments_are('olpe.eval(text, jsonb)', 'expression text, listing jsonb');

-- Internal functions

SELECT has_function('olpe', '_policy_revalidate', ARRAY['text']);
SELECT function_returns('olpe', '_policy_revalidate', ARRAY['text'], 'void');
SELECT function_lang_is('olpe', '_policy_revalidate', ARRAY['text'], 'c');
SELECT volatility_is('olpe', '_policy_revalidate', ARRAY['text'], 'volatile');
SELECT is_strict('olpe', '_policy_revalidate', ARRAY['text']);

SELECT has_function('olpe', '_rule_validate_trigger', ARRAY[]::name[]);
SELECT function_returns('olpe', '_rule_validate_trigger', ARRAY[]::name[], 'trigger');
SELECT function_lang_is('olpe', '_rule_validate_trigger', ARRAY[]::name[], 'c');

SELECT has_function('olpe', '_policy_touch', ARRAY[]::name[]);
SELECT function_returns('olpe', '_policy_touch', ARRAY[]::name[], 'trigger');
SELECT function_lang_is('olpe', '_policy_touch', ARRAY[]::name[], 'plpgsql');

SELECT has_function('olpe', '_policy_after_update', ARRAY[]::name[]);
SELECT function_returns('olpe', '_policy_after_update', ARRAY[]::name[], 'trigger');
SELECT function_lang_is('olpe', '_policy_after_update', ARRAY[]::name[], 'plpgsql');

SELECT has_function('olpe', '_policy_member_changed', ARRAY[]::name[]);
SELECT function_returns('olpe', '_policy_member_changed', ARRAY[]::name[], 'trigger');
SELECT function_lang_is('olpe', '_policy_member_changed', ARRAY[]::name[], 'plpgsql');

-- Triggers

SELECT triggers_are('olpe', 'policy', ARRAY['policy_touch', 'policy_after_update']);
SELECT trigger_is('olpe', 'policy', 'policy_touch', 'olpe', '_policy_touch');
SELECT pg_temp.trigger_def_is('olpe.policy', 'policy_touch',
  'CREATE TRIGGER policy_touch BEFORE UPDATE ON olpe.policy '
  'FOR EACH ROW EXECUTE FUNCTION olpe._policy_touch()');
SELECT trigger_is('olpe', 'policy', 'policy_after_update', 'olpe', '_policy_after_update');
SELECT pg_temp.trigger_def_is('olpe.policy', 'policy_after_update',
  'CREATE TRIGGER policy_after_update AFTER UPDATE ON olpe.policy '
  'FOR EACH ROW EXECUTE FUNCTION olpe._policy_after_update()');

SELECT triggers_are('olpe', 'rule', ARRAY['rule_validate', 'rule_changed']);
SELECT trigger_is('olpe', 'rule', 'rule_validate', 'olpe', '_rule_validate_trigger');
SELECT pg_temp.trigger_def_is('olpe.rule', 'rule_validate',
  'CREATE TRIGGER rule_validate BEFORE INSERT OR UPDATE ON olpe.rule '
  'FOR EACH ROW EXECUTE FUNCTION olpe._rule_validate_trigger()');
SELECT trigger_is('olpe', 'rule', 'rule_changed', 'olpe', '_policy_member_changed');
SELECT pg_temp.trigger_def_is('olpe.rule', 'rule_changed',
  'CREATE TRIGGER rule_changed AFTER INSERT OR DELETE OR UPDATE ON olpe.rule '
  'FOR EACH ROW EXECUTE FUNCTION olpe._policy_member_changed()');

SELECT triggers_are('olpe', 'policy_param', ARRAY['policy_param_changed']);
SELECT trigger_is('olpe', 'policy_param', 'policy_param_changed', 'olpe', '_policy_member_changed');
SELECT pg_temp.trigger_def_is('olpe.policy_param', 'policy_param_changed',
  'CREATE TRIGGER policy_param_changed AFTER INSERT OR DELETE OR UPDATE ON olpe.policy_param '
  'FOR EACH ROW EXECUTE FUNCTION olpe._policy_member_changed()');

-- The version bump on UPDATE comes from the plpgsql trigger policy_touch.
SELECT version AS version_before FROM olpe.policy WHERE name = 'tap_defaults' \gset
UPDATE olpe.policy SET description = 'changed' WHERE name = 'tap_defaults';
SELECT cmp_ok((SELECT version FROM olpe.policy WHERE name = 'tap_defaults'),
              '>', :version_before::bigint, 'updating a policy bumps its version');

-- pg_dump keeps the rows of the policy tables and the version sequence

SELECT set_eq(
  $$SELECT c::regclass::text FROM pg_extension, unnest(extconfig) AS c
     WHERE extname = 'olpe'
       AND c IN ('olpe.policy'::regclass, 'olpe.rule'::regclass,
                 'olpe.policy_param'::regclass, 'olpe.policy_version_seq'::regclass)$$,
  ARRAY['olpe.policy', 'olpe.rule', 'olpe.policy_param', 'olpe.policy_version_seq'],
  'policy tables and version sequence are registered with pg_extension_config_dump');
SELECT is(
  (SELECT array_length(extconfig, 1) = array_length(extcondition, 1)
          AND '' = ALL (extcondition)
     FROM pg_extension WHERE extname = 'olpe'),
  true, 'pg_dump keeps every row of the registered tables (empty conditions)');

-- Privileges of PUBLIC

SELECT ok(has_schema_privilege('public', 'olpe', 'USAGE'), 'PUBLIC has USAGE on schema olpe');

SELECT ok(has_table_privilege('public', 'olpe.policy', 'SELECT'), 'PUBLIC can SELECT olpe.policy');
SELECT ok(has_table_privilege('public', 'olpe.rule', 'SELECT'), 'PUBLIC can SELECT olpe.rule');
SELECT ok(has_table_privilege('public', 'olpe.policy_param', 'SELECT'),
          'PUBLIC can SELECT olpe.policy_param');
SELECT ok(NOT has_table_privilege('public', 'olpe.policy', 'INSERT, UPDATE, DELETE, TRUNCATE'),
          'PUBLIC cannot write olpe.policy');
SELECT ok(NOT has_table_privilege('public', 'olpe.rule', 'INSERT, UPDATE, DELETE, TRUNCATE'),
          'PUBLIC cannot write olpe.rule');
SELECT ok(NOT has_table_privilege('public', 'olpe.policy_param', 'INSERT, UPDATE, DELETE, TRUNCATE'),
          'PUBLIC cannot write olpe.policy_param');
SELECT ok(NOT has_sequence_privilege('public', 'olpe.policy_version_seq', 'USAGE, UPDATE'),
          'PUBLIC cannot advance olpe.policy_version_seq');

SELECT ok(has_function_privilege('public', 'olpe.evaluate(text, anyelement)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.evaluate(text, anyelement)');
SELECT ok(has_function_privilege('public', 'olpe.evaluate(text, jsonb)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.evaluate(text, jsonb)');
SELECT ok(has_function_privilege('public', 'olpe.allowed(text, anyelement)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.allowed(text, anyelement)');
SELECT ok(has_function_privilege('public', 'olpe.allowed(text, jsonb)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.allowed(text, jsonb)');
SELECT ok(has_function_privilege('public', 'olpe.explain(text, anyelement)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.explain(text, anyelement)');
SELECT ok(has_function_privilege('public', 'olpe.explain(text, jsonb)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.explain(text, jsonb)');
SELECT ok(has_function_privilege('public', 'olpe.eval(text, anyelement)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.eval(text, anyelement)');
SELECT ok(has_function_privilege('public', 'olpe.eval(text, jsonb)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.eval(text, jsonb)');
SELECT ok(has_function_privilege('public', 'olpe.jsonlogic_to_rule(jsonb)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.jsonlogic_to_rule(jsonb)');
SELECT ok(has_function_privilege('public', 'olpe.validate(text, regclass)', 'EXECUTE'),
          'PUBLIC can EXECUTE olpe.validate(text, regclass)');
SELECT ok(NOT has_function_privilege('public', 'olpe._policy_revalidate(text)', 'EXECUTE'),
          'PUBLIC cannot EXECUTE olpe._policy_revalidate(text)');

-- The same privileges seen by a role that has only what PUBLIC has

CREATE ROLE olpe_tap_plain_user NOLOGIN;
SET LOCAL ROLE olpe_tap_plain_user;

SELECT lives_ok($$SELECT count(*) FROM olpe.policy$$, 'plain role can read olpe.policy');
SELECT lives_ok($$SELECT count(*) FROM olpe.rule$$, 'plain role can read olpe.rule');
SELECT lives_ok($$SELECT count(*) FROM olpe.policy_param$$, 'plain role can read olpe.policy_param');
SELECT throws_ok(
  $$INSERT INTO olpe.policy (name) VALUES ('tap_plain')$$,
  '42501', 'permission denied for table policy',
  'plain role cannot insert into olpe.policy');
SELECT throws_ok(
  $$DELETE FROM olpe.rule$$,
  '42501', 'permission denied for table rule',
  'plain role cannot delete from olpe.rule');
SELECT throws_ok(
  $$UPDATE olpe.policy_param SET value = '1'$$,
  '42501', 'permission denied for table policy_param',
  'plain role cannot update olpe.policy_param');
SELECT throws_ok(
  $$SELECT olpe._policy_revalidate('tap_defaults')$$,
  '42501', 'permission denied for function _policy_revalidate',
  'plain role cannot call olpe._policy_revalidate');

RESET ROLE;

SELECT * FROM finish();

ROLLBACK;
