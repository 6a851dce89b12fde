/*-------------------------------------------------------------------------
 *
 * analyze.c
 *	  Semantic analysis and type checking of rule expressions.
 *
 * Analysis turns a syntax tree into a typed OlpeNode tree. Names are
 * resolved against the listing's row type (or the policy's target table for
 * documents), $params against the policy's parameters, and every operator,
 * cast and function is resolved with PostgreSQL's own machinery: oper() and
 * func_get_detail() pick the same operator or function that a SELECT would
 * pick for the same argument types, find_coercion_pathway() gives the same
 * implicit and explicit casts, and a quoted literal stays of unknown type
 * until its context types it, as in SQL. That is what makes a rule mean
 * what the same expression means in PostgreSQL.
 *
 * Only the rule language's types may appear as values: boolean, integer,
 * bigint, numeric, double precision, text, date, timestamptz, interval and
 * arrays of these. Columns of a few close types are read as one of these
 * (varchar and char(n) as text, smallint as integer, real as double
 * precision, timestamp as timestamptz), as the cast to that type would.
 *
 * An attribute of a document without a target table, or a path into a
 * jsonb value, has no type of its own; like a quoted literal it is typed by
 * its context, and its slot is created when that type is known.
 *
 * src/analyze.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_language.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "olpe.h"

static OlpeNode *transform(OlpeScope *scope, OlpeAst *ast);
static OlpeNode *coerce_to(OlpeScope *scope, OlpeNode *node, Oid target,
						   CoercionContext ccontext, bool noerror);
static OlpeNode *build_op(OlpeScope *scope, const char *opname, OlpeNode *left,
						 OlpeNode *right, int location, int end);

/* Context for errors raised by input functions while typing a literal. */
typedef struct PositionContext
{
	const char *text;
	int			location;
} PositionContext;

static void
position_callback(void *arg)
{
	PositionContext *pc = (PositionContext *) arg;

	olpe_errposition(pc->text, pc->location);
}

/* Is typid one of the types a rule value may have? */
static bool
is_supported_type(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
		case INT4OID:
		case INT8OID:
		case NUMERICOID:
		case FLOAT8OID:
		case TEXTOID:
		case DATEOID:
		case TIMESTAMPTZOID:
		case INTERVALOID:
		case BOOLARRAYOID:
		case INT4ARRAYOID:
		case INT8ARRAYOID:
		case NUMERICARRAYOID:
		case FLOAT8ARRAYOID:
		case TEXTARRAYOID:
		case DATEARRAYOID:
		case TIMESTAMPTZARRAYOID:
		case INTERVALARRAYOID:
			return true;
		default:
			return false;
	}
}

static OlpeNode *
new_node(OlpeNodeKind kind, Oid type, int location, int end)
{
	OlpeNode   *n = palloc0(sizeof(OlpeNode));

	n->kind = kind;
	n->type = type;
	n->location = location;
	n->end = end;
	n->slot = -1;
	n->ref_base = -1;
	if (type_is_collatable(type))
		n->collation = DEFAULT_COLLATION_OID;
	return n;
}

static void
set_args(OlpeNode *n, int nargs, OlpeNode **args)
{
	n->nargs = nargs;
	n->args = palloc(sizeof(OlpeNode *) * Max(nargs, 1));
	memcpy(n->args, args, sizeof(OlpeNode *) * nargs);
}

static OlpeNode *
build_const(Oid type, Datum value, bool isnull, int location, int end)
{
	OlpeNode   *n = new_node(ON_CONST, type, location, end);

	n->value = value;
	n->isnull = isnull;
	return n;
}

/*
 * Derive the collation a function runs under from its arguments, as
 * PostgreSQL's assign_collations does: a non-default collation that comes
 * from a column beats the database default, and two different non-default
 * collations conflict. A conflict is not an error by itself: like
 * PostgreSQL, olpe then runs the function with no collation, and a function
 * that needs one (a text comparison) raises 42P22 when it runs.
 */
static void
assign_collation(OlpeScope *scope, OlpeNode *n)
{
	Oid			coll = InvalidOid;
	bool		conflict = false;
	bool		any_collatable = false;

	for (int i = 0; i < n->nargs; i++)
	{
		OlpeNode   *a = n->args[i];

		if (a->collation_conflict)
		{
			conflict = true;
			continue;
		}
		if (!OidIsValid(a->collation))
			continue;
		any_collatable = true;
		if (a->collation == DEFAULT_COLLATION_OID || !a->implicit_collation)
			continue;
		if (OidIsValid(coll) && coll != a->collation)
			conflict = true;
		coll = a->collation;
	}

	n->collation_conflict = false;
	n->implicit_collation = false;
	if (conflict)
		n->inputcollid = InvalidOid;
	else if (OidIsValid(coll))
		n->inputcollid = coll;
	else
		n->inputcollid = any_collatable ? DEFAULT_COLLATION_OID : InvalidOid;

	if (type_is_collatable(n->type))
	{
		n->collation_conflict = conflict;
		n->collation = conflict ? InvalidOid :
			(OidIsValid(n->inputcollid) ? n->inputcollid : DEFAULT_COLLATION_OID);
		n->implicit_collation = !conflict && OidIsValid(coll);
	}
	else
		n->collation = InvalidOid;
}

/* A call of a function by OID; checks that its result type is supported. */
static OlpeNode *
make_func(OlpeScope *scope, Oid funcid, Oid rettype, int nargs,
		  OlpeNode **args, int location, int end)
{
	OlpeNode   *n = new_node(ON_FUNC, rettype, location, end);

	n->funcid = funcid;
	n->strict = func_strict(funcid);
	set_args(n, nargs, args);
	assign_collation(scope, n);
	return n;
}

/* COALESCE, LEAST, GREATEST: the construct's name for messages */
static const char *
upper_name(const char *name)
{
	char	   *s = pstrdup(name);

	for (char *p = s; *p; p++)
		*p = pg_toupper((unsigned char) *p);
	return s;
}

static const char *
type_name(Oid typid)
{
	if (typid == UNKNOWNOID)
		return "unknown";
	return format_type_be(typid);
}

/* ----------------------------------------------------------------
 * Attributes
 * ----------------------------------------------------------------
 */

/* Find a column by name, or 0. */
static int
find_column(TupleDesc tupdesc, const char *name)
{
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i + 1;
	}
	return 0;
}

/*
 * The supported type a column of type srctype is read as, or InvalidOid.
 */
static Oid
readable_type(Oid srctype)
{
	if (is_supported_type(srctype))
		return srctype;
	switch (srctype)
	{
		case VARCHAROID:
		case BPCHAROID:
		case NAMEOID:
			return TEXTOID;
		case INT2OID:
			return INT4OID;
		case FLOAT4OID:
			return FLOAT8OID;
		case TIMESTAMPOID:
			return TIMESTAMPTZOID;
		case VARCHARARRAYOID:
		case BPCHARARRAYOID:
			return TEXTARRAYOID;
		case INT2ARRAYOID:
			return INT4ARRAYOID;
		default:
			return InvalidOid;
	}
}

/*
 * Register (or find) a slot. Slots are shared by every reference to the same
 * attribute read as the same type.
 */
