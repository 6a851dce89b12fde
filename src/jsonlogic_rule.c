/*-------------------------------------------------------------------------
 *
 * jsonlogic_rule.c
 *	  Rule conditions written in JsonLogic (olpe.rule.condition_jsonlogic).
 *
 * A JsonLogic condition becomes one ON_JSONLOGIC node of the rule's
 * program. It passes when the JsonLogic result is truthy, as json-logic-js
 * decides truthiness (an empty array is falsy), so it is never unknown and
 * the policy's on_unknown setting never applies to it. applies_when and the
 * message of such a rule stay in the rule language.
 *
 * For jsonb documents the evaluator reads the document itself, so a rule
 * decides exactly as olpe.jsonlogic_apply(rule, document) does.
 *
 * For table rows the names are resolved when the program is compiled, not
 * per row. The first component of every var path, and every key that
 * missing and missing_some list, must be a column of the row type (else
 * 42703). Each such column becomes an ON_VAR argument of the node, with an
 * ordinary slot (analyze.c). Evaluating a row builds the data as an object
 * with just those columns, so the columns the rule does not read are never
 * converted. The values are converted from the slot values the way to_jsonb
 * converts them: numbers, strings, booleans, null, arrays, jsonb as it is. Each value is
 * converted once per listing, however many rules read it
 * (OlpeEvalState.jsvalues).
 * Deeper path components are left to the evaluator: they go into jsonb
 * columns, or read array elements and lengths as JsonLogic does. A rule
 * whose keys are only known at run time ({"var": ""} for the whole data,
 * or a computed key) reads every column.
 *
 * src/jsonlogic_rule.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "jsonlogic.h"
#include "olpe.h"

/* A column that a JsonLogic condition reads from rows. */
typedef struct JsonLogicColumn
{
	int			slot;
	Oid			type;			/* the slot's type */
	Oid			elemtype;		/* for arrays: element storage, looked up once */
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
} JsonLogicColumn;

/* The compiled JsonLogic condition of an ON_JSONLOGIC node. */
typedef struct OlpeJsonLogic
{
	Jsonb	   *rule;			/* copy of the rule, which the tree points into */
	JsonLogicNode *tree;
	bool		for_rows;		/* data built from the columns */
	bool		all_keys;		/* the rule can read keys known only at run time */
	int			nkeys;			/* the root keys the rule reads */
	const char **keys;
	int		   *keylens;
	JsonLogicColumn *columns;	/* for rows: the column of each key */
	int			nnodes;			/* size of the tree, for the cost estimate */
} OlpeJsonLogic;

/* The JsonLogic value of one slot for the current listing. */
typedef struct OlpeSlotJsValue
{
	bool		done;
	JsValue		value;
} OlpeSlotJsValue;

/* ----------------------------------------------------------------
 * Compiling
 * ----------------------------------------------------------------
 */

/*
 * Raise 42883 for an operation json-logic-js does not have, and count the
 * nodes. The evaluator raises the error only when the operation runs. A
 * stored rule is checked when it is written, so that the mistake cannot
 * wait in a branch that rarely runs.
 */
static void
CheckOperations(const JsonLogicNode *node, int *nnodes)
{
	check_stack_depth();
	(*nnodes)++;
	if (node->op == JL_UNKNOWN)
	{
		if (strcmp(node->name, "method") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("unrecognized JsonLogic operation \"method\""),
					 errdetail("olpe never supports \"method\", because it calls JavaScript methods.")));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("unrecognized JsonLogic operation \"%s\"", node->name),
				 errdetail("json-logic-js 2.0.5 has no operation of that name, so the rule would raise \"Unrecognized operation %s\" when it runs it.",
						   node->name),
				 errhint("See docs/jsonlogic.md for the operations olpe supports.")));
	}
	for (int i = 0; i < node->nargs; i++)
		CheckOperations(node->args[i], nnodes);
}

/*
 * Replace each list of constants that "in" searches with one constant array,
 * so that evaluation does not build the list again for every listing. The
 * array cannot escape, because "in" only searches it. So no rule can see
 * that it is the same array every time, which === would reveal.
 */
