/*-------------------------------------------------------------------------
 *
 * compile.c
 *	  Turn a typed expression tree into an executable program.
 *
 * Compiling does, once per backend and policy version, every piece of work
 * that does not depend on the listing:
 *
 *	- constant folding, in the order PostgreSQL's eval_const_expressions()
 *	  uses, so that a rule raises an error at compile time exactly when the
 *	  same SELECT raises it at plan time (a strict function of a NULL
 *	  constant is NULL, AND/OR drop constant arguments, a CASE arm whose
 *	  condition folds to false is dropped without folding its result);
 *	- fmgr lookups and call frames for every function and operator;
 *	- element storage details of arrays, and output/input functions of
 *	  casts through text;
 *	- word lists of contains_any_word, lower-cased and built into an
 *	  Aho-Corasick automaton.
 *
 * All of it is allocated in CurrentMemoryContext, which the caller makes the
 * program's long-lived context.
 *
 * src/compile.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "olpe.h"

typedef struct FoldContext
{
	const char *text;			/* expression text, for error positions */
	OlpeNode   *case_value;		/* constant simple-CASE operand, or NULL */
	bool		case_active;	/* inside a simple CASE */
} FoldContext;

static OlpeNode *fold(OlpeNode *node, FoldContext *ctx);

static bool
is_const(OlpeNode *n)
{
	return n->kind == ON_CONST;
}

static OlpeNode *
const_like(OlpeNode *n, Datum value, bool isnull)
{
	OlpeNode   *c = palloc(sizeof(OlpeNode));

	*c = *n;
	c->kind = ON_CONST;
	c->nargs = 0;
	c->args = NULL;
	c->isnull = isnull;
	if (isnull)
		c->value = (Datum) 0;
	else
	{
		int16		typlen;
		bool		typbyval;

		get_typlenbyval(n->type, &typlen, &typbyval);
		c->value = datumCopy(value, typbyval, typlen);
	}
	olpe_set_eval_func(c);
	return c;
}

static OlpeNode *
bool_const(OlpeNode *like, bool value, bool isnull)
{
	OlpeNode   *c = palloc0(sizeof(OlpeNode));

	c->kind = ON_CONST;
	c->type = BOOLOID;
	c->location = like->location;
	c->end = like->end;
	c->slot = -1;
	c->value = BoolGetDatum(value);
	c->isnull = isnull;
	olpe_set_eval_func(c);
	return c;
}

/* Set up the call frame and other run-time details of one node. */
static void
prepare_node(OlpeNode *n)
{
	switch (n->kind)
	{
		case ON_FUNC:
		case ON_ANY:
		case ON_MINMAX:
			{
				int			nargs = n->kind == ON_FUNC ? n->nargs : 2;

				n->flinfo = palloc0(sizeof(FmgrInfo));
				fmgr_info(n->funcid, n->flinfo);
				n->fcinfo = palloc0(SizeForFunctionCallInfo(nargs));
				InitFunctionCallInfoData(*n->fcinfo, n->flinfo, nargs,
										 n->kind == ON_MINMAX ? n->collation : n->inputcollid,
										 NULL, NULL);
				if (n->kind == ON_ANY)
				{
					get_typlenbyvalalign(n->elemtype, &n->elemlen,
										 &n->elembyval, &n->elemalign);
					n->textset = olpe_build_text_set(n);
				}
				break;
			}

		case ON_ARRAY:
			get_typlenbyvalalign(n->elemtype, &n->elemlen, &n->elembyval,
								 &n->elemalign);
			break;

		case ON_IOCOERCE:
			{
				Oid			outfunc,
							infunc;
				bool		isvarlena;

				getTypeOutputInfo(n->args[0]->type, &outfunc, &isvarlena);
				getTypeInputInfo(n->type, &infunc, &n->ioparam);
				n->outfunc = palloc0(sizeof(FmgrInfo));
				n->infunc = palloc0(sizeof(FmgrInfo));
				fmgr_info(outfunc, n->outfunc);
				fmgr_info(infunc, n->infunc);
				break;
			}

		case ON_REGEX:
			break;

		case ON_WORDS:
			if (is_const(n->args[1]) && !n->args[1]->isnull)
				n->words = olpe_build_wordlist(DatumGetArrayTypeP(n->args[1]->value),
											   n->inputcollid);
			break;

		default:
			break;
	}
	olpe_set_eval_func(n);
}

