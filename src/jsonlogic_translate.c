/*-------------------------------------------------------------------------
 *
 * jsonlogic_translate.c
 *	  olpe.jsonlogic_to_rule(rule jsonb): translate a JsonLogic rule into
 *	  the rule language where the two agree.
 *
 * A rule condition passes when the JsonLogic result is truthy, so the
 * whole rule is translated in a boolean context: Condition() returns a
 * rule-language expression that is true exactly when the JsonLogic value
 * is truthy, and is never NULL. That settles the clash between JsonLogic's
 * two-valued truthiness and SQL's three-valued logic: every comparison
 * that can meet a missing or null attribute gets the value JsonLogic gives
 * it, usually through coalesce(). For example {">": [{"var": "x"}, 5]} is
 * false when x is missing (null converts to the number 0, and 0 > 5 is
 * false), and {"<": [{"var": "x"}, 5]} is true, so they become
 *
 *		coalesce(x::double precision > 5, false)
 *		coalesce(x::double precision < 5, true)
 *
 * JSON numbers are doubles in JavaScript, hence the cast to double
 * precision, which also reads a document attribute as a number whatever
 * its JSON form.
 *
 * The translation is exact when every attribute is null, is missing, or
 * has a value of the JSON type that the construct reads it as: a number
 * where it is compared with a number, a string where it is compared with a
 * string, a boolean where it is used alone as a condition or is compared
 * with true or false. Other values make JavaScript coerce them, and olpe
 * either raises 22P02 for them (a string that is no number read as double
 * precision) or reads them as that type (the number 5 compared with the
 * string '5'). docs/jsonlogic.md lists the constructs.
 *
 * What the rule language cannot express raises 0A000 with a detail saying
 * why: arithmetic, string operations, array operations, comparisons of two
 * attributes (JavaScript picks string or number comparison by the types it
 * finds), "in" over an attribute (substring or element, by type), var with
 * a default (used for missing but not for null keys). An operation
 * json-logic-js does not have raises 42883, as the JsonLogic engine does.
 * Subtrees that read no data are evaluated now, with the engine, and
 * replaced by their value.
 *
 * src/jsonlogic_translate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "jsonlogic.h"
#include "olpe.h"

PG_FUNCTION_INFO_V1(olpe_jsonlogic_to_rule);

/* How tightly a translated expression binds, to decide on parentheses. */
typedef enum Precedence
{
	PREC_OR = 1,
	PREC_AND,
	PREC_NOT,
	PREC_PREDICATE,				/* IS, comparisons */
	PREC_ATOM					/* literals, function calls, CASE */
} Precedence;

/* A translated boolean expression. */
typedef struct Sql
{
	char	   *text;
	Precedence	prec;
} Sql;

/* An operand of a comparison or of "in": an attribute or a constant. */
typedef struct Operand
{
	bool		is_var;
	char	   *path;			/* is_var: the attribute as rule-language text */
	JsValue		value;			/* otherwise: the constant value */
} Operand;

static Sql	Condition(const JsonLogicNode *node);

/* ----------------------------------------------------------------
 * Errors
 * ----------------------------------------------------------------
 */

