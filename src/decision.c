/*-------------------------------------------------------------------------
 *
 * decision.c
 *	  Judge one listing by a compiled policy.
 *
 * The SQL functions (functions.c) and the enforcement trigger share this
 * code: a listing is set up once, each rule is run (applies_when first,
 * then the condition), and the failed rules are collected into a decision
 * whose outcome is the most severe effect among them.
 *
 * Evaluation allocates only in the program's per-listing memory context,
 * which olpe_begin_listing() resets; decisions are copied out into the
 * caller's context.
 *
 * src/decision.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "olpe.h"

/*
 * olpe_listing_from_datum
 *		Describe a listing argument of type argtype.
 *
 * Raises 42804 when the type is neither a composite type nor jsonb.
 */
void
olpe_listing_from_datum(OlpeListing *listing, Oid argtype, Datum value, bool isnull)
{
	memset(listing, 0, sizeof(OlpeListing));
	listing->typmod = -1;
	if (argtype == JSONBOID)
	{
		listing->rowtype = JSONBOID;
		if (!isnull)
		{
			listing->doc = DatumGetJsonbP(value);
			if (!JB_ROOT_IS_OBJECT(listing->doc))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("a jsonb listing must be a JSON object, not %s",
								JB_ROOT_IS_SCALAR(listing->doc) ? "a scalar" : "an array"),
						 errhint("Pass the listing's attributes as keys of one object, as in '{\"title\": \"...\"}'.")));
		}
		return;
	}
	if (!OidIsValid(argtype) || !type_is_rowtype(argtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("a listing must be a table row or a jsonb document, not type %s",
						OidIsValid(argtype) ? format_type_be(argtype) : "unknown"),
				 errhint("Pass the whole row, as in SELECT olpe.evaluate('policy', l) FROM listings l.")));
	listing->rowtype = argtype;
	if (!isnull)
	{
		HeapTupleHeader th = DatumGetHeapTupleHeader(value);

		listing->rowtype = HeapTupleHeaderGetTypeId(th);
		listing->typmod = HeapTupleHeaderGetTypMod(th);
		listing->rowdata.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&listing->rowdata.t_self);
		listing->rowdata.t_tableOid = InvalidOid;
		listing->rowdata.t_data = th;
		listing->row = &listing->rowdata;
	}
}

/*
 * olpe_listing_from_tuple
 *		Describe a heap tuple of a table as a listing, for triggers.
 */
void
olpe_listing_from_tuple(OlpeListing *listing, HeapTuple tuple, TupleDesc tupdesc)
{
	memset(listing, 0, sizeof(OlpeListing));
	listing->rowtype = tupdesc->tdtypeid;
	listing->typmod = tupdesc->tdtypmod;
	listing->row = tuple;
}

/*
 * olpe_begin_listing
 *		Reset the program's per-listing context and point it at a listing.
 *
 * Returns the caller's memory context: evaluation runs in the program's
 * context until the caller switches back.
 */
MemoryContext
olpe_begin_listing(OlpeProgram *prog, OlpeListing *listing)
{
	MemoryContext old;

	MemoryContextReset(prog->evalcxt);
	old = MemoryContextSwitchTo(prog->evalcxt);
	olpe_eval_begin(&prog->state, listing->row, listing->doc);
	return old;
}

/* Evaluate one rule over the current listing. */
OlpeRuleResult
olpe_run_rule(OlpeProgram *prog, OlpeRule *rule)
{
	bool		isnull;
	Datum		d;

	CHECK_FOR_INTERRUPTS();
	if (rule->applies_when)
	{
		d = olpe_eval_node(rule->applies_when, &prog->state, &isnull);
		if (isnull || !DatumGetBool(d))
			return OLPE_RULE_SKIPPED;
	}
	d = olpe_eval_node(rule->condition, &prog->state, &isnull);
	if (isnull)
		return OLPE_RULE_UNKNOWN;
	return DatumGetBool(d) ? OLPE_RULE_PASSED : OLPE_RULE_FAILED;
}

/* Does this result count as a failure under the policy's on_unknown? */
bool
olpe_counts_as_failed(OlpeProgram *prog, OlpeRuleResult r)
{
	return r == OLPE_RULE_FAILED || (r == OLPE_RULE_UNKNOWN && !prog->unknown_passes);
}

/* The rendered message of a failed or unknown rule. */
char *
olpe_rule_message(OlpeProgram *prog, OlpeRule *rule, OlpeRuleResult r)
{
	if (rule->message)
		return olpe_render_message(rule->message, &prog->state);
	if (r == OLPE_RULE_UNKNOWN)
		return psprintf("rule %s could not be decided", rule->name);
	return psprintf("rule %s failed", rule->name);
}

const char *
olpe_effect_name(OlpeEffect effect)
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

/*
 * olpe_decide
 *		Evaluate every rule of a program over a listing.
 */