/* Can this node be evaluated now, without a listing? */
static bool
foldable(OlpeNode *n)
{
	for (int i = 0; i < n->nargs; i++)
		if (!is_const(n->args[i]))
			return false;

	switch (n->kind)
	{
		case ON_FUNC:
		case ON_ANY:
		case ON_MINMAX:
			return func_volatile(n->funcid) == PROVOLATILE_IMMUTABLE;
		case ON_IOCOERCE:
			return func_volatile(n->outfunc->fn_oid) == PROVOLATILE_IMMUTABLE &&
				func_volatile(n->infunc->fn_oid) == PROVOLATILE_IMMUTABLE;
		case ON_ARRAY:
		case ON_WORDS:
		case ON_NOT:
		case ON_IS:
			return true;
		default:
			return false;
	}
}

typedef struct FoldErrorContext
{
	const char *text;
	int			location;
} FoldErrorContext;

static void
fold_error_callback(void *arg)
{
	FoldErrorContext *fc = arg;

	olpe_errposition(fc->text, fc->location);
}

/* Evaluate a node whose arguments are constants; errors point at the node. */
static Datum
eval_now(OlpeNode *n, FoldContext *ctx, bool *isnull)
{
	OlpeEvalState dummy;
	FoldErrorContext fc = {ctx->text, n->location};
	ErrorContextCallback cb;
	Datum		d;

	memset(&dummy, 0, sizeof(dummy));
	cb.callback = fold_error_callback;
	cb.arg = &fc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	d = olpe_eval_node(n, &dummy, isnull);
	error_context_stack = cb.previous;
	return d;
}

/* AND/OR: drop constant arguments as PostgreSQL's simplify_and_arguments does. */
static OlpeNode *
fold_bool(OlpeNode *n, FoldContext *ctx)
{
	bool		is_and = n->kind == ON_AND;
	bool		have_null = false;
	int			kept = 0;

	for (int i = 0; i < n->nargs; i++)
	{
		OlpeNode   *a = fold(n->args[i], ctx);

		if (is_const(a))
		{
			if (a->isnull)
			{
				have_null = true;
				continue;
			}
			if (DatumGetBool(a->value) != is_and)
				return bool_const(n, !is_and, false);
			continue;
		}
		n->args[kept++] = a;
	}
	if (kept == 0)
		return bool_const(n, is_and, have_null);
	if (have_null)
		n->args[kept++] = bool_const(n, false, true);
	n->nargs = kept;
	if (kept == 1)
		return n->args[0];
	prepare_node(n);
	return n;
}

/* CASE: drop arms whose condition is constant false or NULL, unfolded. */
static OlpeNode *
fold_case(OlpeNode *n, FoldContext *ctx)
{
	int			k = 0;
	int			npairs = (n->nargs - (n->has_test ? 1 : 0) - (n->has_else ? 1 : 0)) / 2;
	int			first = n->has_test ? 1 : 0;
	OlpeNode  **out = palloc(sizeof(OlpeNode *) * (n->nargs + 1));	/* + ELSE */
	OlpeNode   *defresult = NULL;
	FoldContext inner = *ctx;

	if (n->has_test)
	{
		OlpeNode   *test = fold(n->args[0], ctx);

		out[k++] = test;
		inner.case_active = true;
		inner.case_value = is_const(test) ? test : NULL;
	}

	for (int i = 0; i < npairs; i++)
	{
		OlpeNode   *cond = fold(n->args[first + 2 * i], &inner);

		if (is_const(cond) && (cond->isnull || !DatumGetBool(cond->value)))
			continue;
		if (is_const(cond))
		{
			/* a constant true arm ends the CASE: its result is the default */
			defresult = fold(n->args[first + 2 * i + 1], ctx);
			break;
		}
		out[k++] = cond;
		out[k++] = fold(n->args[first + 2 * i + 1], ctx);
	}

	if (defresult == NULL)
	{
		if (n->has_else)
			defresult = fold(n->args[n->nargs - 1], ctx);
		else
			defresult = const_like(n, (Datum) 0, true);
	}

	/* no arm left: the default is the value */
	if (k == (n->has_test ? 1 : 0))
		return defresult;

	out[k++] = defresult;
	n->has_else = true;
	n->args = out;
	n->nargs = k;
	prepare_node(n);
	return n;
}