static int
add_slot(OlpeScope *scope, OlpeSlot *proto)
{
	ListCell   *lc;
	int			i = 0;
	OlpeSlot   *slot;

	foreach(lc, scope->slots)
	{
		OlpeSlot   *s = lfirst(lc);

		if (strcmp(s->name, proto->name) == 0 && s->type == proto->type &&
			s->attnum == proto->attnum && s->from_json == proto->from_json &&
			s->json_base == proto->json_base)
			return i;
		i++;
	}
	slot = palloc(sizeof(OlpeSlot));
	*slot = *proto;
	scope->slots = lappend(scope->slots, slot);
	return i;
}

static char *
path_name(List *path)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, path)
	{
		if (buf.len > 0)
			appendStringInfoChar(&buf, '.');
		appendStringInfoString(&buf, (char *) lfirst(lc));
	}
	return buf.data;
}

/* A slot reading a column of the listing row, or a typed key of a document. */
static OlpeNode *
column_var(OlpeScope *scope, Form_pg_attribute att, bool from_doc,
		   int location, int end)
{
	OlpeSlot	s;
	Oid			type = readable_type(att->atttypid);
	OlpeNode   *n;

	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" has type %s, which rule expressions cannot read",
						NameStr(att->attname), format_type_be(att->atttypid)),
				 errhint("Rules read boolean, integer, bigint, numeric, double precision, text, date, timestamptz, interval, arrays of these, and paths into jsonb columns."),
				 olpe_errposition(scope->text, location)));

	memset(&s, 0, sizeof(s));
	s.name = pstrdup(NameStr(att->attname));
	s.type = type;
	s.typmod = -1;
	s.collation = type_is_collatable(type) ?
		(OidIsValid(att->attcollation) ? att->attcollation : DEFAULT_COLLATION_OID) :
		InvalidOid;
	s.json_base = -1;

	/*
	 * A document's key is read as the column's type and typmod first, so
	 * that it is judged as the row would be.
	 */
	if (att->atttypid != type || (from_doc && att->atttypmod != -1))
	{
		s.srctype = att->atttypid;
		s.srctypmod = att->atttypmod;
	}
	if (from_doc)
	{
		s.from_json = true;
		s.npath = 1;
		s.path = palloc(sizeof(char *));
		s.path[0] = s.name;
	}
	else
		s.attnum = att->attnum;

	n = new_node(ON_VAR, type, location, end);
	n->slot = add_slot(scope, &s);
	n->collation = s.collation;
	n->implicit_collation = OidIsValid(s.collation);
	return n;
}

/* A slot reading a json or jsonb column of the listing row as jsonb. */
static OlpeNode *
jsonb_column_var(OlpeScope *scope, Form_pg_attribute att, int location, int end)
{
	OlpeSlot	s;
	OlpeNode   *n;

	memset(&s, 0, sizeof(s));
	s.name = pstrdup(NameStr(att->attname));
	s.type = JSONBOID;
	s.typmod = -1;
	s.attnum = att->attnum;
	s.json_base = -1;
	if (att->atttypid == JSONOID)
		s.srctype = JSONOID;
	n = new_node(ON_VAR, JSONBOID, location, end);
	n->slot = add_slot(scope, &s);
	return n;
}

/*
 * A reference whose type comes from its context: a document key without a
 * target table, or a path into a jsonb value. base is the slot of the jsonb
 * column, or -1 for the document itself.
 */
static OlpeNode *
dynamic_var(OlpeScope *scope, OlpeAst *ast, int base)
{
	OlpeNode   *n = new_node(ON_VAR, UNKNOWNOID, ast->location, ast->end);

	n->ref = ast;
	n->ref_base = base;
	return n;
}

/* Create the slot of a dynamic reference, now that its type is known. */
static OlpeNode *
type_dynamic_var(OlpeScope *scope, OlpeNode *var, Oid target)
{
	OlpeSlot	s;
	List	   *path = var->ref->path;
	int			skip = var->ref_base >= 0 ? 1 : 0;
	OlpeNode   *n;

	if (!is_supported_type(target))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("attribute \"%s\" cannot be read as type %s",
						path_name(path), type_name(target)),
				 olpe_errposition(scope->text, var->location)));

	memset(&s, 0, sizeof(s));
	s.name = path_name(path);
	s.type = target;
	s.typmod = -1;
	s.collation = type_is_collatable(target) ? DEFAULT_COLLATION_OID : InvalidOid;
	s.from_json = true;
	s.json_base = var->ref_base;
	s.npath = list_length(path) - skip;
	s.path = palloc(sizeof(char *) * Max(s.npath, 1));
	for (int i = 0; i < s.npath; i++)
		s.path[i] = list_nth(path, i + skip);

	n = new_node(ON_VAR, target, var->location, var->end);
	n->slot = add_slot(scope, &s);
	return n;
}

static OlpeNode *
transform_ref(OlpeScope *scope, OlpeAst *ast)
{
	const char *first = linitial(ast->path);
	TupleDesc	tupdesc = scope->tupdesc ? scope->tupdesc : scope->doc_tupdesc;
	bool		from_doc = scope->tupdesc == NULL;
	int			attnum;
	Form_pg_attribute att;
	OlpeNode   *base;

	if (tupdesc == NULL)
		return dynamic_var(scope, ast, -1);

	attnum = find_column(tupdesc, first);
	if (attnum == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" does not exist", first),
				 errdetail("The listing type has no column of that name."),
				 errhint("Column names are folded to lower case unless written in double quotes."),
				 olpe_errposition(scope->text, ast->location)));
	att = TupleDescAttr(tupdesc, attnum - 1);

	if (att->atttypid != JSONBOID && att->atttypid != JSONOID)
	{
		if (list_length(ast->path) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" does not exist", path_name(ast->path)),
					 errdetail("Column \"%s\" has type %s, and only jsonb columns have keys.",
							   first, format_type_be(att->atttypid)),
					 olpe_errposition(scope->text, ast->location)));
		return column_var(scope, att, from_doc, ast->location, ast->end);
	}

	/* a jsonb column: the column is the base of a dynamic reference */
	if (from_doc)
	{
		/* in a document, the whole path is read from the document */
		return dynamic_var(scope, ast, -1);
	}
	base = jsonb_column_var(scope, att, ast->location, ast->end);
	return dynamic_var(scope, ast, base->slot);
}

/*
 * olpe_column_var
 *		A reference to column attnum of the listing row type, with its slot.
 *
 * For conditions that read whole columns (JsonLogic): json and jsonb
 * columns are read as jsonb, and any other column as in a rule expression,
 * which raises 42804 for a type that rules cannot read. The location is
 * reported in that error and may be -1.
 */
OlpeNode *
olpe_column_var(OlpeScope *scope, int attnum, int location, int end)
{
	Form_pg_attribute att = TupleDescAttr(scope->tupdesc, attnum - 1);

	if (att->atttypid == JSONBOID || att->atttypid == JSONOID)
		return jsonb_column_var(scope, att, location, end);
	return column_var(scope, att, false, location, end);
}

/* ----------------------------------------------------------------
 * Literals and parameters
 * ----------------------------------------------------------------
 */

/*
 * Type a numeric literal as PostgreSQL's build_const() does: integer when it
 * fits in 32 bits, bigint when it fits in 64, numeric otherwise.
 */
