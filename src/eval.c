/*-------------------------------------------------------------------------
 *
 * eval.c
 *	  Evaluate compiled rule programs over one listing.
 *
 * A program is a tree of OlpeNodes, each with the function that evaluates
 * it. Values follow PostgreSQL's rules: functions and operators run through
 * fmgr with the collation chosen at analysis, strict functions of a NULL are
 * NULL, AND and OR use three-valued logic and stop at the first deciding
 * argument, left to right.
 *
 * Attributes are read lazily through slots: the row is deformed once, on
 * the first column read, and each jsonb path is looked up once per listing.
 * Everything allocated while evaluating goes into the caller's per-listing
 * memory context, which the caller resets.
 *
 * src/eval.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/array.h"
#include "utils/arrayaccess.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/pg_locale.h"
#include "utils/timestamp.h"

#include "olpe.h"

/* ----------------------------------------------------------------
 * Slots
 * ----------------------------------------------------------------
 */

/*
 * olpe_prepare_slots
 *		Look up the functions that convert stored values to slot types.
 */
void
olpe_prepare_slots(OlpeSlot *slots, int nslots)
{
	for (int i = 0; i < nslots; i++)
	{
		OlpeSlot   *s = &slots[i];
		Oid			infunc;

		if (OidIsValid(s->srctype))
		{
			Oid			funcid;
			CoercionPathType path = find_coercion_pathway(s->type, s->srctype,
														  COERCION_EXPLICIT, &funcid);

			if (path == COERCION_PATH_FUNC)
			{
				s->castfunc = palloc0(sizeof(FmgrInfo));
				fmgr_info(funcid, s->castfunc);
			}
			else if (path == COERCION_PATH_COERCEVIAIO ||
					 path == COERCION_PATH_ARRAYCOERCE)
			{
				/*
				 * json -> jsonb, varchar[] -> text[], smallint[] ->
				 * integer[]: output as text, read back as the slot type
				 */
				Oid			outfunc;
				bool		isvarlena;

				getTypeOutputInfo(s->srctype, &outfunc, &isvarlena);
				s->srcoutfunc = palloc0(sizeof(FmgrInfo));
				fmgr_info(outfunc, s->srcoutfunc);
				getTypeInputInfo(s->type, &infunc, &s->ioparam);
				fmgr_info(infunc, &s->infunc);
				s->castfunc = NULL;
			}
		}
		if (!s->from_json)
			continue;

		getTypeInputInfo(s->type, &infunc, &s->ioparam);
		fmgr_info(infunc, &s->infunc);
		s->elemtype = get_element_type(s->type);
		if (OidIsValid(s->elemtype))
		{
			get_typlenbyvalalign(s->elemtype, &s->elemlen, &s->elembyval,
								 &s->elemalign);
			getTypeInputInfo(s->elemtype, &infunc, &s->elemioparam);
			fmgr_info(infunc, &s->eleminfunc);
		}
		else if (OidIsValid(s->srctype))
		{
			getTypeInputInfo(s->srctype, &infunc, &s->srcioparam);
			s->srcinfunc = palloc0(sizeof(FmgrInfo));
			fmgr_info(infunc, s->srcinfunc);
		}
	}
}

/* Convert a value of a slot's stored type to the type that rules read. */
static Datum
convert_stored_value(OlpeSlot *s, Datum d)
{
	if (s->castfunc)
		return FunctionCall1(s->castfunc, d);
	if (s->srcoutfunc)
		return InputFunctionCall(&s->infunc, OutputFunctionCall(s->srcoutfunc, d),
								 s->ioparam, -1);
	return d;
}

/* Error context while a slot's value is converted. */
static void
slot_error_callback(void *arg)
{
	OlpeSlot   *s = arg;

	errcontext("reading attribute \"%s\" of the listing as type %s",
			   s->name, format_type_be(s->type));
}

/* The text form of a JSON value, as the #>> operator gives it. */
static char *
json_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			return NULL;
	}
}

/* Convert one JSON scalar to a value of the slot's (element) type. */
static Datum
json_scalar(OlpeSlot *s, JsonbValue *v, Oid type, FmgrInfo *infunc,
			Oid ioparam, bool *isnull)
{
	char	   *str;

	*isnull = false;
	if (v->type == jbvNull)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (type == NUMERICOID && v->type == jbvNumeric)
		return NumericGetDatum(v->val.numeric);
	if (type == BOOLOID && v->type == jbvBool)
		return BoolGetDatum(v->val.boolean);
	if (type == TEXTOID && v->type == jbvString)
		return PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
														v->val.string.len));
	str = json_text(v);
	if (type == TEXTOID)
		return CStringGetTextDatum(str);
	return InputFunctionCall(infunc, str, ioparam, -1);
}