void
olpe_decide(OlpeProgram *prog, OlpeListing *listing, OlpeDecision *decision)
{
	MemoryContext caller;
	EvalErrorContext ec = {prog->policy, NULL};
	ErrorContextCallback cb;

	decision->outcome = 0;
	decision->failed = NIL;
	decision->messages = NIL;
	decision->policy = prog->policy;
	decision->version = prog->version;

	cb.callback = eval_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	caller = olpe_begin_listing(prog, listing);
	for (int i = 0; i < prog->nrules; i++)
	{
		OlpeRule   *rule = &prog->rules[i];
		OlpeRuleResult r;
		char	   *message;

		ec.rule = rule->name;
		r = olpe_run_rule(prog, rule);
		if (!olpe_counts_as_failed(prog, r))
			continue;
		message = olpe_rule_message(prog, rule, r);

		/* the lists outlive the per-listing context */
		MemoryContextSwitchTo(caller);
		decision->failed = lappend(decision->failed, rule->name);
		decision->messages = lappend(decision->messages, pstrdup(message));
		MemoryContextSwitchTo(prog->evalcxt);
		if ((int) rule->effect > decision->outcome)
			decision->outcome = (int) rule->effect;
	}
	MemoryContextSwitchTo(caller);
	error_context_stack = cb.previous;
}

/*
 * olpe_decide_allowed
 *		True unless a deny rule fails; stops at the first that does.
 */
bool
olpe_decide_allowed(OlpeProgram *prog, OlpeListing *listing)
{
	MemoryContext caller;
	EvalErrorContext ec = {prog->policy, NULL};
	ErrorContextCallback cb;
	bool		allowed = true;

	cb.callback = eval_error_callback;
	cb.arg = &ec;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	caller = olpe_begin_listing(prog, listing);
	for (int i = 0; i < prog->ndeny; i++)
	{
		OlpeRule   *rule = &prog->rules[prog->deny_order[i]];

		ec.rule = rule->name;
		if (olpe_counts_as_failed(prog, olpe_run_rule(prog, rule)))
		{
			allowed = false;
			break;
		}
	}
	MemoryContextSwitchTo(caller);
	error_context_stack = cb.previous;
	return allowed;
}

/* ----------------------------------------------------------------
 * The olpe.decision composite
 * ----------------------------------------------------------------
 */
static Oid	decision_typid = InvalidOid;
static uint64 decision_typid_ident = 0;
static TupleDesc decision_desc = NULL;
static Datum decision_outcome[4];

/* A list of C strings as a text[] datum. */
Datum
olpe_text_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems;
	ListCell   *lc;
	int			i = 0;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	elems = palloc(sizeof(Datum) * n);
	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Counts the catalog changes that may have changed the olpe.decision type:
 * any change of a type or a relation, such as dropping and creating the
 * extension again, or altering the type. The type is looked up again when
 * the count differs from its value at the last lookup.
 */
static uint64 decision_invals = 0;
static uint64 decision_loaded_at = 0;

static void
decision_type_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	decision_invals++;
}

static void
decision_relation_invalidate(Datum arg, Oid relid)
{
	decision_invals++;
}

/*
 * Look up olpe.decision and the olpe.outcome labels, again whenever the
 * catalog may have changed them (the type's tupdesc identity changes).
 */
static void
load_decision_type(void)
{
	static bool callbacks_registered = false;
	Oid			nsp;
	Oid			typid;
	TypeCacheEntry *tce;
	static const char *const labels[] = {"allow", "warn", "review", "deny"};
	MemoryContext old;
	Oid			enumtype;
	uint64		seen;

	if (decision_desc != NULL && decision_loaded_at == decision_invals)
		return;
	if (!callbacks_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, decision_type_invalidate, (Datum) 0);
		CacheRegisterRelcacheCallback(decision_relation_invalidate, (Datum) 0);
		callbacks_registered = true;
	}
	seen = decision_invals;

	nsp = get_namespace_oid("olpe", true);
	typid = OidIsValid(nsp) ?
		GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						CStringGetDatum("decision"), ObjectIdGetDatum(nsp)) :
		InvalidOid;
	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type olpe.decision does not exist"),
				 errhint("Run CREATE EXTENSION olpe.")));
	tce = lookup_type_cache(typid, TYPECACHE_TUPDESC);
	if (typid == decision_typid && decision_desc != NULL &&
		tce->tupDesc_identifier == decision_typid_ident)
	{
		decision_loaded_at = seen;
		return;
	}

	/* a failure below leaves no half-loaded type behind */
	if (decision_desc)
		FreeTupleDesc(decision_desc);
	decision_desc = NULL;

	enumtype = TupleDescAttr(tce->tupDesc, 0)->atttypid;
	for (int i = 0; i < 4; i++)
		decision_outcome[i] = DirectFunctionCall2(enum_in, CStringGetDatum(labels[i]),
												  ObjectIdGetDatum(enumtype));
	old = MemoryContextSwitchTo(TopMemoryContext);
	decision_desc = BlessTupleDesc(CreateTupleDescCopy(tce->tupDesc));
	MemoryContextSwitchTo(old);
	decision_typid = typid;
	decision_typid_ident = tce->tupDesc_identifier;
	decision_loaded_at = seen;
}

/*
 * olpe_decision_datum
 *		A decision as an olpe.decision composite datum.
 */
Datum
olpe_decision_datum(OlpeDecision *decision)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	load_decision_type();
	values[0] = decision_outcome[decision->outcome];
	values[1] = olpe_text_array(decision->failed);
	values[2] = olpe_text_array(decision->messages);
	values[3] = CStringGetTextDatum(decision->policy);
	values[4] = Int64GetDatum(decision->version);
	return HeapTupleGetDatum(heap_form_tuple(decision_desc, values, nulls));
}

/* The enum value of an outcome, for callers that store outcomes. */
Datum
olpe_outcome_datum(int outcome)
{
	load_decision_type();
	return decision_outcome[outcome];
}