static OlpeNode *
number_const(OlpeScope *scope, const char *text, bool decimal,
			 int location, int end)
{
	PositionContext pc = {scope->text, location};
	ErrorContextCallback cb;
	OlpeNode   *n;

	if (!decimal)
	{
		char	   *endptr;
		int64		v;

		errno = 0;
		v = strtoi64(text, &endptr, 10);
		if (*endptr == '\0' && errno == 0)
		{
			if (v == (int64) (int32) v)
				return build_const(INT4OID, Int32GetDatum((int32) v), false,
								  location, end);
			return build_const(INT8OID, Int64GetDatum(v), false, location, end);
		}
	}

	cb.callback = position_callback;
	cb.arg = &pc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	n = build_const(NUMERICOID,
				   DirectFunctionCall3(numeric_in, CStringGetDatum(text),
									   ObjectIdGetDatum(InvalidOid),
									   Int32GetDatum(-1)),
				   false, location, end);
	error_context_stack = cb.previous;
	return n;
}

/* A literal string of unknown type, kept as a C string until typed. */
static OlpeNode *
unknown_const(const char *text, int location, int end)
{
	return build_const(UNKNOWNOID, CStringGetDatum(pstrdup(text)), false,
					  location, end);
}

/* Read a string with the input function of type, reporting errors at location. */
static Datum
input_value(OlpeScope *scope, Oid type, const char *str, int location)
{
	PositionContext pc = {scope->text, location};
	ErrorContextCallback cb;
	Oid			infunc,
				ioparam;
	Datum		d;

	getTypeInputInfo(type, &infunc, &ioparam);
	cb.callback = position_callback;
	cb.arg = &pc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	d = OidInputFunctionCall(infunc, (char *) str, ioparam, -1);
	error_context_stack = cb.previous;
	return d;
}

static OlpeNode *
transform_const(OlpeScope *scope, OlpeAst *ast)
{
	switch (ast->constkind)
	{
		case OCONST_INTEGER:
			return number_const(scope, ast->text, false, ast->location, ast->end);
		case OCONST_DECIMAL:
			return number_const(scope, ast->text, true, ast->location, ast->end);
		case OCONST_STRING:
			return unknown_const(ast->text, ast->location, ast->end);
		case OCONST_TYPED:
			return build_const(ast->typid,
							  input_value(scope, ast->typid, ast->text, ast->location),
							  false, ast->location, ast->end);
		case OCONST_BOOL:
			return build_const(BOOLOID, BoolGetDatum(ast->boolval), false,
							  ast->location, ast->end);
		case OCONST_NULL:
			return build_const(UNKNOWNOID, (Datum) 0, true, ast->location, ast->end);
	}
	elog(ERROR, "unrecognized constant kind: %d", (int) ast->constkind);
	return NULL;
}

/* One element of a parameter's JSON array, as a node. */
static OlpeNode *
param_scalar(OlpeScope *scope, JsonbValue *v, const char *pname, OlpeAst *ast)
{
	switch (v->type)
	{
		case jbvNull:
			return build_const(UNKNOWNOID, (Datum) 0, true, ast->location, ast->end);
		case jbvString:
			return unknown_const(pnstrdup(v->val.string.val, v->val.string.len),
								 ast->location, ast->end);
		case jbvNumeric:
			{
				char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out,
																	NumericGetDatum(v->val.numeric)));

				return number_const(scope, s, strpbrk(s, ".eE") != NULL,
									ast->location, ast->end);
			}
		case jbvBool:
			return build_const(BOOLOID, BoolGetDatum(v->val.boolean), false,
							  ast->location, ast->end);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("parameter \"$%s\" holds a JSON object or nested array", pname),
					 errdetail("A parameter is a JSON string, number, boolean, null, or an array of these."),
					 olpe_errposition(scope->text, ast->location)));
	}
	return NULL;
}

static OlpeNode *transform_array_elems(OlpeScope *scope, OlpeNode *n,
									   bool from_param);

static OlpeNode *
transform_param(OlpeScope *scope, OlpeAst *ast)
{
	ListCell   *lc;
	Jsonb	   *value = NULL;

	foreach(lc, scope->params)
	{
		OlpeParam  *param = lfirst(lc);

		if (strcmp(param->name, ast->name) == 0)
		{
			value = param->value;
			break;
		}
	}
	if (value == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("parameter \"$%s\" does not exist", ast->name),
				 errhint("Add the parameter to olpe.policy_param before a rule uses it."),
				 olpe_errposition(scope->text, ast->location)));

	if (JB_ROOT_IS_SCALAR(value))
	{
		JsonbValue	v;

		if (!JsonbExtractScalar(&value->root, &v))
			elog(ERROR, "could not read scalar parameter \"%s\"", ast->name);
		return param_scalar(scope, &v, ast->name, ast);
	}
	if (JB_ROOT_IS_ARRAY(value))
	{
		JsonbIterator *it = JsonbIteratorInit(&value->root);
		JsonbValue	v;
		JsonbIteratorToken tok;
		List	   *elems = NIL;
		OlpeNode   *n = new_node(ON_ARRAY, UNKNOWNOID, ast->location, ast->end);
		int			i = 0;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_ELEM)
				elems = lappend(elems, param_scalar(scope, &v, ast->name, ast));
		}
		n->nargs = list_length(elems);
		n->args = palloc(sizeof(OlpeNode *) * Max(n->nargs, 1));
		foreach(lc, elems)
			n->args[i++] = lfirst(lc);
		return transform_array_elems(scope, n, true);
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("parameter \"$%s\" holds a JSON object", ast->name),
			 errdetail("A parameter is a JSON string, number, boolean, null, or an array of these."),
			 olpe_errposition(scope->text, ast->location)));
	return NULL;
}

/* ----------------------------------------------------------------
 * Coercion
 * ----------------------------------------------------------------
 */

/*
 * Pick the common type of a set of nodes, as PostgreSQL's
 * select_common_type() does: unknowns take the type of the others (text
 * when all are unknown), types of one category move up to the type that
 * the others cast to implicitly, and different categories do not mix.
 * With a NULL context, a mismatch returns InvalidOid instead of raising.
 */
static Oid
common_type(OlpeScope *scope, OlpeNode **nodes, int n, const char *context)
{
	Oid			ptype = UNKNOWNOID;
	char		pcategory = 0;
	bool		pispreferred = false;
	int			first = -1;

	for (int i = 0; i < n; i++)
	{
		Oid			ntype = nodes[i]->type;

		if (ntype == UNKNOWNOID)
			continue;
		if (first < 0)
		{
			first = i;
			ptype = ntype;
			get_type_category_preferred(ptype, &pcategory, &pispreferred);
			continue;
		}
		if (ntype != ptype)
		{
			char		ncategory;
			bool		nispreferred;

			get_type_category_preferred(ntype, &ncategory, &nispreferred);
			if (ncategory != pcategory && context == NULL)
				return InvalidOid;
			if (ncategory != pcategory)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("%s types %s and %s cannot be matched",
								context, type_name(ptype), type_name(ntype)),
						 olpe_errposition(scope->text, nodes[i]->location)));
			if (!pispreferred &&
				can_coerce_type(1, &ptype, &ntype, COERCION_IMPLICIT) &&
				!can_coerce_type(1, &ntype, &ptype, COERCION_IMPLICIT))
			{
				ptype = ntype;
				pcategory = ncategory;
				pispreferred = nispreferred;
			}
		}
	}
	if (ptype == UNKNOWNOID)
		ptype = TEXTOID;
	return ptype;
}