/* Read a slot from the document or a jsonb column. */
static Datum
json_slot_value(OlpeEvalState *state, OlpeSlot *s, bool *isnull)
{
	Jsonb	   *doc;
	JsonbContainer *container;
	JsonbValue	vbuf;
	JsonbValue *v = NULL;
	ErrorContextCallback cb;
	Datum		result;

	if (s->json_base >= 0)
	{
		Datum		d = olpe_slot_value(state, s->json_base, isnull);

		if (*isnull)
			return (Datum) 0;
		doc = DatumGetJsonbP(d);
	}
	else
		doc = state->doc;
	if (doc == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}

	container = &doc->root;
	if (s->npath == 0)
	{
		/* the whole jsonb value, as #>> '{}' reads it */
		if (JB_ROOT_IS_SCALAR(doc))
		{
			if (!JsonbExtractScalar(container, &vbuf))
				elog(ERROR, "could not read jsonb scalar");
		}
		else
		{
			vbuf.type = jbvBinary;
			vbuf.val.binary.data = container;
			vbuf.val.binary.len = VARSIZE(doc);
		}
		v = &vbuf;
	}
	for (int i = 0; i < s->npath; i++)
	{
		if (!JsonContainerIsObject(container))
		{
			v = NULL;
			break;
		}
		v = getKeyJsonValueFromContainer(container, s->path[i],
										 strlen(s->path[i]), &vbuf);
		if (v == NULL)
			break;
		if (i + 1 < s->npath)
		{
			if (v->type != jbvBinary)
			{
				v = NULL;
				break;
			}
			container = v->val.binary.data;
		}
	}
	if (v == NULL || v->type == jbvNull)
	{
		*isnull = true;
		return (Datum) 0;
	}

	cb.callback = slot_error_callback;
	cb.arg = s;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	if (OidIsValid(s->elemtype) && v->type == jbvString)
	{
		/* an array written as a string, "{a,b}", read as ::text[] reads it */
		result = InputFunctionCall(&s->infunc, json_text(v), s->ioparam, -1);
		*isnull = false;
	}
	else if (OidIsValid(s->elemtype))
	{
		JsonbIterator *it;
		JsonbValue	elem;
		JsonbIteratorToken tok;
		int			n = 0,
					cap = 8;
		Datum	   *values;
		bool	   *nulls;
		int			dims[1],
					lbs[1] = {1};

		if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("attribute \"%s\" is not a JSON array", s->name),
					 errdetail("The rule reads it as type %s.", format_type_be(s->type)),
					 errhint("Write the value as a JSON array, such as [\"a\", \"b\"], or as an array literal string, such as \"{a,b}\".")));
		values = palloc(sizeof(Datum) * cap);
		nulls = palloc(sizeof(bool) * cap);
		it = JsonbIteratorInit(v->val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (n == cap)
			{
				cap *= 2;
				values = repalloc(values, sizeof(Datum) * cap);
				nulls = repalloc(nulls, sizeof(bool) * cap);
			}
			values[n] = json_scalar(s, &elem, s->elemtype, &s->eleminfunc,
									s->elemioparam, &nulls[n]);
			n++;
		}
		dims[0] = n;
		if (n == 0)
			result = PointerGetDatum(construct_empty_array(s->elemtype));
		else
			result = PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
														s->elemtype, s->elemlen,
														s->elembyval, s->elemalign));
		*isnull = false;
	}
	else if (s->srcinfunc)
	{
		/*
		 * Read the key as the target column would store it, then convert it
		 * as the row's value is converted. So char(n) drops trailing spaces,
		 * numeric(5,2) rounds and smallint checks its range.
		 */
		result = InputFunctionCall(s->srcinfunc, json_text(v), s->srcioparam,
								   s->srctypmod);
		result = convert_stored_value(s, result);
		*isnull = false;
	}
	else
		result = json_scalar(s, v, s->type, &s->infunc, s->ioparam, isnull);

	error_context_stack = cb.previous;
	return result;
}

/*
 * olpe_slot_fetch
 *		Read a slot's value for the current listing and keep it for the
 *		listing's later reads (olpe_slot_value() returns those).
 */
Datum
olpe_slot_fetch(OlpeEvalState *state, int slotno, bool *isnull)
{
	OlpeSlot   *s = &state->slots[slotno];
	Datum		d;

	if (state->listing_null)
	{
		d = (Datum) 0;
		*isnull = true;
	}
	else if (s->from_json)
		d = json_slot_value(state, s, isnull);
	else
	{
		if (!state->row_deformed)
		{
			heap_deform_tuple(state->row, state->tupdesc, state->row_values,
							  state->row_nulls);
			state->row_deformed = true;
		}
		d = state->row_values[s->attnum - 1];
		*isnull = state->row_nulls[s->attnum - 1];

		/*
		 * Several rules often read the same long text, and each function
		 * would decompress it again, so decompress (or fetch) it once here.
		 */
		if (!*isnull &&
			TupleDescAttr(state->tupdesc, s->attnum - 1)->attlen == -1 &&
			(VARATT_IS_COMPRESSED(DatumGetPointer(d)) ||
			 VARATT_IS_EXTERNAL(DatumGetPointer(d))))
			d = PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
		if (!*isnull && OidIsValid(s->srctype))
			d = convert_stored_value(s, d);
	}
	state->values[slotno] = d;
	state->nulls[slotno] = *isnull;
	state->done[slotno] = true;
	return d;
}