/* Raise 0A000 for a construct that the rule language cannot express. */
static void
Untranslatable(const char *construct, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("JsonLogic %s cannot be translated to the rule language", construct),
			 errdetail_internal("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/* "operation \"name\"" */
static char *
OperationName(const JsonLogicNode *node)
{
	return psprintf("operation \"%s\"", node->name);
}

/* Reject an operation used with a number of arguments it is not translated for. */
static void
CheckArgumentCount(const JsonLogicNode *node, int min, int max)
{
	if (node->nargs < min || node->nargs > max)
		Untranslatable(psprintf("operation \"%s\" with %d argument%s", node->name,
								node->nargs, node->nargs == 1 ? "" : "s"),
					   min == max ?
					   psprintf("The translation supports \"%s\" with %d argument%s only, because json-logic-js fills missing arguments with undefined and evaluates and ignores extra ones.",
								node->name, min, min == 1 ? "" : "s") :
					   psprintf("The translation supports \"%s\" with %d to %d arguments only, because json-logic-js fills missing arguments with undefined and evaluates and ignores extra ones.",
								node->name, min, max),
					   NULL);
}

/* Raise 42883 for every operation that json-logic-js does not have. */
static void
CheckOperations(const JsonLogicNode *node)
{
	check_stack_depth();
	if (node->op == JL_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("unrecognized JsonLogic operation \"%s\"", node->name),
				 errdetail("json-logic-js 2.0.5 has no operation of that name.")));
	for (int i = 0; i < node->nargs; i++)
		CheckOperations(node->args[i]);
}

/* ----------------------------------------------------------------
 * Rule-language text
 * ----------------------------------------------------------------
 */

/* Words that the rule language's parser reads as keywords (parse.c). */
static const char *const reserved_words[] = {
	"and", "or", "not", "in", "is", "null", "true", "false", "unknown",
	"between", "like", "ilike", "case", "when", "then", "else", "end",
	"array", "contains_any_word", "extract", "from", "current_date",
};

/* Append a name, in double quotes unless it reads the same without. */
static void
AppendIdentifier(StringInfo buf, const char *name, int len)
{
	bool		plain = len > 0 && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');

	for (int i = 0; plain && i < len; i++)
		plain = (name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' ||
			(name[i] >= '0' && name[i] <= '9');
	for (int i = 0; plain && i < lengthof(reserved_words); i++)
		if (strlen(reserved_words[i]) == (size_t) len &&
			memcmp(reserved_words[i], name, len) == 0)
			plain = false;

	if (plain)
	{
		appendBinaryStringInfo(buf, name, len);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (int i = 0; i < len; i++)
	{
		if (name[i] == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, name[i]);
	}
	appendStringInfoChar(buf, '"');
}

static void
AppendStringLiteral(StringInfo buf, const char *str, int len)
{
	appendStringInfoChar(buf, '\'');
	for (int i = 0; i < len; i++)
	{
		if (str[i] == '\'')
			appendStringInfoChar(buf, '\'');
		appendStringInfoChar(buf, str[i]);
	}
	appendStringInfoChar(buf, '\'');
}

/* The shortest text that reads back as the same double, as JavaScript writes it. */
static char *
NumberText(double d)
{
	char		buf[JS_NUMBER_BUFLEN];

	js_number_to_cstring(d, buf);
	if (isnan(d) || isinf(d))
		Untranslatable(psprintf("number %s", buf),
					   "The rule language compares NaN and infinities as PostgreSQL does, which differs from JavaScript.",
					   NULL);
	return pstrdup(buf);
}

/* A constant as a rule-language literal. */
static char *
LiteralText(const JsValue *v)
{
	StringInfoData buf;

	switch (v->kind)
	{
		case JS_NUMBER:
			return NumberText(v->u.number);
		case JS_STRING:
			initStringInfo(&buf);
			AppendStringLiteral(&buf, v->u.str, v->len);
			return buf.data;
		case JS_BOOLEAN:
			return pstrdup(v->boolean ? "true" : "false");
		default:
			elog(ERROR, "unexpected JavaScript value kind %d for a literal", (int) v->kind);
	}
	return NULL;				/* keep the compiler quiet */
}

static Sql
MakeSql(char *text, Precedence prec)
{
	Sql			s;

	s.text = text;
	s.prec = prec;
	return s;
}

/* The text of an expression, in parentheses if it binds looser than prec. */
static char *
Wrap(Sql s, Precedence prec)
{
	if (s.prec < prec)
		return psprintf("(%s)", s.text);
	return s.text;
}

/* ----------------------------------------------------------------
 * Attributes
 * ----------------------------------------------------------------
 */

static bool
IsArrayIndex(const char *str, int len)
{
	if (len == 0)
		return false;
	for (int i = 0; i < len; i++)
		if (str[i] < '0' || str[i] > '9')
			return false;
	return true;
}

/*
 * The rule-language reference for a JsonLogic path: its components joined
 * by dots. Below the first component JsonLogic also reads array elements
 * and the length of arrays and strings, where olpe reads only object keys,
 * so such components are rejected.
 */
static char *
PathText(int npath, char **path, const int *pathlens)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < npath; i++)
	{
		if (pathlens[i] == 0)
			Untranslatable("var with an empty key",
						   "A rule-language name cannot be empty.",
						   NULL);
		if (i > 0 && IsArrayIndex(path[i], pathlens[i]))
			Untranslatable(psprintf("path component \"%s\"", path[i]),
						   "JsonLogic reads an array element there, and the rule language reads only keys of JSON objects.",
						   "Test array elements with = ANY or @> in the rule language.");
		if (i > 0 && pathlens[i] == 6 && memcmp(path[i], "length", 6) == 0)
			Untranslatable("path component \"length\"",
						   "JsonLogic reads the length of an array or a string there, and the rule language reads only keys of JSON objects.",
						   "Use length() or cardinality() in the rule language.");
		if (i > 0)
			appendStringInfoChar(&buf, '.');
		AppendIdentifier(&buf, path[i], pathlens[i]);
	}
	return buf.data;
}

/* A key of missing or missing_some, split at dots as var splits it. */
static char *
KeyText(const JsValue *key)
{
	JsValue		str;
	char	  **path;
	int		   *pathlens;
	int			npath = 1;
	int			start = 0;

	if (key->kind != JS_STRING && key->kind != JS_NUMBER)
		Untranslatable("key that is not a string or a number",
					   "The translation needs the keys of missing and missing_some as literal names.",
					   NULL);
	str = js_to_string(key);
	for (int i = 0; i < str.len; i++)
		if (str.u.str[i] == '.')
			npath++;
	path = palloc(sizeof(char *) * npath);
	pathlens = palloc(sizeof(int) * npath);
	npath = 0;
	for (int i = 0; i <= str.len; i++)
	{
		if (i == str.len || str.u.str[i] == '.')
		{
			path[npath] = pnstrdup(str.u.str + start, i - start);
			pathlens[npath] = i - start;
			npath++;
			start = i + 1;
		}
	}
	return PathText(npath, path, pathlens);
}

/* The attribute that a var reads. */
static char *
VarText(const JsonLogicNode *node)
{
	if (node->nargs > 2)
		CheckArgumentCount(node, 1, 2);
	if (node->nargs == 2 &&
		!(node->args[1]->op == JL_LITERAL && node->args[1]->value.kind == JS_NULL))
		Untranslatable("var with a default value",
					   "JsonLogic uses the default only when the key is missing, not when its value is null, and the rule language reads both as NULL.",
					   "Test the key with \"missing\" first, or write coalesce(attribute, default) in the rule language, which also replaces null.");
	if (node->const_path && node->whole_data)
		Untranslatable("var of the whole data",
					   "Rule-language expressions read named attributes, not the whole listing.",
					   NULL);
	if (!node->const_path)
		Untranslatable("var with a computed name",
					   "The name is known only when the rule runs, and rule-language names are fixed.",
					   NULL);
	return PathText(node->npath, node->path, node->pathlens);
}

/* ----------------------------------------------------------------
 * Constants
 * ----------------------------------------------------------------
 */

/* Does a subtree always give the same value, whatever the data? */
static bool
IsConstant(const JsonLogicNode *node)
{
	check_stack_depth();
	switch (node->op)
	{
		case JL_VAR:
		case JL_MISSING:
		case JL_MISSING_SOME:
		case JL_LOG:			/* it has a side effect: a NOTICE */
		case JL_UNKNOWN:
			return false;
		default:
			break;
	}
	for (int i = 0; i < node->nargs; i++)
		if (!IsConstant(node->args[i]))
			return false;
	return true;
}

/* The value of a constant subtree, computed as json-logic-js would. */
static JsValue
ConstantValue(const JsonLogicNode *node)
{
	JsValue		data = jsv_null();

	return jsonlogic_eval(node, &data, olpe_max_expression_depth);
}

/*
 * Read an operand of a comparison: a var, or a constant primitive. Arrays
 * and objects are compared by identity in JavaScript, so they are rejected.
 */
static Operand
ReadOperand(const JsonLogicNode *node, const JsonLogicNode *parent)
{
	Operand		o;

	memset(&o, 0, sizeof(o));
	if (node->op == JL_VAR)
	{
		o.is_var = true;
		o.path = VarText(node);
		return o;
	}
	if (!IsConstant(node))
		Untranslatable(psprintf("operation \"%s\" as an operand of \"%s\"", node->name, parent->name),
					   "The translation supports attributes (var) and constants as operands of comparisons, because other operations return values whose JSON type is known only when the rule runs.",
					   NULL);
	o.value = ConstantValue(node);
	if (o.value.kind == JS_ARRAY || o.value.kind == JS_OBJECT)
		Untranslatable(psprintf("%s operand of \"%s\"",
								o.value.kind == JS_ARRAY ? "array" : "object", parent->name),
					   "JavaScript compares arrays and objects by identity or converts them to strings, which has no equivalent in the rule language.",
					   NULL);
	return o;
}

/* ----------------------------------------------------------------
 * Comparisons
 * ----------------------------------------------------------------
 */

/* V = literal, V <> literal, V IS NULL, ... for ==, ===, != and !==. */
static Sql
Equality(const JsonLogicNode *node, const Operand *var, const Operand *lit)
{
	bool		negate = node->op == JL_NE || node->op == JL_STRICT_NE;
	const JsValue *v = &lit->value;

	switch (v->kind)
	{
		case JS_UNDEFINED:
			/* var gives null, never undefined, and null === undefined is false */
			if (node->op == JL_STRICT_EQ || node->op == JL_STRICT_NE)
				return MakeSql(pstrdup(negate ? "true" : "false"), PREC_ATOM);
			/* FALLTHROUGH */
		case JS_NULL:
			/* null == x holds for null and undefined, which var gives for missing keys */
			return MakeSql(psprintf("%s IS %sNULL", var->path, negate ? "NOT " : ""),
						   PREC_PREDICATE);
		case JS_BOOLEAN:
			return MakeSql(psprintf("%s IS %s%s", var->path, negate ? "NOT " : "",
									v->boolean ? "TRUE" : "FALSE"),
						   PREC_PREDICATE);
		case JS_NUMBER:
			return MakeSql(psprintf("coalesce(%s::double precision %s %s, %s)", var->path,
									negate ? "<>" : "=", NumberText(v->u.number),
									negate ? "true" : "false"),
						   PREC_ATOM);
		case JS_STRING:
			return MakeSql(psprintf("coalesce(%s %s %s, %s)", var->path,
									negate ? "<>" : "=", LiteralText(v),
									negate ? "true" : "false"),
						   PREC_ATOM);
		default:
			elog(ERROR, "unexpected JavaScript value kind %d", (int) v->kind);
	}
	return MakeSql(NULL, PREC_ATOM);	/* keep the compiler quiet */
}

/* The comparison operator of a relational operation, mirrored when flip. */
static const char *
RelationalOperator(JsonLogicOp op, bool flip)
{
	switch (op)
	{
		case JL_GT:
			return flip ? "<" : ">";
		case JL_GE:
			return flip ? "<=" : ">=";
		case JL_LT:
			return flip ? ">" : "<";
		case JL_LE:
			return flip ? ">=" : "<=";
		default:
			elog(ERROR, "unexpected JsonLogic operation %d", (int) op);
	}
	return NULL;				/* keep the compiler quiet */
}

/* The value of "0 op n" (or "n op 0" when flip): a null attribute reads as 0. */
static bool
CompareWithZero(JsonLogicOp op, bool flip, double n)
{
	double		a = flip ? n : 0;
	double		b = flip ? 0 : n;

	switch (op)
	{
		case JL_GT:
			return a > b;
		case JL_GE:
			return a >= b;
		case JL_LT:
			return a < b;
		case JL_LE:
			return a <= b;
		default:
			elog(ERROR, "unexpected JsonLogic operation %d", (int) op);
	}
	return false;				/* keep the compiler quiet */
}

/*
 * The number a constant operand of <, <=, > or >= compares as. JavaScript
 * compares two strings as strings and anything else as numbers; with a
 * constant number or null on one side it always compares numbers.
 */
static double
RelationalNumber(const JsonLogicNode *node, const Operand *lit, bool other_is_var)
{
	switch (lit->value.kind)
	{
		case JS_NUMBER:
			return lit->value.u.number;
		case JS_NULL:
			return 0;
		case JS_UNDEFINED:
			return NAN;			/* Number(undefined): every comparison is false */
		case JS_STRING:
			if (other_is_var)
				Untranslatable(psprintf("\"%s\" with a string", node->name),
							   "JavaScript orders two strings by UTF-16 code units and a string and a number as numbers, so the result depends on the type of the attribute, and the rule language orders text by collation.",
							   "Compare strings for equality, or write the comparison in the rule language.");
			break;
		case JS_BOOLEAN:
			if (other_is_var)
				Untranslatable(psprintf("\"%s\" with a boolean", node->name),
							   "JavaScript compares booleans as the numbers 0 and 1, and the rule language cannot order a boolean against a number.",
							   NULL);
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected constant operand of a JsonLogic comparison");
	return 0;					/* keep the compiler quiet */
}

/* One comparison a op b of <, <=, > or >=, as a never-NULL condition. */
static Sql
Relational(const JsonLogicNode *node, const Operand *a, const Operand *b)
{
	const Operand *var;
	const Operand *lit;
	bool		flip;
	double		n;

	if (a->is_var && b->is_var)
		Untranslatable(psprintf("\"%s\" between two vars", node->name),
					   "JavaScript compares two strings as strings and anything else as numbers, and the types of both values are known only when the rule runs.",
					   NULL);
	if (!a->is_var && !b->is_var)
	{
		JsValue		vals[2] = {a->value, b->value};
		JsValue		result = jsonlogic_operate(node->op, vals, 2);

		return MakeSql(pstrdup(jsonlogic_truthy(&result) ? "true" : "false"), PREC_ATOM);
	}

	/* written with the attribute on the left */
	flip = !a->is_var;
	var = flip ? b : a;
	lit = flip ? a : b;
	n = RelationalNumber(node, lit, true);
	if (isnan(n))
		return MakeSql(pstrdup("false"), PREC_ATOM);
	return MakeSql(psprintf("coalesce(%s::double precision %s %s, %s)", var->path,
							RelationalOperator(node->op, flip), NumberText(n),
							CompareWithZero(node->op, flip, n) ? "true" : "false"),
				   PREC_ATOM);
}

/*
 * {"<=": [low, {"var": x}, high]} as BETWEEN; any other three-argument
 * < or <= as two comparisons, as json-logic-js runs it (a < b && b < c).
 */
static Sql
Between(const JsonLogicNode *node, const Operand *ops)
{
	Sql			first;
	Sql			second;

	if (node->op == JL_LE && !ops[0].is_var && ops[1].is_var && !ops[2].is_var)
	{
		double		low = RelationalNumber(node, &ops[0], true);
		double		high = RelationalNumber(node, &ops[2], true);

		if (isnan(low) || isnan(high))
			return MakeSql(pstrdup("false"), PREC_ATOM);
		return MakeSql(psprintf("coalesce(%s::double precision BETWEEN %s AND %s, %s)",
								ops[1].path, NumberText(low), NumberText(high),
								low <= 0 && 0 <= high ? "true" : "false"),
					   PREC_ATOM);
	}
	first = Relational(node, &ops[0], &ops[1]);
	second = Relational(node, &ops[1], &ops[2]);

	/* a pair of constants drops out, or decides the whole */
	if (strcmp(first.text, "false") == 0 || strcmp(second.text, "true") == 0)
		return first;
	if (strcmp(second.text, "false") == 0 || strcmp(first.text, "true") == 0)
		return second;
	return MakeSql(psprintf("%s AND %s", Wrap(first, PREC_AND), Wrap(second, PREC_AND)),
				   PREC_AND);
}

static Sql
Comparison(const JsonLogicNode *node)
{
	Operand		ops[3];
	bool		three = (node->op == JL_LT || node->op == JL_LE) && node->nargs == 3;

	CheckArgumentCount(node, 2, three ? 3 : 2);
	for (int i = 0; i < node->nargs; i++)
		ops[i] = ReadOperand(node->args[i], node);

	if (three)
		return Between(node, ops);
	if (node->op == JL_GT || node->op == JL_GE || node->op == JL_LT || node->op == JL_LE)
		return Relational(node, &ops[0], &ops[1]);

	if (ops[0].is_var && ops[1].is_var)
		Untranslatable(psprintf("\"%s\" between two vars", node->name),
					   node->op == JL_EQ || node->op == JL_NE ?
					   psprintf("JavaScript coerces mixed types in %s, which has no exact equivalent: the types of both values are known only when the rule runs.", node->name) :
					   psprintf("JavaScript's %s is false for values of different types, and the types of both values are known only when the rule runs.", node->name),
					   NULL);
	return ops[0].is_var ? Equality(node, &ops[0], &ops[1]) : Equality(node, &ops[1], &ops[0]);
}

/* ----------------------------------------------------------------
 * in, missing, missing_some
 * ----------------------------------------------------------------
 */

/*
 * {"in": [{"var": x}, [constants]]}: json-logic-js tests the list with
 * indexOf, which compares with ===. Arrays and objects in the list never
 * equal a value read from the data, so they drop out. null matches a null
 * or missing attribute. The other elements must have one JSON type.
 */
static Sql
InList(const JsonLogicNode *node, const char *path, const JsValue *list)
{
	JsArrayIter iter;
	JsValue		elem;
	JsKind		kind = JS_UNDEFINED;
	bool		has_null = false;
	List	   *literals = NIL;
	ListCell   *lc;
	StringInfoData buf;
	Sql			match;

	jsv_array_iter_init(&iter, list);
	while (jsv_array_iter_next(&iter, &elem))
	{
		if (elem.kind == JS_NULL || elem.kind == JS_UNDEFINED)
		{
			/* undefined === null is false, but var never gives undefined */
			has_null |= elem.kind == JS_NULL;
			continue;
		}
		if (elem.kind == JS_ARRAY || elem.kind == JS_OBJECT)
			continue;
		if (kind != JS_UNDEFINED && kind != elem.kind)
			Untranslatable("\"in\" with a list of mixed JSON types",
						   "json-logic-js compares with ===, so each element matches only values of its own JSON type, and the rule language reads an attribute as one type.",
						   "Split the list by type into several \"in\" tests joined with \"or\".");
		kind = elem.kind;
		literals = lappend(literals, LiteralText(&elem));
	}

	initStringInfo(&buf);
	if (literals != NIL)
	{
		const char *cast = kind == JS_NUMBER ? "::double precision" : "";

		if (list_length(literals) == 1)
			appendStringInfo(&buf, "coalesce(%s%s = %s, false)", path, cast,
							 (char *) linitial(literals));
		else
		{
			appendStringInfo(&buf, "coalesce(%s%s IN (", path, cast);
			foreach(lc, literals)
				appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
								 (char *) lfirst(lc));
			appendStringInfoString(&buf, "), false)");
		}
	}
	match = MakeSql(buf.data, PREC_ATOM);

	if (has_null && literals == NIL)
		return MakeSql(psprintf("%s IS NULL", path), PREC_PREDICATE);
	if (has_null)
		return MakeSql(psprintf("%s IS NULL OR %s", path, match.text), PREC_OR);
	if (literals == NIL)
		return MakeSql(pstrdup("false"), PREC_ATOM);
	return match;
}

static Sql
In(const JsonLogicNode *node)
{
	const JsonLogicNode *needle;
	const JsonLogicNode *haystack;
	JsValue		list;

	CheckArgumentCount(node, 2, 2);
	needle = node->args[0];
	haystack = node->args[1];

	if (haystack->op == JL_VAR)
		Untranslatable("\"in\" over a var",
					   "Whether \"in\" tests for a substring or for an array element depends on the type of the value, which is known only when the rule runs.",
					   "Write the condition in the rule language: amenities @> ARRAY['wifi'] for an array, or title LIKE '%wifi%' for text.");
	if (!IsConstant(haystack))
		Untranslatable(psprintf("operation \"%s\" as the second operand of \"in\"", haystack->name),
					   "The translation supports \"in\" with a constant list only.",
					   NULL);
	if (needle->op != JL_VAR)
		Untranslatable(psprintf("operation \"%s\" as the first operand of \"in\"", needle->name),
					   "The translation supports \"in\" with a var as its first operand only.",
					   NULL);

	list = ConstantValue(haystack);
	if (list.kind == JS_STRING)
		Untranslatable("\"in\" with a string",
					   "JavaScript's indexOf converts the value to a string first (null becomes \"null\"), which has no exact equivalent in the rule language.",
					   "Write the condition in the rule language, for example with LIKE.");
	if (list.kind != JS_ARRAY)
		return MakeSql(pstrdup("false"), PREC_ATOM);	/* json-logic-js: false */
	return InList(node, VarText(needle), &list);
}

/*
 * A key counts as missing when its value is null, "" or not there. The
 * cast to text reads any attribute, and only a null or an empty string
 * gives ''.
 */
static char *
MissingTest(const JsValue *key)
{
	return psprintf("coalesce(%s::text, '') = ''", KeyText(key));
}

/* The missing tests of keys given as literals. */
static List *
MissingTests(const JsonLogicNode *node, JsonLogicNode **keys, int nkeys)
{
	List	   *tests = NIL;

	for (int i = 0; i < nkeys; i++)
	{
		if (keys[i]->op != JL_LITERAL)
			Untranslatable(psprintf("\"%s\" with a computed key", node->name),
						   "The translation needs the keys of missing and missing_some as literal names.",
						   NULL);
		tests = lappend(tests, MissingTest(&keys[i]->value));
	}
	return tests;
}

static Sql
JoinOr(List *tests)
{
	StringInfoData buf;
	ListCell   *lc;

	if (tests == NIL)
		return MakeSql(pstrdup("false"), PREC_ATOM);
	if (list_length(tests) == 1)
		return MakeSql(linitial(tests), PREC_PREDICATE);
	initStringInfo(&buf);
	foreach(lc, tests)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? " OR " : "",
						 (char *) lfirst(lc));
	return MakeSql(buf.data, PREC_OR);
}