static OlpeNode *
coerce_or_error(OlpeScope *scope, OlpeNode *node, Oid target, const char *context)
{
	OlpeNode   *n = coerce_to(scope, node, target, COERCION_IMPLICIT, true);

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s could not convert type %s to %s",
						context, type_name(node->type), type_name(target)),
				 olpe_errposition(scope->text, node->location)));
	return n;
}

/* Give the elements of an ARRAY node their common type. */
static OlpeNode *
transform_array_elems(OlpeScope *scope, OlpeNode *n, bool from_param)
{
	Oid			elemtype;
	bool		all_unknown = true;

	for (int i = 0; i < n->nargs; i++)
	{
		if (n->args[i]->type != UNKNOWNOID)
			all_unknown = false;
		if (OidIsValid(get_element_type(n->args[i]->type)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("multidimensional arrays are not supported in rule expressions"),
					 errhint("Use a one-dimensional array, such as ARRAY[1, 2]."),
					 olpe_errposition(scope->text, n->args[i]->location)));
	}

	/*
	 * An empty array under a cast, or a parameter's list of strings, stays
	 * untyped until used, so that $holidays can be a list of dates and
	 * ARRAY[]::int[] works.
	 */
	if (n->nargs == 0 || (from_param && all_unknown))
	{
		n->type = TEXTARRAYOID;
		n->elems_unknown = true;
		n->elemtype = TEXTOID;
		for (int i = 0; i < n->nargs; i++)
			n->args[i] = coerce_or_error(scope, n->args[i], TEXTOID, "ARRAY");
		n->collation = DEFAULT_COLLATION_OID;
		return n;
	}

	elemtype = common_type(scope, n->args, n->nargs, "ARRAY");
	for (int i = 0; i < n->nargs; i++)
		n->args[i] = coerce_or_error(scope, n->args[i], elemtype, "ARRAY");
	n->elemtype = elemtype;
	n->type = get_array_type(elemtype);
	if (!is_supported_type(n->type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("arrays of type %s are not supported in rule expressions",
						type_name(elemtype)),
				 olpe_errposition(scope->text, n->location)));
	assign_collation(scope, n);
	return n;
}

/*
 * Convert node to type target, or return NULL when no cast exists and
 * noerror is set. Quoted literals are read with the input function of the
 * target type now, as PostgreSQL does at parse time.
 */
static OlpeNode *
coerce_to(OlpeScope *scope, OlpeNode *node, Oid target,
		  CoercionContext ccontext, bool noerror)
{
	CoercionPathType path;
	Oid			funcid;
	OlpeNode   *n;

	if (node->type == target)
	{
		/* a cast to the list's own type fixes its element type */
		if (node->kind == ON_ARRAY && node->elems_unknown)
		{
			n = palloc(sizeof(OlpeNode));
			*n = *node;
			n->elems_unknown = false;
			return n;
		}
		return node;
	}

	if (node->type == UNKNOWNOID)
	{
		if (node->kind == ON_CONST)
		{
			if (!is_supported_type(target))
				goto fail;
			if (node->isnull)
				return build_const(target, (Datum) 0, true, node->location, node->end);
			return build_const(target,
							  input_value(scope, target, DatumGetCString(node->value),
										  node->location),
							  false, node->location, node->end);
		}
		if (node->kind == ON_VAR && node->ref != NULL)
			return type_dynamic_var(scope, node, target);
		goto fail;
	}

	/* an untyped list becomes a list of the target's element type */
	if (node->kind == ON_ARRAY && node->elems_unknown &&
		OidIsValid(get_element_type(target)))
	{
		Oid			elemtype = get_element_type(target);
		OlpeNode   *arr;

		if (!OidIsValid(elemtype) || !is_supported_type(target))
			goto fail;
		arr = new_node(ON_ARRAY, target, node->location, node->end);
		arr->elemtype = elemtype;
		arr->nargs = node->nargs;
		arr->args = palloc(sizeof(OlpeNode *) * Max(node->nargs, 1));
		for (int i = 0; i < node->nargs; i++)
		{
			OlpeNode   *e = node->args[i];

			/* re-read the original string as the element type */
			if (e->kind == ON_CONST && !e->isnull)
				e = build_const(elemtype,
							   input_value(scope, elemtype,
										   TextDatumGetCString(e->value),
										   e->location),
							   false, e->location, e->end);
			else if (e->kind == ON_CONST)
				e = build_const(elemtype, (Datum) 0, true, e->location, e->end);
			arr->args[i] = e;
		}
		assign_collation(scope, arr);
		return arr;
	}

	path = find_coercion_pathway(target, node->type, ccontext, &funcid);
	switch (path)
	{
		case COERCION_PATH_NONE:
			goto fail;

		case COERCION_PATH_RELABELTYPE:
			n = palloc(sizeof(OlpeNode));
			*n = *node;
			n->type = target;
			return n;

		case COERCION_PATH_FUNC:
			{
				OlpeNode   *args[3];
				int			nargs = get_func_nargs(funcid);

				args[0] = node;
				args[1] = build_const(INT4OID, Int32GetDatum(-1), false,
									 node->location, node->end);
				args[2] = build_const(BOOLOID,
									 BoolGetDatum(ccontext == COERCION_EXPLICIT),
									 false, node->location, node->end);
				n = make_func(scope, funcid, target, nargs, args,
							  node->location, node->end);
				return n;
			}

		case COERCION_PATH_COERCEVIAIO:
			n = new_node(ON_IOCOERCE, target, node->location, node->end);
			set_args(n, 1, &node);
			assign_collation(scope, n);
			return n;

		case COERCION_PATH_ARRAYCOERCE:
			if (noerror)
				return NULL;
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("conversion of %s to %s is not supported in rule expressions",
							type_name(node->type), type_name(target)),
					 errhint("Write the array with elements of the target type."),
					 olpe_errposition(scope->text, node->location)));
	}

fail:
	if (noerror)
		return NULL;
	ereport(ERROR,
			(errcode(ERRCODE_CANNOT_COERCE),
			 errmsg("cannot cast type %s to %s",
					type_name(node->type), type_name(target)),
			 olpe_errposition(scope->text, node->location)));
	return NULL;
}

/* Coerce to boolean for AND, OR, NOT, CASE WHEN and the whole condition. */
static OlpeNode *
coerce_bool(OlpeScope *scope, OlpeNode *node, const char *context)
{
	OlpeNode   *n = coerce_to(scope, node, BOOLOID, COERCION_ASSIGNMENT, true);

	if (n == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument of %s must be type boolean, not type %s",
						context, type_name(node->type)),
				 olpe_errposition(scope->text, node->location)));
	return n;
}

/* ----------------------------------------------------------------
 * Operators
 * ----------------------------------------------------------------
 */
static bool
is_arithmetic(const char *opname)
{
	return strcmp(opname, "+") == 0 || strcmp(opname, "-") == 0 ||
		strcmp(opname, "*") == 0 || strcmp(opname, "/") == 0 ||
		strcmp(opname, "%") == 0 || strcmp(opname, "^") == 0;
}