/*
 * olpe_eval_init
 *		Allocate an evaluation state's per-slot arrays in the current memory
 *		context, once per program, so that each listing only clears them.
 */
void
olpe_eval_init(OlpeEvalState *state, int nslots, OlpeSlot *slots,
			   TupleDesc tupdesc, MemoryContext tmpcxt)
{
	int			n = Max(nslots, 1);

	memset(state, 0, sizeof(OlpeEvalState));
	state->nslots = nslots;
	state->slots = slots;
	state->values = palloc(sizeof(Datum) * n);
	state->nulls = palloc(sizeof(bool) * n);
	state->done = palloc0(sizeof(bool) * n);
	state->lowered = palloc0(sizeof(text *) * n);
	state->wide = palloc0(sizeof(pg_wchar *) * n);
	state->widelen = palloc0(sizeof(int) * n);
	state->ascii = palloc0(sizeof(int8) * n);
	state->tupdesc = tupdesc;
	if (tupdesc)
	{
		state->row_values = palloc(sizeof(Datum) * tupdesc->natts);
		state->row_nulls = palloc(sizeof(bool) * tupdesc->natts);
	}
	state->tmpcxt = tmpcxt;
}

/*
 * olpe_eval_begin
 *		Point an evaluation state at a new listing.
 *
 * The values of the previous listing lived in tmpcxt, which the caller has
 * reset, so every per-slot form is marked as not made yet.
 */
void
olpe_eval_begin(OlpeEvalState *state, HeapTuple row, Jsonb *doc)
{
	int			n = Max(state->nslots, 1);

	memset(state->done, 0, sizeof(bool) * n);
	memset(state->lowered, 0, sizeof(text *) * n);
	memset(state->wide, 0, sizeof(pg_wchar *) * n);
	memset(state->widelen, 0, sizeof(int) * n);
	memset(state->ascii, 0, sizeof(int8) * n);
	state->row = row;
	state->doc = doc;
	state->listing_null = (row == NULL && doc == NULL);
	state->row_deformed = false;
	state->jsvalues = NULL;
}

/* ----------------------------------------------------------------
 * Node evaluation
 * ----------------------------------------------------------------
 */
Datum
olpe_eval_node(OlpeNode *node, OlpeEvalState *state, bool *isnull)
{
	return node->eval(node, state, isnull);
}

static Datum
eval_const(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	*isnull = n->isnull;
	return n->value;
}

static Datum
eval_var(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	return olpe_slot_value(state, n->slot, isnull);
}

static Datum
eval_func(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	FunctionCallInfo fcinfo = n->fcinfo;
	Datum		result;

	bool		any_null = false;

	/*
	 * Every argument is evaluated before the strictness check, as in
	 * PostgreSQL's executor, so an error in a later argument is raised even
	 * when an earlier one is NULL.
	 */
	for (int i = 0; i < n->nargs; i++)
	{
		bool		argnull;
		Datum		d = n->args[i]->eval(n->args[i], state, &argnull);

		fcinfo->args[i].value = d;
		fcinfo->args[i].isnull = argnull;
		any_null |= argnull;
	}
	if (any_null && n->strict)
	{
		*isnull = true;
		return (Datum) 0;
	}
	fcinfo->isnull = false;
	result = FunctionCallInvoke(fcinfo);
	*isnull = fcinfo->isnull;
	return result;
}

static Datum
eval_and(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	bool		any_null = false;

	for (int i = 0; i < n->nargs; i++)
	{
		bool		argnull;
		Datum		d = n->args[i]->eval(n->args[i], state, &argnull);

		if (argnull)
			any_null = true;
		else if (!DatumGetBool(d))
		{
			*isnull = false;
			return BoolGetDatum(false);
		}
	}
	*isnull = any_null;
	return BoolGetDatum(!any_null);
}

static Datum
eval_or(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	bool		any_null = false;

	for (int i = 0; i < n->nargs; i++)
	{
		bool		argnull;
		Datum		d = n->args[i]->eval(n->args[i], state, &argnull);

		if (argnull)
			any_null = true;
		else if (DatumGetBool(d))
		{
			*isnull = false;
			return BoolGetDatum(true);
		}
	}
	*isnull = any_null;
	return BoolGetDatum(false);
}

static Datum
eval_not(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum		d = n->args[0]->eval(n->args[0], state, isnull);

	if (*isnull)
		return (Datum) 0;
	return BoolGetDatum(!DatumGetBool(d));
}