/* Fold a subtree bottom-up and prepare every node that stays. */
static OlpeNode *
fold(OlpeNode *n, FoldContext *ctx)
{
	check_stack_depth();

	switch (n->kind)
	{
		case ON_CONST:
		case ON_VAR:
		case ON_NOW:
		case ON_CURRENT_DATE:
			olpe_set_eval_func(n);
			return n;

		case ON_CASETEST:
			if (ctx->case_value != NULL)
				return ctx->case_value;
			olpe_set_eval_func(n);
			return n;

		case ON_AND:
		case ON_OR:
			return fold_bool(n, ctx);

		case ON_CASE:
			return fold_case(n, ctx);

		case ON_COALESCE:
			{
				int			kept = 0;

				/* NULL constants drop out; a non-NULL constant ends the list */
				for (int i = 0; i < n->nargs; i++)
				{
					OlpeNode   *a = fold(n->args[i], ctx);

					if (is_const(a) && a->isnull)
						continue;
					n->args[kept++] = a;
					if (is_const(a))
						break;
				}
				if (kept == 0)
					return const_like(n, (Datum) 0, true);
				if (kept == 1 && is_const(n->args[0]))
					return n->args[0];
				n->nargs = kept;
				prepare_node(n);
				return n;
			}

		default:
			break;
	}

	for (int i = 0; i < n->nargs; i++)
		n->args[i] = fold(n->args[i], ctx);

	/* a strict function of a NULL constant is NULL, whatever its volatility */
	if (n->kind == ON_FUNC && n->strict)
		for (int i = 0; i < n->nargs; i++)
			if (is_const(n->args[i]) && n->args[i]->isnull)
				return const_like(n, (Datum) 0, true);

	/* a regular expression with a constant pattern is compiled now */
	if (n->kind == ON_FUNC && n->nargs == 2 && is_const(n->args[1]) &&
		!n->args[1]->isnull && !is_const(n->args[0]) &&
		(n->funcid == F_TEXTREGEXEQ || n->funcid == F_TEXTREGEXNE ||
		 n->funcid == F_TEXTICREGEXEQ || n->funcid == F_TEXTICREGEXNE))
	{
		FoldErrorContext fc = {ctx->text, n->args[1]->location};
		ErrorContextCallback cb;

		cb.callback = fold_error_callback;
		cb.arg = &fc;
		cb.previous = error_context_stack;
		error_context_stack = &cb;
		n->regex = olpe_regex_compile(DatumGetTextPP(n->args[1]->value),
									  n->funcid == F_TEXTICREGEXEQ ||
									  n->funcid == F_TEXTICREGEXNE,
									  n->funcid == F_TEXTREGEXNE ||
									  n->funcid == F_TEXTICREGEXNE,
									  n->inputcollid);
		error_context_stack = cb.previous;
		n->kind = ON_REGEX;
		olpe_set_eval_func(n);
		return n;
	}

	prepare_node(n);

	if (foldable(n))
	{
		bool		isnull;
		Datum		d = eval_now(n, ctx, &isnull);

		return const_like(n, d, isnull);
	}
	return n;
}

/*
 * olpe_compile
 *		Fold and prepare a typed tree for evaluation; returns the new root.
 */
OlpeNode *
olpe_compile(OlpeNode *node, const char *text)
{
	FoldContext ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.text = text;
	return fold(node, &ctx);
}