static bool
is_sql_function(Oid funcid)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	bool		result;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	result = ((Form_pg_proc) GETSTRUCT(tup))->prolang == SQLlanguageId;
	ReleaseSysCache(tup);
	return result;
}

static bool
is_dynamic(OlpeNode *n)
{
	return n != NULL && n->type == UNKNOWNOID && n->kind == ON_VAR;
}

static void
no_operator(OlpeScope *scope, const char *opname, OlpeNode *left,
			OlpeNode *right, int location)
{
	if (left)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("operator does not exist: %s %s %s",
						type_name(left->type), opname, type_name(right->type)),
				 errhint("No operator matches these argument types. Cast an operand, for example x::numeric."),
				 olpe_errposition(scope->text, location)));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("operator does not exist: %s %s", opname, type_name(right->type)),
			 errhint("No operator matches this argument type. Cast the operand, for example x::numeric."),
			 olpe_errposition(scope->text, location)));
}

/* @>, <@, &&, = and the other array comparisons: both sides one array type. */
static OlpeNode *
make_array_op(OlpeScope *scope, const char *opname, Oid funcid,
			  OlpeNode *left, OlpeNode *right, int location, int end)
{
	OlpeNode   *args[2];
	Oid			type;

	if (left->type == UNKNOWNOID && right->type == UNKNOWNOID)
		type = TEXTARRAYOID;
	else if (left->type == UNKNOWNOID || (left->elems_unknown && !right->elems_unknown))
		type = right->type;
	else
		type = left->type;

	args[0] = coerce_to(scope, left, type, COERCION_IMPLICIT, true);
	args[1] = coerce_to(scope, right, type, COERCION_IMPLICIT, true);
	if (args[0] == NULL || args[1] == NULL ||
		!OidIsValid(get_element_type(type)))
		no_operator(scope, opname, left, right, location);
	return make_func(scope, funcid, BOOLOID, 2, args, location, end);
}

/*
 * Resolve an operator with PostgreSQL's oper() and build its call, after
 * casting the operands to the operator's input types.
 */
static OlpeNode *
build_op(OlpeScope *scope, const char *opname, OlpeNode *left, OlpeNode *right,
		int location, int end)
{
	/* only pg_catalog's operators, whatever the search_path */
	List	   *names = list_make2(makeString("pg_catalog"),
								   makeString(pstrdup(opname)));
	Operator	tup;
	Form_pg_operator opform;
	Oid			ltype = left ? left->type : InvalidOid;
	Oid			oprleft,
				oprright,
				oprresult;
	RegProcedure oprcode;
	OlpeNode   *args[2];
	int			nargs = 0;

	/*
	 * Arithmetic on document attributes of unknown type is numeric, where
	 * SQL would find unknown + unknown ambiguous.
	 */
	if (is_arithmetic(opname) &&
		(is_dynamic(left) || is_dynamic(right)) &&
		(left == NULL || left->type == UNKNOWNOID) && right->type == UNKNOWNOID)
	{
		if (left)
			left = coerce_to(scope, left, NUMERICOID, COERCION_IMPLICIT, false);
		right = coerce_to(scope, right, NUMERICOID, COERCION_IMPLICIT, false);
		ltype = left ? left->type : InvalidOid;
	}

	if (left)
		tup = oper(NULL, names, ltype, right->type, true, -1);
	else
		tup = left_oper(NULL, names, right->type, true, -1);
	if (tup == NULL)
		no_operator(scope, opname, left, right, location);

	opform = (Form_pg_operator) GETSTRUCT(tup);
	oprleft = opform->oprleft;
	oprright = opform->oprright;
	oprresult = opform->oprresult;
	oprcode = opform->oprcode;

	/*
	 * Operators such as integer + date are SQL functions that swap their
	 * arguments ("select $2 + $1"); PostgreSQL inlines them, so it evaluates
	 * the right operand first. Use the commutator directly, which gives the
	 * same value and the same order of evaluation.
	 */
	if (left && OidIsValid(opform->oprcom) && is_sql_function(oprcode))
	{
		Oid			com = opform->oprcom;
		OlpeNode   *tmp = left;

		ReleaseSysCache(tup);
		tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(com));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for operator %u", com);
		opform = (Form_pg_operator) GETSTRUCT(tup);
		left = right;
		right = tmp;
		ltype = left->type;
		oprleft = opform->oprleft;
		oprright = opform->oprright;
		oprresult = opform->oprresult;
		oprcode = opform->oprcode;
	}
	ReleaseSysCache(tup);

	/* the array operators are polymorphic: check the element types here */
	if (oprleft == ANYARRAYOID && oprright == ANYARRAYOID && oprresult == BOOLOID)
		return make_array_op(scope, opname, oprcode, left, right, location, end);

	/* text || anything: the other side goes through its output function */
	if (oprcode == F_TEXTANYCAT || oprcode == F_ANYTEXTCAT)
	{
		args[0] = coerce_to(scope, left, TEXTOID, COERCION_IMPLICIT, true);
		if (args[0] == NULL)
		{
			args[0] = new_node(ON_IOCOERCE, TEXTOID, left->location, left->end);
			set_args(args[0], 1, &left);
		}
		args[1] = coerce_to(scope, right, TEXTOID, COERCION_IMPLICIT, true);
		if (args[1] == NULL)
		{
			args[1] = new_node(ON_IOCOERCE, TEXTOID, right->location, right->end);
			set_args(args[1], 1, &right);
		}
		return make_func(scope, F_TEXTCAT, TEXTOID, 2, args, location, end);
	}

	if (IsPolymorphicType(oprleft) || IsPolymorphicType(oprright) ||
		!is_supported_type(oprresult) ||
		(left && !is_supported_type(oprleft)) || !is_supported_type(oprright))
	{
		if (oprresult != BOOLOID || IsPolymorphicType(oprleft) ||
			IsPolymorphicType(oprright) || !is_supported_type(oprright) ||
			(left && !is_supported_type(oprleft)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("operator %s%s%s %s is not supported in rule expressions",
							left ? type_name(ltype) : "", left ? " " : "",
							opname, type_name(right->type)),
					 errdetail("Its result type is %s.", type_name(oprresult)),
					 errhint("Cast an operand so that the operator works on a supported type, for example date_column::timestamptz + interval '1 day'."),
					 olpe_errposition(scope->text, location)));
	}

	if (left)
		args[nargs++] = coerce_or_error(scope, left, oprleft, "operator");
	args[nargs++] = coerce_or_error(scope, right, oprright, "operator");
	return make_func(scope, oprcode, oprresult, nargs, args, location, end);
}

/* ----------------------------------------------------------------
 * Functions
 * ----------------------------------------------------------------
 */
static const char *const allowed_functions[] = {
	"length", "lower", "upper", "btrim", "abs", "round", "floor", "ceil",
	"cardinality", "extract", NULL
};