static Datum
eval_is(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	bool		argnull;
	Datum		d = n->args[0]->eval(n->args[0], state, &argnull);
	bool		result;

	switch (n->istest)
	{
		case OIS_NULL:
			result = argnull;
			break;
		case OIS_TRUE:
			result = !argnull && DatumGetBool(d);
			break;
		case OIS_FALSE:
			result = !argnull && !DatumGetBool(d);
			break;
		case OIS_UNKNOWN:
			result = argnull;
			break;
		default:
			elog(ERROR, "unrecognized IS test: %d", (int) n->istest);
	}
	*isnull = false;
	return BoolGetDatum(n->negated ? !result : result);
}

static Datum
eval_case(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	int			i = 0;
	Datum		save_value = state->case_value;
	bool		save_null = state->case_null;
	Datum		result;
	int			last = n->nargs - (n->has_else ? 1 : 0);

	if (n->has_test)
	{
		bool		testnull;
		Datum		test = n->args[0]->eval(n->args[0], state, &testnull);

		/* set only now: the operand may itself contain a CASE */
		state->case_value = test;
		state->case_null = testnull;
		i = 1;
	}
	for (; i < last; i += 2)
	{
		bool		condnull;
		Datum		cond = n->args[i]->eval(n->args[i], state, &condnull);

		if (!condnull && DatumGetBool(cond))
		{
			result = n->args[i + 1]->eval(n->args[i + 1], state, isnull);
			goto done;
		}
	}
	if (n->has_else)
		result = n->args[n->nargs - 1]->eval(n->args[n->nargs - 1], state, isnull);
	else
	{
		*isnull = true;
		result = (Datum) 0;
	}
done:
	state->case_value = save_value;
	state->case_null = save_null;
	return result;
}

static Datum
eval_casetest(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	*isnull = state->case_null;
	return state->case_value;
}

/* scalar = ANY (array), with the NULL rules of ScalarArrayOpExpr */
static Datum
eval_any(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	bool		scalarnull,
				arraynull;
	Datum		scalar = n->args[0]->eval(n->args[0], state, &scalarnull);
	Datum		arrayd = n->args[1]->eval(n->args[1], state, &arraynull);
	ArrayType  *arr;
	int			nitems;
	bool		have_null = false;
	FunctionCallInfo fcinfo = n->fcinfo;
	array_iter	it;

	*isnull = false;
	if (arraynull)
	{
		*isnull = true;
		return (Datum) 0;
	}
	arr = DatumGetArrayTypeP(arrayd);
	nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (nitems <= 0)
		return BoolGetDatum(!n->use_or);
	if (scalarnull && n->strict)
	{
		*isnull = true;
		return (Datum) 0;
	}

	array_iter_setup(&it, (AnyArrayType *) arr);
	for (int i = 0; i < nitems; i++)
	{
		bool		elemnull;
		Datum		elem = array_iter_next(&it, &elemnull, i, n->elemlen,
										   n->elembyval, n->elemalign);
		Datum		r;

		if (elemnull && n->strict)
		{
			have_null = true;
			continue;
		}
		fcinfo->args[0].value = scalar;
		fcinfo->args[0].isnull = scalarnull;
		fcinfo->args[1].value = elem;
		fcinfo->args[1].isnull = elemnull;
		fcinfo->isnull = false;
		r = FunctionCallInvoke(fcinfo);
		if (fcinfo->isnull)
			have_null = true;
		else if (DatumGetBool(r) == n->use_or)
			return BoolGetDatum(n->use_or);
	}
	if (have_null)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return BoolGetDatum(!n->use_or);
}

/*
 * IN and NOT IN over a constant list of texts. Under a deterministic
 * collation, texteq() and textne() compare the bytes of the two values, so
 * a binary search over the sorted list gives the same result as comparing
 * with each element in turn.
 */
typedef struct OlpeTextItem
{
	int			len;
	const char *str;
} OlpeTextItem;

typedef struct OlpeTextSet
{
	int			nelems;			/* elements of the array, nulls included */
	bool		has_null;
	int			nitems;			/* non-null elements, sorted */
	OlpeTextItem *items;
} OlpeTextSet;

static int
text_item_compare(const OlpeTextItem *a, const OlpeTextItem *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->str, b->str, a->len);
}

static int
text_item_sort_cmp(const void *a, const void *b)
{
	return text_item_compare(a, b);
}

/*
 * olpe_build_text_set
 *		Build the sorted text list of an ON_ANY node, or return NULL when the
 *		node is not an IN or NOT IN over a constant text array with a
 *		deterministic collation.
 */