/*
 * missing is truthy when it lists at least one key. The keys are its
 * arguments, or the elements of its first argument when that is a list.
 */
static Sql
Missing(const JsonLogicNode *node)
{
	if (node->nargs > 0 && node->args[0]->op == JL_ARRAY)
	{
		if (node->nargs > 1)
			Untranslatable("\"missing\" with a list of keys and further arguments",
						   "json-logic-js reads the keys from the list and evaluates and ignores the other arguments.",
						   NULL);
		return JoinOr(MissingTests(node, node->args[0]->args, node->args[0]->nargs));
	}
	return JoinOr(MissingTests(node, node->args, node->nargs));
}

/*
 * missing_some(need, keys) returns [] when at least need keys are present,
 * else the missing keys, so it is truthy when fewer than need keys are
 * present and at least one is missing.
 */
static Sql
MissingSome(const JsonLogicNode *node)
{
	List	   *tests;
	int			nkeys;
	double		need;
	double		allowed_missing;
	StringInfoData buf;
	ListCell   *lc;

	CheckArgumentCount(node, 2, 2);
	if (!IsConstant(node->args[0]) || ConstantValue(node->args[0]).kind != JS_NUMBER)
		Untranslatable("\"missing_some\" whose first argument is not a number",
					   "The translation needs the number of keys required as a constant number.",
					   NULL);
	if (node->args[1]->op != JL_ARRAY)
		Untranslatable("\"missing_some\" whose second argument is not a list",
					   "The translation needs the keys of missing_some as a list of literal names.",
					   NULL);
	need = ConstantValue(node->args[0]).u.number;
	tests = MissingTests(node, node->args[1]->args, node->args[1]->nargs);
	nkeys = list_length(tests);

	if (isnan(need) || need <= 0)
		return MakeSql(pstrdup("false"), PREC_ATOM);
	if (need > nkeys)
		return JoinOr(tests);

	/* fewer than need present: more than nkeys - ceil(need) missing */
	allowed_missing = nkeys - ceil(need);
	if (allowed_missing == 0)
		return JoinOr(tests);
	initStringInfo(&buf);
	foreach(lc, tests)
		appendStringInfo(&buf, "%sCASE WHEN %s THEN 1 ELSE 0 END",
						 foreach_current_index(lc) > 0 ? " + " : "", (char *) lfirst(lc));
	appendStringInfo(&buf, " > %.0f", allowed_missing);
	return MakeSql(buf.data, PREC_PREDICATE);
}