static OlpeNode *
transform_func(OlpeScope *scope, OlpeAst *ast)
{
	const char *name = ast->name;
	int			nargs = list_length(ast->args);
	OlpeNode  **args = palloc(sizeof(OlpeNode *) * Max(nargs, 1));
	ListCell   *lc;
	int			i = 0;
	bool		allowed = false;

	if (strcmp(name, "trim") == 0)
		name = "btrim";
	else if (strcmp(name, "ceiling") == 0)
		name = "ceil";

	foreach(lc, ast->args)
		args[i++] = transform(scope, lfirst(lc));

	if (strcmp(name, "now") == 0 || strcmp(name, "current_date") == 0)
	{
		bool		is_now = name[0] == 'n';

		if (nargs != 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function %s takes no arguments", name),
					 olpe_errposition(scope->text, ast->location)));
		return new_node(is_now ? ON_NOW : ON_CURRENT_DATE,
						is_now ? TIMESTAMPTZOID : DATEOID, ast->location, ast->end);
	}

	if (strcmp(name, "coalesce") == 0 || strcmp(name, "least") == 0 ||
		strcmp(name, "greatest") == 0)
	{
		OlpeNode   *n;
		Oid			type;

		if (nargs == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("%s needs at least one argument", name),
					 olpe_errposition(scope->text, ast->location)));
		type = common_type(scope, args, nargs, upper_name(name));
		for (i = 0; i < nargs; i++)
			args[i] = coerce_or_error(scope, args[i], type, upper_name(name));
		n = new_node(name[0] == 'c' ? ON_COALESCE : ON_MINMAX, type,
					 ast->location, ast->end);
		set_args(n, nargs, args);
		if (n->kind == ON_MINMAX)
		{
			TypeCacheEntry *tce = lookup_type_cache(type, TYPECACHE_CMP_PROC);

			if (!OidIsValid(tce->cmp_proc))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_FUNCTION),
						 errmsg("could not identify a comparison function for type %s",
								type_name(type)),
						 olpe_errposition(scope->text, ast->location)));
			n->funcid = tce->cmp_proc;
			n->greatest = name[0] == 'g';
		}
		assign_collation(scope, n);
		return n;
	}

	for (i = 0; allowed_functions[i]; i++)
		if (strcmp(name, allowed_functions[i]) == 0)
			allowed = true;
	if (!allowed)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("function %s() is not available in rule expressions", ast->name),
				 errhint("Rules may call length, lower, upper, trim, abs, round, floor, ceil, least, greatest, coalesce, cardinality, now, current_date and extract."),
				 olpe_errposition(scope->text, ast->location)));

	{
		Oid		   *argtypes = palloc(sizeof(Oid) * Max(nargs, 1));
		Oid			funcid,
					rettype,
					vatype;
		Oid		   *true_typeids;
		bool		retset;
		int			nvargs;
		List	   *argdefaults;
		FuncDetailCode fdc;

		for (i = 0; i < nargs; i++)
			argtypes[i] = args[i]->type;
		fdc = func_get_detail(list_make2(makeString("pg_catalog"),
										 makeString(pstrdup(name))),
							  NIL, NIL, nargs, argtypes, false, false, false,
							  &funcid, &rettype, &retset, &nvargs, &vatype,
							  &true_typeids, &argdefaults);
		if (fdc != FUNCDETAIL_NORMAL || retset)
		{
			StringInfoData sig;

			initStringInfo(&sig);
			for (i = 0; i < nargs; i++)
				appendStringInfo(&sig, "%s%s", i ? ", " : "", type_name(argtypes[i]));
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function %s(%s) does not exist", ast->name, sig.data),
					 errhint("No function matches the given name and argument types. Cast an argument, for example x::numeric."),
					 olpe_errposition(scope->text, ast->location)));
		}
		for (i = 0; i < nargs; i++)
		{
			Oid			t = true_typeids[i];

			if (IsPolymorphicType(t))
			{
				/* cardinality(anyarray): the argument must already be an array */
				if (args[i]->type == UNKNOWNOID ||
					!OidIsValid(get_element_type(args[i]->type)))
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_FUNCTION),
							 errmsg("function %s(%s) does not exist", ast->name,
									type_name(args[i]->type)),
							 olpe_errposition(scope->text, args[i]->location)));
				continue;
			}
			args[i] = coerce_or_error(scope, args[i], t, "function argument");
		}
		if (!is_supported_type(rettype))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("function %s returns type %s, which rule expressions do not support",
							ast->name, type_name(rettype)),
					 olpe_errposition(scope->text, ast->location)));
		return make_func(scope, funcid, rettype, nargs, args, ast->location, ast->end);
	}
}

/* ----------------------------------------------------------------
 * The rest of the language
 * ----------------------------------------------------------------
 */
static OlpeNode *
make_bool_node(OlpeNodeKind kind, int nargs, OlpeNode **args, int location, int end)
{
	OlpeNode   *n = new_node(kind, BOOLOID, location, end);

	set_args(n, nargs, args);
	return n;
}

/* Does a subtree read the listing? */
static bool
reads_listing(OlpeNode *n)
{
	if (n->kind == ON_VAR)
		return true;
	for (int i = 0; i < n->nargs; i++)
		if (reads_listing(n->args[i]))
			return true;
	return false;
}

/*
 * x [NOT] IN (a, b, ...), built as PostgreSQL's transformAExprIn builds it:
 * the items that do not read the listing, when there are two or more, form
 * one array of their common type with x, compared by x = ANY (array) (or
 * x <> ALL for NOT IN); every other item gets its own comparison, joined by
 * OR (AND for NOT IN). The common type includes x, so "num IN (1e20,
 * 1e300::float8)" compares as double precision, exactly as in SQL.
 */
static OlpeNode *
transform_in_list(OlpeScope *scope, OlpeAst *ast, OlpeNode *lhs)
{
	int			nitems = list_length(ast->args) - 1;
	OlpeNode  **items = palloc(sizeof(OlpeNode *) * nitems);
	OlpeNode  **consts = palloc(sizeof(OlpeNode *) * (nitems + 1));
	bool	   *in_array = palloc0(sizeof(bool) * nitems);
	const char *opname = ast->negated ? "<>" : "=";
	OlpeNodeKind join = ast->negated ? ON_AND : ON_OR;
	OlpeNode   *result = NULL;
	int			nconsts = 0;

	for (int i = 0; i < nitems; i++)
	{
		items[i] = transform(scope, list_nth(ast->args, i + 1));
		if (!reads_listing(items[i]))
			consts[1 + nconsts++] = items[i];
	}

	if (nconsts > 1)
	{
		Oid			scalar_type;
		Oid			array_type = InvalidOid;
		bool		ok = true;

		consts[0] = lhs;
		scalar_type = common_type(scope, consts, nconsts + 1, NULL);
		for (int i = 0; OidIsValid(scalar_type) && i <= nconsts; i++)
		{
			Oid			t = consts[i]->type;

			if (t != UNKNOWNOID && !can_coerce_type(1, &t, &scalar_type, COERCION_IMPLICIT))
				ok = false;
		}
		if (OidIsValid(scalar_type) && ok)
			array_type = get_array_type(scalar_type);
		if (OidIsValid(array_type) && is_supported_type(array_type))
		{
			OlpeNode   *probe = build_const(scalar_type, (Datum) 0, true,
											ast->location, ast->end);
			OlpeNode   *cmp = build_op(scope, opname, lhs, probe,
										ast->location, ast->end);
			OlpeNode   *arr;
			OlpeNode   *args[2];
			Oid			elemtype;
			int			k = 0;

			if (cmp->kind != ON_FUNC || cmp->nargs != 2)
				elog(ERROR, "unexpected comparison for IN");
			elemtype = cmp->args[1]->type;
			arr = new_node(ON_ARRAY, get_array_type(elemtype), ast->location, ast->end);
			arr->elemtype = elemtype;
			arr->nargs = nconsts;
			arr->args = palloc(sizeof(OlpeNode *) * nconsts);
			for (int i = 0; i < nitems; i++)
			{
				if (reads_listing(items[i]))
					continue;
				arr->args[k] = coerce_or_error(scope, items[i], scalar_type, "IN");
				arr->args[k] = coerce_or_error(scope, arr->args[k], elemtype, "IN");
				in_array[i] = true;
				k++;
			}
			assign_collation(scope, arr);

			args[0] = cmp->args[0];
			args[1] = arr;
			result = new_node(ON_ANY, BOOLOID, ast->location, ast->end);
			set_args(result, 2, args);
			result->funcid = cmp->funcid;
			result->strict = cmp->strict;
			result->use_or = !ast->negated;
			result->elemtype = elemtype;
			result->inputcollid = cmp->inputcollid;
		}
	}

	for (int i = 0; i < nitems; i++)
	{
		OlpeNode   *cmp;

		if (in_array[i])
			continue;
		cmp = coerce_bool(scope, build_op(scope, opname, lhs, items[i],
										  items[i]->location, items[i]->end),
						  "IN");
		if (result == NULL)
			result = cmp;
		else
		{
			OlpeNode   *pair[2] = {result, cmp};

			result = make_bool_node(join, 2, pair, ast->location, ast->end);
		}
	}
	return result;
}

