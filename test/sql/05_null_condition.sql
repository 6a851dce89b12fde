-- A rule without a condition (neither condition nor condition_jsonlogic)
-- is rejected by the CHECK constraint rule_one_condition_check of
-- olpe.rule, on insert and on update.
\set VERBOSITY terse

INSERT INTO olpe.policy (name) VALUES ('null_condition');
INSERT INTO olpe.rule (policy, name, condition) VALUES ('null_condition', 'r', NULL);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition, applies_when, message)
  VALUES ('null_condition', 'r', NULL, 'x > 1', 'message {x}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO olpe.rule (policy, name, condition) VALUES ('null_condition', 'r', 'true');
UPDATE olpe.rule SET condition = NULL WHERE policy = 'null_condition';
\echo :LAST_ERROR_SQLSTATE
SELECT name, condition FROM olpe.rule WHERE policy = 'null_condition';

DELETE FROM olpe.policy WHERE name = 'null_condition';