/* ----------------------------------------------------------------
 * Conditions
 * ----------------------------------------------------------------
 */

static Sql
Not(const JsonLogicNode *arg)
{
	if (arg->op == JL_VAR)
		return MakeSql(psprintf("%s IS NOT TRUE", VarText(arg)), PREC_PREDICATE);
	return MakeSql(psprintf("NOT %s", Wrap(Condition(arg), PREC_ATOM)), PREC_NOT);
}

/* and, or: truthy when all (and) or any (or) argument is truthy. */
static Sql
AndOr(const JsonLogicNode *node)
{
	bool		is_and = node->op == JL_AND;
	StringInfoData buf;

	/* and/or of no argument return undefined, which is falsy */
	if (node->nargs == 0)
		return MakeSql(pstrdup("false"), PREC_ATOM);
	if (node->nargs == 1)
		return Condition(node->args[0]);

	initStringInfo(&buf);
	for (int i = 0; i < node->nargs; i++)
	{
		Sql			arg = Condition(node->args[i]);

		if (i > 0)
			appendStringInfoString(&buf, is_and ? " AND " : " OR ");
		/* AND inside OR gets parentheses too, for the reader */
		if (!is_and && arg.prec == PREC_AND)
			appendStringInfo(&buf, "(%s)", arg.text);
		else
			appendStringInfoString(&buf, Wrap(arg, is_and ? PREC_AND : PREC_OR));
	}
	return MakeSql(buf.data, is_and ? PREC_AND : PREC_OR);
}