OlpeTextSet *
olpe_build_text_set(OlpeNode *n)
{
	OlpeNode   *list = n->args[1];
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	OlpeTextSet *set;

	if (list->kind != ON_CONST || list->isnull || n->flinfo == NULL ||
		!((n->use_or && n->flinfo->fn_addr == texteq) ||
		  (!n->use_or && n->flinfo->fn_addr == textne)) ||
		!OidIsValid(n->inputcollid))
		return NULL;
	if (!lc_collate_is_c(n->inputcollid) &&
		n->inputcollid != DEFAULT_COLLATION_OID &&
		!pg_newlocale_from_collation(n->inputcollid)->deterministic)
		return NULL;
	arr = DatumGetArrayTypeP(list->value);
	if (ARR_ELEMTYPE(arr) != TEXTOID)
		return NULL;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	set = palloc0(sizeof(OlpeTextSet));
	set->nelems = nelems;
	set->items = palloc(sizeof(OlpeTextItem) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		text	   *t;

		if (nulls[i])
		{
			set->has_null = true;
			continue;
		}
		t = DatumGetTextPP(elems[i]);
		set->items[set->nitems].len = VARSIZE_ANY_EXHDR(t);
		set->items[set->nitems].str = VARDATA_ANY(t);
		set->nitems++;
	}
	qsort(set->items, set->nitems, sizeof(OlpeTextItem), text_item_sort_cmp);
	return set;
}

static Datum
eval_any_text(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	const OlpeTextSet *set = n->textset;
	bool		scalarnull;
	Datum		scalar = n->args[0]->eval(n->args[0], state, &scalarnull);
	text	   *t;
	OlpeTextItem key;
	int			lo = 0,
				hi = set->nitems - 1;

	*isnull = false;
	if (set->nelems == 0)
		return BoolGetDatum(!n->use_or);
	if (scalarnull)
	{
		*isnull = true;
		return (Datum) 0;
	}
	t = DatumGetTextPP(scalar);
	key.len = VARSIZE_ANY_EXHDR(t);
	key.str = VARDATA_ANY(t);
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = text_item_compare(&key, &set->items[mid]);

		if (c == 0)
			return BoolGetDatum(n->use_or);
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	if (set->has_null)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return BoolGetDatum(!n->use_or);
}

static Datum
eval_array(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum	   *values;
	bool	   *nulls;
	int			dims[1],
				lbs[1] = {1};

	*isnull = false;
	if (n->nargs == 0)
		return PointerGetDatum(construct_empty_array(n->elemtype));
	values = palloc(sizeof(Datum) * n->nargs);
	nulls = palloc(sizeof(bool) * n->nargs);
	for (int i = 0; i < n->nargs; i++)
		values[i] = n->args[i]->eval(n->args[i], state, &nulls[i]);
	dims[0] = n->nargs;
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs,
											  n->elemtype, n->elemlen,
											  n->elembyval, n->elemalign));
}

static Datum
eval_iocoerce(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum		d = n->args[0]->eval(n->args[0], state, isnull);
	char	   *str;

	if (*isnull)
		return (Datum) 0;
	str = OutputFunctionCall(n->outfunc, d);
	return InputFunctionCall(n->infunc, str, n->ioparam, -1);
}

static Datum
eval_coalesce(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	for (int i = 0; i < n->nargs; i++)
	{
		Datum		d = n->args[i]->eval(n->args[i], state, isnull);

		if (!*isnull)
			return d;
	}
	*isnull = true;
	return (Datum) 0;
}

/* least() and greatest(): NULL arguments are skipped, as in PostgreSQL */
static Datum
eval_minmax(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum		best = (Datum) 0;
	bool		have = false;
	FunctionCallInfo fcinfo = n->fcinfo;

	for (int i = 0; i < n->nargs; i++)
	{
		bool		argnull;
		Datum		d = n->args[i]->eval(n->args[i], state, &argnull);
		int32		cmp;

		if (argnull)
			continue;
		if (!have)
		{
			best = d;
			have = true;
			continue;
		}
		fcinfo->args[0].value = d;
		fcinfo->args[0].isnull = false;
		fcinfo->args[1].value = best;
		fcinfo->args[1].isnull = false;
		fcinfo->isnull = false;
		cmp = DatumGetInt32(FunctionCallInvoke(fcinfo));
		if (n->greatest ? cmp > 0 : cmp < 0)
			best = d;
	}
	*isnull = !have;
	return best;
}

/*
 * olpe_build_wordlist
 *		Lower-case the words of a text array and build their matcher.
 */
OlpeWordList *
olpe_build_wordlist(ArrayType *words, Oid collation)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	const char **strs;
	int		   *lens;
	int			n = 0;
	OlpeWordList *wl;

	deconstruct_array(words, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &nelems);
	strs = palloc(sizeof(char *) * Max(nelems, 1));
	lens = palloc(sizeof(int) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		text	   *lowered;

		if (nulls[i])
			continue;
		lowered = DatumGetTextPP(DirectFunctionCall1Coll(lower, collation, elems[i]));
		strs[n] = VARDATA_ANY(lowered);
		lens[n] = VARSIZE_ANY_EXHDR(lowered);
		n++;
	}
	wl = olpe_wordlist_build(strs, lens, n);
	olpe_wordlist_fold_ascii(wl);
	return wl;
}