static void
FoldInLists(JsonLogicNode *node)
{
	check_stack_depth();
	if (node->op == JL_IN && node->nargs >= 2 && node->args[1]->op == JL_ARRAY)
	{
		JsonLogicNode *list = node->args[1];
		bool		constant = true;

		for (int i = 0; i < list->nargs && constant; i++)
			constant = list->args[i]->op == JL_LITERAL &&
				list->args[i]->value.kind != JS_ARRAY &&
				list->args[i]->value.kind != JS_OBJECT;
		if (constant)
		{
			JsonLogicNode *folded = palloc0(sizeof(JsonLogicNode));

			folded->op = JL_LITERAL;
			folded->value = jsv_new_array(list->nargs);
			for (int i = 0; i < list->nargs; i++)
				folded->value.u.array->items[i] = list->args[i]->value;
			node->args[1] = folded;
		}
	}
	for (int i = 0; i < node->nargs; i++)
		FoldInLists(node->args[i]);
}

/* Add key to the list of distinct keys, keeping the first occurrence. */
static List *
AddDistinctKey(List *keys, char *key)
{
	ListCell   *lc;

	foreach(lc, keys)
		if (strcmp((char *) lfirst(lc), key) == 0)
			return keys;
	return lappend(keys, key);
}

/* Column number of a key in the row type, matched exactly, or 0. */
static int
FindColumn(TupleDesc tupdesc, const char *key)
{
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), key) == 0)
			return i + 1;
	}
	return 0;
}

/*
 * olpe_jsonlogic_condition
 *		Compile a JsonLogic condition for the listings of scope.
 *
 * With a row type in scope, the keys the rule reads are resolved to columns
 * and get slots. Without one (documents), any key is accepted. Raises the
 * JsonLogic engine's errors: 54000 for a rule larger than
 * olpe.max_expression_length, 54001 for one nested deeper than
 * olpe.max_expression_depth, 42883 for an unknown operation, and 0A000 in a
 * database whose encoding is not UTF8.
 */
OlpeNode *
olpe_jsonlogic_condition(OlpeScope *scope, Jsonb *rule)
{
	Size		size = VARSIZE(rule);
	OlpeJsonLogic *jl;
	OlpeNode   *node;
	JsValue		value;
	List	   *rawkeys;
	List	   *keys = NIL;
	List	   *args = NIL;
	ListCell   *lc;
	int			i;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("JsonLogic conditions require a database with UTF8 encoding"),
				 errdetail("The database encoding is %s. JsonLogic strings follow JavaScript, which counts and orders them in UTF-16 code units.",
						   GetDatabaseEncodingName())));
	if (size - VARHDRSZ > (Size) olpe_max_expression_length)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("JsonLogic rule is too large"),
				 errdetail("The rule takes %zu bytes as jsonb, more than the limit of %d bytes.",
						   size - VARHDRSZ, olpe_max_expression_length),
				 errhint("Simplify the rule, or raise \"olpe.max_expression_length\".")));

	jl = palloc0(sizeof(OlpeJsonLogic));
	jl->rule = palloc(size);
	memcpy(jl->rule, rule, size);
	value = jsv_from_jsonb(jl->rule);
	jl->tree = jsonlogic_compile(&value, olpe_max_expression_depth);
	CheckOperations(jl->tree, &jl->nnodes);
	FoldInLists(jl->tree);

	rawkeys = jsonlogic_root_keys(jl->tree, &jl->all_keys);
	foreach(lc, rawkeys)
		keys = AddDistinctKey(keys, (char *) lfirst(lc));

	jl->for_rows = scope->tupdesc != NULL;
	if (jl->for_rows)
	{
		TupleDesc	tupdesc = scope->tupdesc;

		/* a key that names no column is an error, even when all are read */
		foreach(lc, keys)
		{
			char	   *key = lfirst(lc);

			if (FindColumn(tupdesc, key) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" does not exist", key),
						 errdetail("The JsonLogic rule reads key \"%s\", and the listing type has no column of that name.",
								   key),
						 errhint("JsonLogic keys match column names exactly, including case.")));
		}
		if (jl->all_keys)
		{
			keys = NIL;
			for (i = 0; i < tupdesc->natts; i++)
				if (!TupleDescAttr(tupdesc, i)->attisdropped)
					keys = lappend(keys, pstrdup(NameStr(TupleDescAttr(tupdesc, i)->attname)));
		}
		foreach(lc, keys)
			args = lappend(args, olpe_column_var(scope, FindColumn(tupdesc, lfirst(lc)),
												 -1, -1));
	}

	jl->nkeys = list_length(keys);
	jl->keys = palloc(sizeof(char *) * Max(jl->nkeys, 1));
	jl->keylens = palloc(sizeof(int) * Max(jl->nkeys, 1));
	i = 0;
	foreach(lc, keys)
	{
		jl->keys[i] = lfirst(lc);
		jl->keylens[i] = strlen(jl->keys[i]);
		i++;
	}

	node = palloc0(sizeof(OlpeNode));
	node->kind = ON_JSONLOGIC;
	node->type = BOOLOID;
	node->location = 0;
	node->end = scope->text ? strlen(scope->text) : 0;
	node->slot = -1;
	node->ref_base = -1;
	node->jsonlogic = jl;
	node->nargs = list_length(args);
	node->args = palloc(sizeof(OlpeNode *) * Max(node->nargs, 1));
	jl->columns = palloc0(sizeof(JsonLogicColumn) * Max(node->nargs, 1));
	i = 0;
	foreach(lc, args)
	{
		OlpeNode   *arg = lfirst(lc);
		JsonLogicColumn *column = &jl->columns[i];

		node->args[i++] = arg;
		column->slot = arg->slot;
		column->type = arg->type;
		column->elemtype = get_element_type(arg->type);
		if (OidIsValid(column->elemtype))
			get_typlenbyvalalign(column->elemtype, &column->elemlen,
								 &column->elembyval, &column->elemalign);
	}

	/* sets the evaluation functions of the node and its arguments */
	return olpe_compile(node, scope->text);
}

