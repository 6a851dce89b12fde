/*-------------------------------------------------------------------------
 *
 * functions.c
 *	  SQL-callable functions of olpe: evaluation, explanation, validation,
 *	  and the trigger that validates rules as they are written.
 *
 * Evaluation functions take the policy by name and the listing as a row of
 * any table or as a jsonb document. They look the program up in the
 * backend cache (cache.c), evaluate in the program's per-listing memory
 * context, which is reset at the start of each call, and build the result
 * in the caller's context. They write nothing, so they run on hot standbys
 * and in parallel workers.
 *
 * src/functions.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "olpe.h"

PG_FUNCTION_INFO_V1(olpe_evaluate);
PG_FUNCTION_INFO_V1(olpe_allowed);
PG_FUNCTION_INFO_V1(olpe_explain);
PG_FUNCTION_INFO_V1(olpe_eval);
PG_FUNCTION_INFO_V1(olpe_validate);
PG_FUNCTION_INFO_V1(olpe_rule_validate_trigger);
PG_FUNCTION_INFO_V1(olpe_policy_revalidate);

/* Read the listing argument; a NULL argument leaves row and doc NULL. */
static void
get_listing(FunctionCallInfo fcinfo, int argno, OlpeListing *listing)
{
	olpe_listing_from_datum(listing, get_fn_expr_argtype(fcinfo->flinfo, argno),
							PG_ARGISNULL(argno) ? (Datum) 0 : PG_GETARG_DATUM(argno),
							PG_ARGISNULL(argno));
}

/*
 * olpe_evaluate
 *		olpe.evaluate(policy text, listing anyelement | jsonb) -> olpe.decision
 */
Datum
olpe_evaluate(PG_FUNCTION_ARGS)
{
	char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(0));
	OlpeListing listing;
	OlpeProgram *prog;
	OlpeDecision decision;

	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);
	olpe_decide(prog, &listing, &decision);
	PG_RETURN_DATUM(olpe_decision_datum(&decision));
}

/*
 * olpe_allowed
 *		olpe.allowed(policy, listing) -> boolean
 *
 * Evaluates only deny rules and stops at the first one that fails.
 */
Datum
olpe_allowed(PG_FUNCTION_ARGS)
{
	char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(0));
	OlpeListing listing;
	OlpeProgram *prog;

	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);
	PG_RETURN_BOOL(olpe_decide_allowed(prog, &listing));
}

/* Longest value text shown in explain's detail, in bytes */
#define EXPLAIN_VALUE_MAX 200

/* A value's text cut to EXPLAIN_VALUE_MAX bytes, on a character boundary. */
static char *
shorten(char *value)
{
	int			len = strlen(value);
	int			cut;

	if (len <= EXPLAIN_VALUE_MAX)
		return value;
	cut = pg_mbcliplen(value, len, EXPLAIN_VALUE_MAX);
	return psprintf("%.*s... (%d bytes)", cut, value, len);
}

/* "read name = value, ..." for the attributes in slots. */
static void
append_values(StringInfo buf, OlpeProgram *prog, Bitmapset *slots)
{
	int			slot = -1;
	bool		first = true;

	appendStringInfoString(buf, "read ");
	while ((slot = bms_next_member(slots, slot)) >= 0)
	{
		OlpeSlot   *s = &prog->slots[slot];
		bool		isnull;
		Datum		d;

		if (s->type == JSONBOID)
			continue;
		d = olpe_slot_value(&prog->state, slot, &isnull);
		appendStringInfo(buf, "%s%s = %s", first ? "" : ", ", s->name,
						 shorten(olpe_datum_text(d, isnull, s->type)));
		first = false;
	}
	if (first)
		appendStringInfoString(buf, "no attributes");
}

/*
 * The detail of a rule: the part that decided it, unless it passed, and the
 * values it read.
 */
static void
explain_rule(StringInfo detail, OlpeProgram *prog, OlpeRule *rule,
			 OlpeRuleResult r)
{
	switch (r)
	{
		case OLPE_RULE_SKIPPED:
			appendStringInfo(detail, "not applied: applies_when %s; ",
							 olpe_explain_node(rule->applies_when, &prog->state,
											   rule->applies_text, true));
			break;
		case OLPE_RULE_PASSED:
			break;
		case OLPE_RULE_FAILED:
		case OLPE_RULE_UNKNOWN:
			appendStringInfo(detail, "%s; ",
							 olpe_explain_node(rule->condition, &prog->state,
											   rule->condition_text, true));
			break;
	}
	append_values(detail, prog, rule->slots);
}