/*
 * Does lower() (or upper()) under this collation map every ASCII character
 * the way ASCII case mapping does? True for C, POSIX and the usual locales;
 * false for a Turkish locale, where upper-case I lowers to a dotless i.
 * Checked once per collation, by running the function itself on all of
 * ASCII.
 */
static bool
ascii_maps_plainly(Oid collation, bool to_upper)
{
	static Oid	checked_collation[2] = {InvalidOid, InvalidOid};
	static bool checked_result[2] = {false, false};
	char		ascii[128];
	text	   *mapped;
	bool		plain;

	if (collation == checked_collation[to_upper] && OidIsValid(collation))
		return checked_result[to_upper];

	for (int c = 1; c < 128; c++)
		ascii[c - 1] = (char) c;
	mapped = DatumGetTextPP(DirectFunctionCall1Coll(to_upper ? upper : lower, collation,
													PointerGetDatum(cstring_to_text_with_len(ascii, 127))));
	plain = VARSIZE_ANY_EXHDR(mapped) == 127;
	for (int c = 1; plain && c < 128; c++)
		if ((unsigned char) VARDATA_ANY(mapped)[c - 1] !=
			(to_upper ? pg_ascii_toupper((unsigned char) c) : pg_ascii_tolower((unsigned char) c)))
			plain = false;
	checked_collation[to_upper] = collation;
	checked_result[to_upper] = plain;
	return plain;
}

/*
 * Map the case of an all-ASCII text byte by byte, as lower() or upper()
 * would under a collation that maps ASCII plainly. Returns NULL when the
 * collation or a non-ASCII character needs the function itself.
 */