/*
 * if and ?: take pairs of condition and result, then an optional else. A
 * single argument is the result, and no else gives null, which is falsy.
 */
static Sql
If(const JsonLogicNode *node)
{
	StringInfoData buf;
	int			i;

	if (node->nargs == 0)
		return MakeSql(pstrdup("false"), PREC_ATOM);
	if (node->nargs == 1)
		return Condition(node->args[0]);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "CASE");
	for (i = 0; i + 1 < node->nargs; i += 2)
		appendStringInfo(&buf, " WHEN %s THEN %s", Condition(node->args[i]).text,
						 Condition(node->args[i + 1]).text);
	appendStringInfo(&buf, " ELSE %s END",
					 i < node->nargs ? Condition(node->args[i]).text : "false");
	return MakeSql(buf.data, PREC_ATOM);
}

/*
 * The truthiness of a JsonLogic value as a rule-language condition that is
 * never NULL.
 */
static Sql
Condition(const JsonLogicNode *node)
{
	check_stack_depth();

	if (IsConstant(node))
	{
		JsValue		value = ConstantValue(node);

		return MakeSql(pstrdup(jsonlogic_truthy(&value) ? "true" : "false"), PREC_ATOM);
	}

	switch (node->op)
	{
		case JL_VAR:
			/* truthy for true; the attribute is read as boolean */
			return MakeSql(psprintf("%s IS TRUE", VarText(node)), PREC_PREDICATE);
		case JL_NOT:
			CheckArgumentCount(node, 1, 1);
			return Not(node->args[0]);
		case JL_TRUTHY:
			CheckArgumentCount(node, 1, 1);
			return Condition(node->args[0]);
		case JL_AND:
		case JL_OR:
			return AndOr(node);
		case JL_IF:
			return If(node);
		case JL_EQ:
		case JL_STRICT_EQ:
		case JL_NE:
		case JL_STRICT_NE:
		case JL_GT:
		case JL_GE:
		case JL_LT:
		case JL_LE:
			return Comparison(node);
		case JL_IN:
			return In(node);
		case JL_MISSING:
			return Missing(node);
		case JL_MISSING_SOME:
			return MissingSome(node);
		case JL_ARRAY:
			Untranslatable("array of rules used as a condition",
						   "An array is truthy when it is not empty, whatever its elements, so the condition does not depend on the data the way it appears to.",
						   NULL);
			break;
		case JL_ADD:
		case JL_SUB:
		case JL_MUL:
		case JL_DIV:
		case JL_MOD:
		case JL_MAX:
		case JL_MIN:
			Untranslatable(OperationName(node),
						   "JsonLogic arithmetic converts its operands with JavaScript's rules (\"+\" and \"*\" with parseFloat, so \"12px\" is 12), which have no exact equivalent in the rule language.",
						   "Write the computation in the rule language.");
			break;
		case JL_CAT:
		case JL_SUBSTR:
			Untranslatable(OperationName(node),
						   "JsonLogic string operations work on UTF-16 code units and write numbers as JavaScript does, which the rule language does not.",
						   NULL);
			break;
		case JL_MAP:
		case JL_FILTER:
		case JL_REDUCE:
		case JL_ALL:
		case JL_NONE:
		case JL_SOME:
		case JL_MERGE:
			Untranslatable(OperationName(node),
						   "The rule language has no operations that run an expression over each element of an array.",
						   "Test arrays with = ANY, @>, && or cardinality() in the rule language.");
			break;
		case JL_LOG:
			Untranslatable(OperationName(node),
						   "The rule language has no expression that writes a message as it runs.",
						   NULL);
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected JsonLogic operation %d", (int) node->op);
	return MakeSql(NULL, PREC_ATOM);	/* keep the compiler quiet */
}

/*
 * olpe.jsonlogic_to_rule(rule jsonb) returns text
 *
 * The rule-language condition that passes exactly when the JsonLogic rule
 * is truthy, for attributes of the types the construct reads (see the file
 * header), or an error naming the construct that has no such translation.
 */
Datum
olpe_jsonlogic_to_rule(PG_FUNCTION_ARGS)
{
	Jsonb	   *rule = PG_GETARG_JSONB_P(0);
	Size		size = VARSIZE(rule) - VARHDRSZ;
	JsValue		value;
	JsonLogicNode *tree;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("olpe.jsonlogic_to_rule requires a database with UTF8 encoding"),
				 errdetail("The database encoding is %s. JsonLogic strings follow JavaScript, which counts and orders them in UTF-16 code units.",
						   GetDatabaseEncodingName())));
	if (size > (Size) olpe_max_expression_length)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("JsonLogic rule is too large"),
				 errdetail("The rule takes %zu bytes as jsonb, more than the limit of %d bytes.",
						   size, olpe_max_expression_length),
				 errhint("Simplify the rule, or raise \"olpe.max_expression_length\".")));

	value = jsv_from_jsonb(rule);
	tree = jsonlogic_compile(&value, olpe_max_expression_depth);
	CheckOperations(tree);
	PG_RETURN_TEXT_P(cstring_to_text(Condition(tree).text));
}