static OlpeNode *
transform_in(OlpeScope *scope, OlpeAst *ast)
{
	OlpeNode   *lhs = transform(scope, linitial(ast->args));
	OlpeNode   *result;

	if (ast->arg != NULL)
	{
		/* x IN $list is x = ANY($list) */
		OlpeNode   *list = transform(scope, ast->arg);
		OlpeNode   *args[2];
		OlpeNode   *eq;
		Oid			elemtype;

		if (list->kind != ON_ARRAY)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("parameter \"$%s\" is not a list", ast->arg->name),
					 errhint("IN needs a JSON array, for example [\"a\", \"b\"]."),
					 olpe_errposition(scope->text, ast->arg->location)));
		if (lhs->type == UNKNOWNOID)
			lhs = coerce_or_error(scope, lhs, list->elems_unknown ? TEXTOID : list->elemtype, "IN");
		if (list->elems_unknown)
		{
			Oid			arrtype = get_array_type(lhs->type);

			if (!OidIsValid(arrtype) || !is_supported_type(arrtype))
				no_operator(scope, "=", lhs, list, ast->location);
			list = coerce_or_error(scope, list, arrtype, "IN");
		}
		elemtype = list->elemtype;

		/* resolve "=" between the value and one element */
		{
			OlpeNode   *elem = build_const(elemtype, (Datum) 0, true,
										  list->location, list->end);

			eq = build_op(scope, "=", lhs, elem, ast->location, ast->end);
		}
		if (eq->kind != ON_FUNC || eq->nargs != 2 ||
			eq->args[1]->type != elemtype)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("IN types %s and %s cannot be matched",
							type_name(lhs->type), type_name(elemtype)),
					 olpe_errposition(scope->text, ast->location)));
		args[0] = eq->args[0];
		args[1] = list;
		result = new_node(ON_ANY, BOOLOID, ast->location, ast->end);
		set_args(result, 2, args);
		result->funcid = eq->funcid;
		result->strict = eq->strict;
		result->use_or = true;
		result->elemtype = elemtype;
		result->inputcollid = eq->inputcollid;
		if (OidIsValid(list->collation) && list->implicit_collation &&
			!eq->args[0]->implicit_collation)
			result->inputcollid = list->collation;
	}
	else
		result = transform_in_list(scope, ast, lhs);

	if (ast->negated && ast->arg != NULL)
		result = make_bool_node(ON_NOT, 1, &result, ast->location, ast->end);
	result->location = ast->location;
	result->end = ast->end;
	return result;
}

static OlpeNode *
transform_between(OlpeScope *scope, OlpeAst *ast)
{
	OlpeNode   *value = transform(scope, linitial(ast->args));
	OlpeNode   *low = transform(scope, lsecond(ast->args));
	OlpeNode   *high = transform(scope, lthird(ast->args));
	OlpeNode   *parts[2];

	/* PostgreSQL rewrites BETWEEN into two comparisons; so does olpe */
	if (value->type == UNKNOWNOID)
	{
		OlpeNode   *bounds[2] = {low, high};

		value = coerce_or_error(scope, value, common_type(scope, bounds, 2, "BETWEEN"),
								"BETWEEN");
	}
	if (!ast->negated)
	{
		parts[0] = build_op(scope, ">=", value, low, ast->location, ast->end);
		parts[1] = build_op(scope, "<=", value, high, ast->location, ast->end);
		return make_bool_node(ON_AND, 2, parts, ast->location, ast->end);
	}
	parts[0] = build_op(scope, "<", value, low, ast->location, ast->end);
	parts[1] = build_op(scope, ">", value, high, ast->location, ast->end);
	return make_bool_node(ON_OR, 2, parts, ast->location, ast->end);
}

static OlpeNode *
transform_case(OlpeScope *scope, OlpeAst *ast)
{
	int			npairs = list_length(ast->args) / 2;
	int			nresults = npairs + (ast->defresult ? 1 : 0);
	OlpeNode  **results = palloc(sizeof(OlpeNode *) * nresults);
	OlpeNode  **conds = palloc(sizeof(OlpeNode *) * npairs);
	OlpeNode   *test = NULL;
	OlpeNode   *n;
	Oid			type;
	int			k = 0;

	if (ast->arg)
	{
		test = transform(scope, ast->arg);
		if (test->type == UNKNOWNOID)
			test = coerce_or_error(scope, test, TEXTOID, "CASE");
	}

	for (int i = 0; i < npairs; i++)
	{
		OlpeNode   *cond = transform(scope, list_nth(ast->args, 2 * i));

		if (test)
		{
			OlpeNode   *placeholder = new_node(ON_CASETEST, test->type,
											   test->location, test->end);

			placeholder->collation = test->collation;
			placeholder->implicit_collation = test->implicit_collation;
			cond = build_op(scope, "=", placeholder, cond, cond->location, cond->end);
		}
		conds[i] = coerce_bool(scope, cond, "CASE/WHEN");
		results[i] = transform(scope, list_nth(ast->args, 2 * i + 1));
	}
	if (ast->defresult)
		results[npairs] = transform(scope, ast->defresult);

	type = common_type(scope, results, nresults, "CASE");
	for (int i = 0; i < nresults; i++)
		results[i] = coerce_or_error(scope, results[i], type, "CASE");

	n = new_node(ON_CASE, type, ast->location, ast->end);
	n->has_test = test != NULL;
	n->has_else = ast->defresult != NULL;
	n->nargs = (test ? 1 : 0) + 2 * npairs + (ast->defresult ? 1 : 0);
	n->args = palloc(sizeof(OlpeNode *) * n->nargs);
	if (test)
		n->args[k++] = test;
	for (int i = 0; i < npairs; i++)
	{
		n->args[k++] = conds[i];
		n->args[k++] = results[i];
	}
	if (ast->defresult)
		n->args[k++] = results[npairs];

	/* the result collation comes from the results only */
	{
		OlpeNode	tmp = *n;

		tmp.nargs = nresults;
		tmp.args = results;
		assign_collation(scope, &tmp);
		n->collation = tmp.collation;
		n->implicit_collation = tmp.implicit_collation;
	}
	return n;
}