static text *
map_ascii_case(Datum value, Oid collation, bool to_upper)
{
	text	   *t;
	const unsigned char *src;
	int			len;
	text	   *result;
	unsigned char *dst;
	unsigned char seen = 0;

	if (!ascii_maps_plainly(collation, to_upper))
		return NULL;

	t = DatumGetTextPP(value);
	src = (const unsigned char *) VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	result = palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	dst = (unsigned char *) VARDATA(result);
	for (int i = 0; i < len; i++)
	{
		unsigned char c = src[i];

		seen |= c;
		if (to_upper)
			dst[i] = (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
		else
			dst[i] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}
	if (seen & 0x80)
	{
		pfree(result);
		return NULL;
	}
	return result;
}

/*
 * Evaluate lower(text) or upper(text), mapping all-ASCII text byte by byte
 * where the collation allows it, without the function's wide-character
 * round trip.
 */
static Datum
eval_ascii_case(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum		d = n->args[0]->eval(n->args[0], state, isnull);
	text	   *mapped;

	if (*isnull)
		return (Datum) 0;
	mapped = map_ascii_case(d, n->inputcollid, n->flinfo->fn_addr == upper);
	if (mapped == NULL)
		return FunctionCall1Coll(n->flinfo, n->inputcollid, d);
	return PointerGetDatum(mapped);
}

/*
 * Return lower(value) under a collation, mapped byte by byte when the text
 * is all ASCII and the collation maps ASCII plainly.
 */
static text *
lower_text(Datum value, Oid collation)
{
	text	   *mapped = map_ascii_case(value, collation, false);

	if (mapped == NULL)
		return DatumGetTextPP(DirectFunctionCall1Coll(lower, collation, value));
	return mapped;
}

/* Are all bytes ASCII? Eight bytes at a time. */
static bool
all_ascii(const char *bytes, int len)
{
	uint64		seen = 0;
	int			i = 0;

	for (; len - i >= 8; i += 8)
	{
		uint64		w;

		memcpy(&w, bytes + i, 8);
		seen |= w;
	}
	for (; i < len; i++)
		seen |= (unsigned char) bytes[i];
	return (seen & UINT64CONST(0x8080808080808080)) == 0;
}

/*
 * Return whether a text is all ASCII. A slot's text is checked once per
 * listing, for length() and the word lists alike.
 */
static bool
text_is_ascii(OlpeEvalState *state, OlpeNode *arg, const char *bytes, int len)
{
	int8	   *known;

	if (arg->kind != ON_VAR)
		return all_ascii(bytes, len);
	known = &state->ascii[arg->slot];
	if (*known == 0)
		*known = all_ascii(bytes, len) ? 1 : -1;
	return *known > 0;
}

/* The value of a text slot, lower-cased once per listing. */
static text *
lowered_slot(OlpeEvalState *state, int slot, Datum value, Oid collation)
{
	/* the cache holds the value lowered under the slot's own collation */
	if (collation != state->slots[slot].collation)
		return lower_text(value, collation);
	if (state->lowered[slot] == NULL)
		state->lowered[slot] = lower_text(value, collation);
	return state->lowered[slot];
}

static Datum
eval_words(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	bool		textnull,
				listnull;
	Datum		textd = n->args[0]->eval(n->args[0], state, &textnull);
	OlpeWordList *wl = n->words;
	text	   *lowered;

	Datum		list = (Datum) 0;

	/* both operands are evaluated, as for a strict operator */
	listnull = false;
	if (wl == NULL)
		list = n->args[1]->eval(n->args[1], state, &listnull);
	if (textnull || listnull)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (wl == NULL)
		wl = olpe_build_wordlist(DatumGetArrayTypeP(list), n->inputcollid);
	*isnull = false;
	/* an all-ASCII text is matched as it is: the matcher folds ASCII case */
	{
		text	   *t = DatumGetTextPP(textd);
		const char *bytes = VARDATA_ANY(t);
		int			len = VARSIZE_ANY_EXHDR(t);

		if (text_is_ascii(state, n->args[0], bytes, len) &&
			ascii_maps_plainly(n->inputcollid, false))
			return BoolGetDatum(olpe_wordlist_match(wl, bytes, len));
	}
	if (n->args[0]->kind == ON_VAR)
		lowered = lowered_slot(state, n->args[0]->slot, textd, n->inputcollid);
	else
		lowered = lower_text(textd, n->inputcollid);
	return BoolGetDatum(olpe_wordlist_match(wl, VARDATA_ANY(lowered),
											VARSIZE_ANY_EXHDR(lowered)));
}

static Datum
eval_regex(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	OlpeNode   *arg = n->args[0];
	Datum		d = arg->eval(arg, state, isnull);
	text	   *t;

	if (*isnull)
		return (Datum) 0;
	t = DatumGetTextPP(d);
	if (arg->kind == ON_VAR)
		return BoolGetDatum(olpe_regex_match(n->regex, VARDATA_ANY(t),
											 VARSIZE_ANY_EXHDR(t),
											 &state->wide[arg->slot],
											 &state->widelen[arg->slot]));
	return BoolGetDatum(olpe_regex_match(n->regex, VARDATA_ANY(t),
										 VARSIZE_ANY_EXHDR(t), NULL, NULL));
}

static Datum
eval_now(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	*isnull = false;
	return TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
}

static Datum
eval_current_date(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	*isnull = false;
	return DateADTGetDatum(GetSQLCurrentDate());
}

/*
 * length(text) in a UTF-8 database: the number of bytes that start a
 * character, which is what textlen() computes for valid UTF-8 (every stored
 * text is), without a call per character.
 */
static Datum
eval_utf8_length(OlpeNode *n, OlpeEvalState *state, bool *isnull)
{
	Datum		d = n->args[0]->eval(n->args[0], state, isnull);
	text	   *t;
	const unsigned char *bytes;
	int			len;
	int			i = 0;
	int32		chars;

	if (*isnull)
		return (Datum) 0;
	t = DatumGetTextPP(d);
	bytes = (const unsigned char *) VARDATA_ANY(t);
	len = VARSIZE_ANY_EXHDR(t);
	if (text_is_ascii(state, n->args[0], (const char *) bytes, len))
		return Int32GetDatum(len);
	chars = len;

	/*
	 * Eight bytes at a time: a continuation byte has its top bit set and the
	 * next bit clear. The marks land on bits 7, 15, ..., 63; shifted down
	 * and multiplied, their count collects in the top byte.
	 */
	while (len - i >= 8)
	{
		uint64		w;
		uint64		cont;

		memcpy(&w, bytes + i, 8);
		cont = (w & ~(w << 1) & UINT64CONST(0x8080808080808080)) >> 7;
		chars -= (int32) ((cont * UINT64CONST(0x0101010101010101)) >> 56);
		i += 8;
	}
	for (; i < len; i++)
		chars -= (bytes[i] & 0xC0) == 0x80;
	return Int32GetDatum(chars);
}

/* Choose the evaluation function of a node by its kind. */
void
olpe_set_eval_func(OlpeNode *n)
{
	switch (n->kind)
	{
		case ON_CONST:
			n->eval = eval_const;
			break;
		case ON_VAR:
			n->eval = eval_var;
			break;
		case ON_FUNC:
			/* length(text) is a pg_proc entry of its own that calls textlen */
			if (n->nargs == 1 && n->flinfo != NULL &&
				n->flinfo->fn_addr == textlen &&
				GetDatabaseEncoding() == PG_UTF8)
				n->eval = eval_utf8_length;
			else if (n->nargs == 1 && n->flinfo != NULL &&
					 (n->flinfo->fn_addr == lower || n->flinfo->fn_addr == upper))
				n->eval = eval_ascii_case;
			else
				n->eval = eval_func;
			break;
		case ON_AND:
			n->eval = eval_and;
			break;
		case ON_OR:
			n->eval = eval_or;
			break;
		case ON_NOT:
			n->eval = eval_not;
			break;
		case ON_IS:
			n->eval = eval_is;
			break;
		case ON_CASE:
			n->eval = eval_case;
			break;
		case ON_CASETEST:
			n->eval = eval_casetest;
			break;
		case ON_ANY:
			n->eval = n->textset ? eval_any_text : eval_any;
			break;
		case ON_ARRAY:
			n->eval = eval_array;
			break;
		case ON_IOCOERCE:
			n->eval = eval_iocoerce;
			break;
		case ON_COALESCE:
			n->eval = eval_coalesce;
			break;
		case ON_MINMAX:
			n->eval = eval_minmax;
			break;
		case ON_WORDS:
			n->eval = eval_words;
			break;
		case ON_REGEX:
			n->eval = eval_regex;
			break;
		case ON_NOW:
			n->eval = eval_now;
			break;
		case ON_CURRENT_DATE:
			n->eval = eval_current_date;
			break;
		case ON_JSONLOGIC:
			n->eval = olpe_eval_jsonlogic;
			break;
	}
}

/* ----------------------------------------------------------------
 * Explanations
 * ----------------------------------------------------------------
 */

/* The text form of a value, NULL as NULL, text quoted. */
char *
olpe_datum_text(Datum value, bool isnull, Oid type)
{
	Oid			outfunc;
	bool		isvarlena;
	char	   *s;

	if (isnull)
		return pstrdup("NULL");
	getTypeOutputInfo(type, &outfunc, &isvarlena);
	s = OidOutputFunctionCall(outfunc, value);
	if (type == TEXTOID || type == DATEOID || type == TIMESTAMPTZOID ||
		type == INTERVALOID || OidIsValid(get_element_type(type)))
		return quote_literal_cstr(s);
	return s;
}

/* Collect the slots a subtree reads. */
void
olpe_node_slots(OlpeNode *node, Bitmapset **slots)
{
	if (node->kind == ON_VAR)
		*slots = bms_add_member(*slots, node->slot);
	for (int i = 0; i < node->nargs; i++)
		olpe_node_slots(node->args[i], slots);
}

/* Names of the slots of a subtree whose value is NULL for this listing. */
static void
null_slots(OlpeNode *node, OlpeEvalState *state, StringInfo buf)
{
	Bitmapset  *slots = NULL;
	int			slot = -1;
	bool		first = true;

	olpe_node_slots(node, &slots);
	while ((slot = bms_next_member(slots, slot)) >= 0)
	{
		bool		isnull;

		(void) olpe_slot_value(state, slot, &isnull);
		if (isnull)
		{
			appendStringInfo(buf, "%s%s", first ? "" : ", ", state->slots[slot].name);
			first = false;
		}
	}
	if (first)
		appendStringInfoString(buf, "a NULL value");
}

static char *
node_source(OlpeNode *node, const char *text)
{
	return pnstrdup(text + node->location, node->end - node->location);
}

/*
 * olpe_explain_node
 *		Say which part of a boolean expression made it not true.
 *
 * Descends through AND, OR and NOT to the smallest sub-expression that
 * decided the value (false, or NULL), and names the attributes that were
 * NULL when the value is unknown. want_true is false when the caller
 * explains why the expression was not false (under NOT).
 */
char *
olpe_explain_node(OlpeNode *node, OlpeEvalState *state, const char *text,
				  bool want_true)
{
	bool		isnull;
	Datum		d = olpe_eval_node(node, state, &isnull);
	StringInfoData buf;

	check_stack_depth();

	/* under AND (or OR under NOT) the first deciding argument explains it */
	if ((node->kind == ON_AND && want_true) || (node->kind == ON_OR && !want_true))
	{
		bool		any_null = false;

		for (int i = 0; i < node->nargs; i++)
		{
			bool		argnull;
			Datum		a = olpe_eval_node(node->args[i], state, &argnull);

			if (!argnull && DatumGetBool(a) != want_true)
				return olpe_explain_node(node->args[i], state, text, want_true);
			if (argnull)
				any_null = true;
		}
		if (any_null)
			for (int i = 0; i < node->nargs; i++)
			{
				bool		argnull;

				(void) olpe_eval_node(node->args[i], state, &argnull);
				if (argnull)
					return olpe_explain_node(node->args[i], state, text, want_true);
			}
	}
	if (node->kind == ON_NOT)
		return olpe_explain_node(node->args[0], state, text, !want_true);

	initStringInfo(&buf);
	if (isnull)
	{
		appendStringInfoString(&buf, "unknown because ");
		null_slots(node, state, &buf);
		appendStringInfo(&buf, " is NULL in: %s", node_source(node, text));
	}
	else if (DatumGetBool(d) != want_true)
		appendStringInfo(&buf, "decided by %s (%s)", node_source(node, text),
						 want_true ? "false" : "true");
	return buf.data;
}
