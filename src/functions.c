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

/* One listing argument, as a row or a document. */
typedef struct Listing
{
	Oid			rowtype;		/* composite type, or JSONBOID */
	int32		typmod;
	HeapTupleHeader row;
	Jsonb	   *doc;
} Listing;

/* The outcome of one rule for one listing. */
typedef enum RuleResult
{
	RULE_SKIPPED,				/* applies_when was not true */
	RULE_PASSED,
	RULE_FAILED,
	RULE_UNKNOWN				/* the condition was NULL */
} RuleResult;

/* Per-call-site cache of the result type, in fn_extra. */
typedef struct DecisionType
{
	TupleDesc	desc;
	Datum		outcome[4];		/* allow, warn, review, deny */
} DecisionType;

typedef struct EvalErrorContext
{
	const char *policy;
	const char *rule;
} EvalErrorContext;

static void
eval_error_callback(void *arg)
{
	EvalErrorContext *ec = arg;

	if (ec->rule && ec->policy)
		errcontext("evaluating rule \"%s\" of policy \"%s\"", ec->rule, ec->policy);
}

/* Read the listing argument; a NULL argument leaves row and doc NULL. */
static void
get_listing(FunctionCallInfo fcinfo, int argno, Listing *listing)
{
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, argno);

	memset(listing, 0, sizeof(Listing));
	listing->typmod = -1;
	if (argtype == JSONBOID)
	{
		listing->rowtype = JSONBOID;
		if (!PG_ARGISNULL(argno))
			listing->doc = PG_GETARG_JSONB_P(argno);
		return;
	}
	if (!OidIsValid(argtype) || !type_is_rowtype(argtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("a listing must be a table row or a jsonb document, not type %s",
						OidIsValid(argtype) ? format_type_be(argtype) : "unknown"),
				 errhint("Pass the whole row, as in SELECT olpe.evaluate('policy', l) FROM listings l.")));
	listing->rowtype = argtype;
	if (!PG_ARGISNULL(argno))
	{
		listing->row = PG_GETARG_HEAPTUPLEHEADER(argno);
		listing->rowtype = HeapTupleHeaderGetTypeId(listing->row);
		listing->typmod = HeapTupleHeaderGetTypMod(listing->row);
	}
}

/* Start evaluating a program over a listing; switches to the eval context. */
static MemoryContext
begin_listing(OlpeProgram *prog, Listing *listing)
{
	MemoryContext old;

	MemoryContextReset(prog->evalcxt);
	old = MemoryContextSwitchTo(prog->evalcxt);
	olpe_eval_begin(&prog->state, prog->nslots, prog->slots, prog->tupdesc,
					listing->row, listing->doc, prog->evalcxt);
	return old;
}

/* Evaluate one rule over the current listing. */
static RuleResult
run_rule(OlpeProgram *prog, OlpeRule *rule)
{
	bool		isnull;
	Datum		d;

	CHECK_FOR_INTERRUPTS();
	if (rule->applies_when)
	{
		d = olpe_eval_node(rule->applies_when, &prog->state, &isnull);
		if (isnull || !DatumGetBool(d))
			return RULE_SKIPPED;
	}
	d = olpe_eval_node(rule->condition, &prog->state, &isnull);
	if (isnull)
		return RULE_UNKNOWN;
	return DatumGetBool(d) ? RULE_PASSED : RULE_FAILED;
}

/* Does this result count as a failure under the policy's on_unknown? */
static bool
counts_as_failed(OlpeProgram *prog, RuleResult r)
{
	return r == RULE_FAILED || (r == RULE_UNKNOWN && !prog->unknown_passes);
}

static char *
rule_message(OlpeRule *rule, OlpeProgram *prog, RuleResult r)
{
	if (rule->message)
		return olpe_render_message(rule->message, &prog->state);
	if (r == RULE_UNKNOWN)
		return psprintf("rule %s could not be decided", rule->name);
	return psprintf("rule %s failed", rule->name);
}

static DecisionType *
decision_type(FunctionCallInfo fcinfo)
{
	DecisionType *dt = fcinfo->flinfo->fn_extra;

	if (dt == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	desc;
		Oid			enumtype;
		static const char *const labels[] = {"allow", "warn", "review", "deny"};

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type of olpe.evaluate must be a row type");
		dt = palloc(sizeof(DecisionType));
		dt->desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		enumtype = TupleDescAttr(dt->desc, 0)->atttypid;
		for (int i = 0; i < 4; i++)
			dt->outcome[i] = DirectFunctionCall2(enum_in, CStringGetDatum(labels[i]),
												 ObjectIdGetDatum(enumtype));
		fcinfo->flinfo->fn_extra = dt;
		MemoryContextSwitchTo(old);
	}
	return dt;
}

static Datum
text_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * olpe_evaluate
 *		olpe.evaluate(policy text, listing anyelement | jsonb) -> olpe.decision
 */