static OlpeNode *
transform_words(OlpeScope *scope, OlpeAst *ast)
{
	OlpeNode   *args[2];
	OlpeNode   *n;

	args[0] = coerce_or_error(scope, transform(scope, linitial(ast->args)),
							  TEXTOID, "contains_any_word");
	args[1] = transform(scope, lsecond(ast->args));
	if (args[1]->type == UNKNOWNOID)
		args[1] = coerce_or_error(scope, args[1], TEXTARRAYOID, "contains_any_word");
	if (args[1]->type != TEXTARRAYOID)
		args[1] = coerce_to(scope, args[1], TEXTARRAYOID, COERCION_IMPLICIT, true);
	if (args[1] == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the right side of contains_any_word must be a list of text"),
				 errhint("Write ARRAY['word', 'other phrase'], ('word', 'other phrase') or a parameter holding a JSON array of strings."),
				 olpe_errposition(scope->text, ((OlpeAst *) lsecond(ast->args))->location)));
	n = new_node(ON_WORDS, BOOLOID, ast->location, ast->end);
	set_args(n, 2, args);
	assign_collation(scope, n);
	n->collation = InvalidOid;
	return n;
}

static OlpeNode *
transform(OlpeScope *scope, OlpeAst *ast)
{
	OlpeNode   *n = NULL;
	ListCell   *lc;
	int			i;

	check_stack_depth();

	switch (ast->kind)
	{
		case OAST_CONST:
			return transform_const(scope, ast);

		case OAST_REF:
			return transform_ref(scope, ast);

		case OAST_PARAM:
			return transform_param(scope, ast);

		case OAST_OP:
			if (list_length(ast->args) == 1)
				return build_op(scope, ast->name, NULL,
							   transform(scope, linitial(ast->args)),
							   ast->location, ast->end);
			{
				OlpeNode   *left = transform(scope, linitial(ast->args));
				OlpeNode   *right = transform(scope, lsecond(ast->args));

				if ((left->kind == ON_ARRAY && ((OlpeAst *) linitial(ast->args))->is_list) ||
					(right->kind == ON_ARRAY && ((OlpeAst *) lsecond(ast->args))->is_list))
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("a parenthesized list is allowed only after IN or contains_any_word"),
							 errhint("Write an array as ARRAY['a', 'b']."),
							 olpe_errposition(scope->text, ast->location)));
				return build_op(scope, ast->name, left, right, ast->location, ast->end);
			}

		case OAST_AND:
		case OAST_OR:
			{
				int			nargs = list_length(ast->args);
				OlpeNode  **args = palloc(sizeof(OlpeNode *) * nargs);

				i = 0;
				foreach(lc, ast->args)
				{
					args[i] = coerce_bool(scope, transform(scope, lfirst(lc)),
										  ast->kind == OAST_AND ? "AND" : "OR");
					i++;
				}
				return make_bool_node(ast->kind == OAST_AND ? ON_AND : ON_OR,
									  nargs, args, ast->location, ast->end);
			}

		case OAST_NOT:
			{
				OlpeNode   *arg = coerce_bool(scope, transform(scope, linitial(ast->args)),
											  "NOT");

				return make_bool_node(ON_NOT, 1, &arg, ast->location, ast->end);
			}

		case OAST_IS:
			{
				OlpeNode   *arg = transform(scope, linitial(ast->args));

				if (ast->istest == OIS_NULL)
				{
					if (arg->type == UNKNOWNOID && arg->kind == ON_VAR)
						arg = coerce_or_error(scope, arg, TEXTOID, "IS NULL");
				}
				else
					arg = coerce_bool(scope, arg,
									  ast->istest == OIS_TRUE ? "IS TRUE" :
									  ast->istest == OIS_FALSE ? "IS FALSE" : "IS UNKNOWN");
				n = make_bool_node(ON_IS, 1, &arg, ast->location, ast->end);
				n->istest = ast->istest;
				n->negated = ast->negated;
				return n;
			}

		case OAST_IN:
			return transform_in(scope, ast);

		case OAST_BETWEEN:
			return transform_between(scope, ast);

		case OAST_CASE:
			return transform_case(scope, ast);

		case OAST_FUNC:
			return transform_func(scope, ast);

		case OAST_CAST:
			{
				OlpeAst    *argast = linitial(ast->args);
				OlpeNode   *arg;

				/* only a cast gives an empty ARRAY[] its type */
				if (argast->kind == OAST_ARRAY && argast->args == NIL &&
					!argast->is_list)
					arg = transform_array_elems(scope,
												new_node(ON_ARRAY, UNKNOWNOID,
														 argast->location,
														 argast->end),
												false);
				else
					arg = transform(scope, argast);

				n = coerce_to(scope, arg, ast->typid, COERCION_EXPLICIT, false);
				if (n == arg)
				{
					n = palloc(sizeof(OlpeNode));
					*n = *arg;
				}
				n->location = ast->location;
				n->end = ast->end;
				return n;
			}

		case OAST_ARRAY:
			{
				if (ast->args == NIL && !ast->is_list)
					ereport(ERROR,
							(errcode(ERRCODE_INDETERMINATE_DATATYPE),
							 errmsg("cannot determine type of empty array"),
							 errhint("Explicitly cast to the desired type, for example ARRAY[]::integer[]."),
							 olpe_errposition(scope->text, ast->location)));
				n = new_node(ON_ARRAY, UNKNOWNOID, ast->location, ast->end);
				n->nargs = list_length(ast->args);
				n->args = palloc(sizeof(OlpeNode *) * Max(n->nargs, 1));
				i = 0;
				foreach(lc, ast->args)
					n->args[i++] = transform(scope, lfirst(lc));
				return transform_array_elems(scope, n, false);
			}

		case OAST_WORDS:
			return transform_words(scope, ast);
	}
	elog(ERROR, "unrecognized syntax node: %d", (int) ast->kind);
	return NULL;
}

/*
 * olpe_analyze
 *		Type-check a syntax tree in a scope and return the typed tree.
 *
 * With want_bool, the result must be boolean, as a rule condition must.
 */
OlpeNode *
olpe_analyze(OlpeScope *scope, OlpeAst *ast, bool want_bool)
{
	OlpeNode   *n = transform(scope, ast);

	if (want_bool)
	{
		OlpeNode   *b = coerce_to(scope, n, BOOLOID, COERCION_ASSIGNMENT, true);

		if (b == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s must be type boolean, not type %s",
							scope->what ? scope->what : "rule expression",
							type_name(n->type)),
					 errhint("Compare the value, for example x > 0 or x IS NOT NULL."),
					 olpe_errposition(scope->text, n->location)));
		n = b;
	}
	else if (n->type == UNKNOWNOID)
		n = coerce_or_error(scope, n, TEXTOID, "placeholder");
	return n;
}