/*
 * The detail of a rule whose condition is written in JsonLogic: what the
 * condition returned and the values it read, as JSON, then the values that
 * applies_when read, as in other rules.
 */
static void
explain_jsonlogic_rule(StringInfo detail, OlpeProgram *prog, OlpeRule *rule,
					   OlpeRuleResult r)
{
	if (r == OLPE_RULE_SKIPPED)
		appendStringInfo(detail, "not applied: applies_when %s; ",
						 olpe_explain_node(rule->applies_when, &prog->state,
										   rule->applies_text, true));
	appendStringInfoString(detail,
						   olpe_explain_jsonlogic(rule->condition, &prog->state,
												  r != OLPE_RULE_SKIPPED));
	if (rule->applies_when)
	{
		Bitmapset  *slots = NULL;

		olpe_node_slots(rule->applies_when, &slots);
		appendStringInfoString(detail, "; applies_when ");
		append_values(detail, prog, slots);
	}
}

typedef struct ExplainErrorContext
{
	const char *policy;
	const char *rule;
} ExplainErrorContext;

static void
explain_error_callback(void *arg)
{
	ExplainErrorContext *ec = arg;

	if (ec->rule)
		errcontext("evaluating rule \"%s\" of policy \"%s\"", ec->rule, ec->policy);
}

/*
 * olpe_explain
 *		olpe.explain(policy, listing) -> one row per rule
 */
Datum
olpe_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(0));
	OlpeListing listing;
	OlpeProgram *prog;
	MemoryContext old;
	ExplainErrorContext ec;
	ErrorContextCallback cb;

	InitMaterializedSRF(fcinfo, 0);
	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);

	ec.policy = prog->policy;
	ec.rule = NULL;
	cb.callback = explain_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	for (int i = 0; i < prog->nrules; i++)
	{
		OlpeRule   *rule = &prog->rules[i];
		OlpeRuleResult r;
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		StringInfoData detail;
		char	   *message = NULL;

		ec.rule = rule->name;
		old = olpe_begin_listing(prog, &listing);
		r = olpe_run_rule(prog, rule);

		initStringInfo(&detail);
		if (rule->condition->kind == ON_JSONLOGIC)
			explain_jsonlogic_rule(&detail, prog, rule, r);
		else
			explain_rule(&detail, prog, rule, r);
		if (r == OLPE_RULE_FAILED || r == OLPE_RULE_UNKNOWN)
			message = olpe_rule_message(prog, rule, r);
		MemoryContextSwitchTo(old);

		values[0] = CStringGetTextDatum(rule->name);
		values[1] = BoolGetDatum(r != OLPE_RULE_SKIPPED);
		if (r == OLPE_RULE_UNKNOWN)
			nulls[2] = true;
		else
			values[2] = BoolGetDatum(r != OLPE_RULE_FAILED);
		values[3] = CStringGetTextDatum(olpe_effect_name(rule->effect));
		if (message)
			values[4] = CStringGetTextDatum(message);
		else
			nulls[4] = true;
		values[5] = CStringGetTextDatum(detail.data);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	error_context_stack = cb.previous;
	return (Datum) 0;
}

/*
 * olpe_eval
 *		olpe.eval(expression text, listing anyelement | jsonb) -> boolean
 */
Datum
olpe_eval(PG_FUNCTION_ARGS)
{
	char	   *expr;
	OlpeListing listing;
	OlpeProgram *prog;
	MemoryContext old;
	bool		isnull;
	Datum		d;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	expr = text_to_cstring(PG_GETARG_TEXT_PP(0));
	get_listing(fcinfo, 1, &listing);

	/* an anonymous record type is unknown without a value */
	if (listing.rowtype == RECORDOID && listing.row == NULL)
		PG_RETURN_NULL();

	prog = olpe_cache_expression(expr, listing.rowtype, listing.typmod);
	old = olpe_begin_listing(prog, &listing);
	d = olpe_eval_node(prog->rules[0].condition, &prog->state, &isnull);
	MemoryContextSwitchTo(old);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(DatumGetBool(d));
}

/*
 * olpe_validate
 *		olpe.validate(expression text, target regclass) -> true, or raise
 */