Datum
olpe_evaluate(PG_FUNCTION_ARGS)
{
	char	   *policy = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DecisionType *dt = decision_type(fcinfo);
	Listing		listing;
	OlpeProgram *prog;
	MemoryContext old;
	int			outcome = 0;
	List	   *failed = NIL;
	List	   *messages = NIL;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	EvalErrorContext ec;
	ErrorContextCallback cb;

	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);

	ec.policy = prog->policy;
	ec.rule = NULL;
	cb.callback = eval_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	old = begin_listing(prog, &listing);
	for (int i = 0; i < prog->nrules; i++)
	{
		OlpeRule   *rule = &prog->rules[i];
		RuleResult	r;

		ec.rule = rule->name;
		r = run_rule(prog, rule);
		if (!counts_as_failed(prog, r))
			continue;
		failed = lappend(failed, rule->name);
		messages = lappend(messages, rule_message(rule, prog, r));
		if ((int) rule->effect > outcome)
			outcome = (int) rule->effect;
	}
	MemoryContextSwitchTo(old);
	error_context_stack = cb.previous;

	values[0] = dt->outcome[outcome];
	values[1] = text_array(failed);
	values[2] = text_array(messages);
	values[3] = CStringGetTextDatum(prog->policy);
	values[4] = Int64GetDatum(prog->version);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(dt->desc, values, nulls)));
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
	Listing		listing;
	OlpeProgram *prog;
	MemoryContext old;
	bool		allowed = true;
	EvalErrorContext ec;
	ErrorContextCallback cb;

	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);

	ec.policy = prog->policy;
	ec.rule = NULL;
	cb.callback = eval_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	old = begin_listing(prog, &listing);
	for (int i = 0; i < prog->ndeny; i++)
	{
		OlpeRule   *rule = &prog->rules[prog->deny_order[i]];

		ec.rule = rule->name;
		if (counts_as_failed(prog, run_rule(prog, rule)))
		{
			allowed = false;
			break;
		}
	}
	MemoryContextSwitchTo(old);
	error_context_stack = cb.previous;
	PG_RETURN_BOOL(allowed);
}

static const char *
effect_name(OlpeEffect effect)
{
	switch (effect)
	{
		case OLPE_EFFECT_WARN:
			return "warn";
		case OLPE_EFFECT_REVIEW:
			return "review";
		case OLPE_EFFECT_DENY:
			return "deny";
	}
	return "deny";
}

/* "name = value, ..." for the attributes a rule reads. */
static void
append_values(StringInfo buf, OlpeProgram *prog, OlpeRule *rule)
{
	int			slot = -1;
	bool		first = true;

	appendStringInfoString(buf, "read ");
	while ((slot = bms_next_member(rule->slots, slot)) >= 0)
	{
		OlpeSlot   *s = &prog->slots[slot];
		bool		isnull;
		Datum		d;

		if (s->type == JSONBOID)
			continue;
		d = olpe_slot_value(&prog->state, slot, &isnull);
		appendStringInfo(buf, "%s%s = %s", first ? "" : ", ", s->name,
						 olpe_datum_text(d, isnull, s->type));
		first = false;
	}
	if (first)
		appendStringInfoString(buf, "no attributes");
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
	Listing		listing;
	OlpeProgram *prog;
	MemoryContext old;
	EvalErrorContext ec;
	ErrorContextCallback cb;

	InitMaterializedSRF(fcinfo, 0);
	get_listing(fcinfo, 1, &listing);
	prog = olpe_cache_policy(policy, listing.rowtype, listing.typmod);

	ec.policy = prog->policy;
	ec.rule = NULL;
	cb.callback = eval_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	for (int i = 0; i < prog->nrules; i++)
	{
		OlpeRule   *rule = &prog->rules[i];
		RuleResult	r;
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		StringInfoData detail;
		char	   *message = NULL;

		ec.rule = rule->name;
		old = begin_listing(prog, &listing);
		r = run_rule(prog, rule);

		initStringInfo(&detail);
		switch (r)
		{
			case RULE_SKIPPED:
				appendStringInfo(&detail, "not applied: applies_when %s; ",
								 olpe_explain_node(rule->applies_when, &prog->state,
												   rule->applies_text, true));
				break;
			case RULE_PASSED:
				break;
			case RULE_FAILED:
			case RULE_UNKNOWN:
				appendStringInfo(&detail, "%s; ",
								 olpe_explain_node(rule->condition, &prog->state,
												   rule->condition_text, true));
				if (counts_as_failed(prog, r) || r == RULE_UNKNOWN)
					message = rule_message(rule, prog, r);
				break;
		}
		append_values(&detail, prog, rule);
		MemoryContextSwitchTo(old);

		values[0] = CStringGetTextDatum(rule->name);
		values[1] = BoolGetDatum(r != RULE_SKIPPED);
		if (r == RULE_UNKNOWN)
			nulls[2] = true;
		else
			values[2] = BoolGetDatum(r != RULE_FAILED);
		values[3] = CStringGetTextDatum(effect_name(rule->effect));
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
	Listing		listing;
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
	old = begin_listing(prog, &listing);
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

	params = olpe_policy_params(policy);
	olpe_check_rule_text(policy, name,
						 tuple_text(tup, desc, "condition"),
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