/* Estimated cost of a JsonLogic condition: one unit per operation. */
double
olpe_jsonlogic_cost(OlpeNode *node)
{
	return node->jsonlogic->nnodes;
}

/* ----------------------------------------------------------------
 * The data of a row
 * ----------------------------------------------------------------
 */

static JsValue DatumToJs(Datum value, Oid type, const JsonLogicColumn *column);

/* Build one dimension of an array value, as to_jsonb nests them. */
static JsValue
ArrayLevel(int dim, int ndims, const int *dims, Datum *elems, bool *nulls,
		   int *index, Oid elemtype)
{
	JsValue		result = jsv_new_array(dims[dim]);

	for (int i = 0; i < dims[dim]; i++)
	{
		JsValue    *item = &result.u.array->items[i];

		if (dim + 1 < ndims)
			*item = ArrayLevel(dim + 1, ndims, dims, elems, nulls, index, elemtype);
		else
		{
			*item = nulls[*index] ? jsv_null() : DatumToJs(elems[*index], elemtype, NULL);
			(*index)++;
		}
	}
	return result;
}

static JsValue
ArrayToJs(ArrayType *array, const JsonLogicColumn *column)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			index = 0;

	if (ARR_NDIM(array) == 0)
		return jsv_new_array(0);
	deconstruct_array(array, column->elemtype, column->elemlen, column->elembyval,
					  column->elemalign, &elems, &nulls, &nelems);
	return ArrayLevel(0, ARR_NDIM(array), ARR_DIMS(array), elems, nulls,
					  &index, column->elemtype);
}

/* A number, or its text for NaN and infinities, as to_jsonb writes them. */
static JsValue
DoubleToJs(double d)
{
	if (isnan(d))
		return jsv_cstring("NaN");
	if (isinf(d))
		return jsv_cstring(d > 0 ? "Infinity" : "-Infinity");
	return jsv_number(d);
}

/*
 * Convert a slot value to the JavaScript value that to_jsonb of the same
 * value would give JsonLogic. The types are those a slot can have
 * (analyze.c). column is the slot's column, for arrays, or NULL for array
 * elements.
 */
static JsValue
DatumToJs(Datum value, Oid type, const JsonLogicColumn *column)
{
	switch (type)
	{
		case BOOLOID:
			return jsv_boolean(DatumGetBool(value));
		case INT4OID:
			return jsv_number(DatumGetInt32(value));
		case INT8OID:
			return jsv_number((double) DatumGetInt64(value));
		case FLOAT8OID:
			return DoubleToJs(DatumGetFloat8(value));
		case NUMERICOID:
			{
				Numeric		num = DatumGetNumeric(value);
				char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(num)));

				/* JSON has no NaN or infinities: to_jsonb writes them as text */
				if (numeric_is_nan(num) || numeric_is_inf(num))
					return jsv_cstring(text);

				/* strtod rounds the exact text as JSON.parse does */
				return jsv_number(strtod(text, NULL));
			}
		case TEXTOID:
			{
				text	   *t = DatumGetTextPP(value);

				return jsv_string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
		case DATEOID:
		case TIMESTAMPTZOID:
			return jsv_cstring(JsonEncodeDateTime(NULL, value, type, NULL));
		case INTERVALOID:
			return jsv_cstring(DatumGetCString(DirectFunctionCall1(interval_out, value)));
		case JSONBOID:
			return jsv_from_jsonb(DatumGetJsonbP(value));
		default:
			if (column != NULL && OidIsValid(column->elemtype))
				return ArrayToJs(DatumGetArrayTypeP(value), column);
			elog(ERROR, "JsonLogic condition cannot read a value of type %s",
				 format_type_be(type));
	}
	return jsv_undefined();		/* keep the compiler quiet */
}

