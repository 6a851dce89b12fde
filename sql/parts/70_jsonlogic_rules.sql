/* sql/parts/70_jsonlogic_rules.sql: rule conditions written in JsonLogic (olpe 1.0) */

-- A rule's condition is written either in the rule language (condition) or
-- in JsonLogic (condition_jsonlogic), never both. The validation trigger
-- compiles whichever is set. A JsonLogic condition passes when its result
-- is truthy (docs/jsonlogic.md, "Rules written in JsonLogic").

ALTER TABLE olpe.rule
  ALTER COLUMN condition DROP NOT NULL,
  ADD COLUMN condition_jsonlogic jsonb,
  ADD CONSTRAINT rule_one_condition_check
    CHECK ((condition IS NULL) <> (condition_jsonlogic IS NULL));

COMMENT ON COLUMN olpe.rule.condition IS
  'rule-language expression that must hold for a listing to comply; NULL when condition_jsonlogic is set';
COMMENT ON COLUMN olpe.rule.condition_jsonlogic IS
  'JsonLogic rule whose result must be truthy for a listing to comply; NULL when condition is set';

-- Translating JsonLogic into the rule language

/*
 * Reads nothing but its argument (subtrees without var are evaluated with
 * the JsonLogic engine, which is immutable too).
 */
CREATE FUNCTION olpe.jsonlogic_to_rule(rule jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'olpe_jsonlogic_to_rule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION olpe.jsonlogic_to_rule(jsonb) IS
  'translate a JsonLogic rule into a rule-language condition that passes exactly when the rule is truthy, or raise 0A000 naming the construct that has no translation';