Datum
olpe_validate(PG_FUNCTION_ARGS)
{
	char	   *expr;
	MemoryContext cxt,
				old;
	OlpeScope	scope;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	expr = text_to_cstring(PG_GETARG_TEXT_PP(0));

	cxt = AllocSetContextCreate(CurrentMemoryContext, "olpe validate",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	memset(&scope, 0, sizeof(scope));
	if (!PG_ARGISNULL(1))
		scope.tupdesc = olpe_target_tupdesc(PG_GETARG_OID(1), false);
	scope.text = expr;
	scope.what = "expression";
	(void) olpe_compile(olpe_analyze(&scope, olpe_parse(expr), true), expr);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	PG_RETURN_BOOL(true);
}

/* A text column of the trigger's tuple, or NULL. */
static char *
tuple_text(HeapTuple tup, TupleDesc desc, const char *colname)
{
	int			col = SPI_fnumber(desc, colname);
	bool		isnull;
	Datum		d;

	if (col <= 0)
		elog(ERROR, "column \"%s\" of olpe.rule not found", colname);
	d = heap_getattr(tup, col, desc, &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/* A jsonb column of the trigger's tuple, or NULL. */
static Jsonb *
tuple_jsonb(HeapTuple tup, TupleDesc desc, const char *colname)
{
	int			col = SPI_fnumber(desc, colname);
	bool		isnull;
	Datum		d;

	if (col <= 0)
		elog(ERROR, "column \"%s\" of olpe.rule not found", colname);
	d = heap_getattr(tup, col, desc, &isnull);
	return isnull ? NULL : DatumGetJsonbP(d);
}

static bool
same_jsonb(Jsonb *a, Jsonb *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

static bool
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
policy_exists(const char *policy)
{
	OlpePolicyRow row;

	return olpe_policy_lookup(policy, &row);
}

/*
 * olpe_rule_validate_trigger
 *		BEFORE INSERT OR UPDATE trigger on olpe.rule: compile the new rule
 *		against its policy's target table and parameters, or raise.
 */
Datum
olpe_rule_validate_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *policy;
	char	   *name;
	Oid			target = InvalidOid;
	bool		found = false;
	List	   *params;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "olpe_rule_validate_trigger must be a BEFORE ROW trigger");

	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	policy = tuple_text(tup, desc, "policy");
	name = tuple_text(tup, desc, "name");
	if (policy == NULL || name == NULL)
		return PointerGetDatum(tup);	/* NOT NULL constraints report it */

	/*
	 * Renaming a policy cascades to its rules before its parameters; a rule
	 * whose texts stay the same while its old policy name disappears is part
	 * of such a rename, and the rule was valid before it.
	 */
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		HeapTuple	oldtup = trigdata->tg_trigtuple;
		char	   *oldpolicy = tuple_text(oldtup, desc, "policy");

		if (oldpolicy && strcmp(oldpolicy, policy) != 0 &&
			same_text(tuple_text(oldtup, desc, "condition"), tuple_text(tup, desc, "condition")) &&
			same_jsonb(tuple_jsonb(oldtup, desc, "condition_jsonlogic"),
					   tuple_jsonb(tup, desc, "condition_jsonlogic")) &&
			same_text(tuple_text(oldtup, desc, "applies_when"), tuple_text(tup, desc, "applies_when")) &&
			same_text(tuple_text(oldtup, desc, "message"), tuple_text(tup, desc, "message")) &&
			!policy_exists(oldpolicy))
			return PointerGetDatum(tup);
	}

	SPI_connect();
	{
		Oid			argtypes[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(policy)};

		if (SPI_execute_with_args("SELECT target FROM olpe.policy WHERE name = $1",
								  1, argtypes, values, NULL, false, 1) == SPI_OK_SELECT &&
			SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull);

			found = true;
			target = isnull ? InvalidOid : DatumGetObjectId(d);
		}
	}
	SPI_finish();

	/* an unknown policy is reported by the foreign key */
	if (!found)
		return PointerGetDatum(tup);

	params = olpe_policy_params(policy, false);
	olpe_check_rule_text(policy, name,
						 tuple_text(tup, desc, "condition"),
						 tuple_jsonb(tup, desc, "condition_jsonlogic"),
						 tuple_text(tup, desc, "applies_when"),
						 tuple_text(tup, desc, "message"),
						 target, params);
	return PointerGetDatum(tup);
}

/*
 * olpe_policy_revalidate
 *		olpe._policy_revalidate(policy): check every rule of a policy.
 */
Datum
olpe_policy_revalidate(PG_FUNCTION_ARGS)
{
	olpe_policy_revalidate_rules(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_VOID();
}