/*
 * The data a JsonLogic condition runs on: the document, an object with the
 * columns the rule reads, or null for a NULL listing.
 */
static JsValue
ListingData(OlpeNode *node, OlpeEvalState *state)
{
	OlpeJsonLogic *jl = node->jsonlogic;
	JsObject   *object;
	JsValue		data;

	if (state->listing_null)
		return jsv_null();
	if (!jl->for_rows)
		return jsv_from_jsonb(state->doc);

	object = palloc(sizeof(JsObject));
	object->cxt = CurrentMemoryContext;
	object->nkeys = jl->nkeys;
	object->keys = jl->keys;
	object->keylens = jl->keylens;
	object->values = palloc(sizeof(JsValue) * Max(jl->nkeys, 1));
	if (state->jsvalues == NULL)
		state->jsvalues = palloc0(sizeof(OlpeSlotJsValue) * Max(state->nslots, 1));
	for (int i = 0; i < jl->nkeys; i++)
	{
		const JsonLogicColumn *column = &jl->columns[i];
		OlpeSlotJsValue *cached = &state->jsvalues[column->slot];

		if (!cached->done)
		{
			bool		isnull;
			Datum		d = olpe_slot_value(state, column->slot, &isnull);

			cached->value = isnull ? jsv_null() : DatumToJs(d, column->type, column);
			cached->done = true;
		}
		object->values[i] = cached->value;
	}

	data = jsv_undefined();
	data.kind = JS_OBJECT;
	data.u.object = object;
	return data;
}

/* ----------------------------------------------------------------
 * Evaluating and explaining
 * ----------------------------------------------------------------
 */

/*
 * olpe_eval_jsonlogic
 *		Evaluation function of ON_JSONLOGIC: the truthiness of the result.
 */
Datum
olpe_eval_jsonlogic(OlpeNode *node, OlpeEvalState *state, bool *isnull)
{
	JsValue		data = ListingData(node, state);
	JsValue		result = jsonlogic_eval(node->jsonlogic->tree, &data,
										olpe_max_expression_depth);

	*isnull = false;
	return BoolGetDatum(jsonlogic_truthy(&result));
}

/*
 * olpe_explain_jsonlogic
 *		Say what a JsonLogic condition returned and which values it read.
 *
 * Values are written as JSON, as the rule saw them. evaluate is false for
 * a rule that applies_when skipped: its condition is not run then.
 */
char *
olpe_explain_jsonlogic(OlpeNode *node, OlpeEvalState *state, bool evaluate)
{
	OlpeJsonLogic *jl = node->jsonlogic;
	JsValue		data = ListingData(node, state);
	StringInfoData buf;

	initStringInfo(&buf);
	if (evaluate)
	{
		JsValue		result = jsonlogic_eval(jl->tree, &data, olpe_max_expression_depth);

		appendStringInfoString(&buf, "JsonLogic condition returned ");
		jsv_to_json_text(&buf, &result);
		if (result.kind != JS_BOOLEAN)
			appendStringInfo(&buf, ", which is %s",
							 jsonlogic_truthy(&result) ? "truthy" : "falsy");
	}
	else
		appendStringInfoString(&buf, "JsonLogic condition not run");

	appendStringInfoString(&buf, "; read ");
	if (jl->all_keys && !jl->for_rows)
	{
		appendStringInfoString(&buf, "the whole document");
		return buf.data;
	}
	if (jl->nkeys == 0)
	{
		appendStringInfoString(&buf, "no attributes");
		return buf.data;
	}
	for (int i = 0; i < jl->nkeys; i++)
	{
		JsValue		v;

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, jl->keys[i]);
		if (state->listing_null)
			appendStringInfoString(&buf, " = null (the listing is NULL)");
		else if (jsv_get_property(&data, jl->keys[i], jl->keylens[i], &v))
		{
			appendStringInfoString(&buf, " = ");
			jsv_to_json_text(&buf, &v);
		}
		else
			appendStringInfoString(&buf, " is missing");
	}
	return buf.data;
}
