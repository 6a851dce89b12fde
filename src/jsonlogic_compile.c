/*-------------------------------------------------------------------------
 *
 * jsonlogic_compile.c
 *	  Compile a JsonLogic rule into a tree of JsonLogicNode.
 *
 * json-logic-js reads a rule as follows. An array is a list of rules. An
 * object with exactly one key is an operation, whose arguments are the
 * key's value: an array of rules, or one rule when it is not an array.
 * Every other value, including objects with zero or several keys, is a
 * literal. Compilation resolves operator names and splits constant var
 * paths once. It never rejects an unknown operator: json-logic-js raises
 * "Unrecognized operation" only when the operation runs, so a JL_UNKNOWN
 * node raises it at evaluation time, and a branch that does not run does
 * not fail.
 *
 * The same compiler handles rules that arrive as data at evaluation time:
 * "missing" and "missing_some" run the keys they are given as rules.
 *
 * src/jsonlogic_compile.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/bitmapset.h"

#include "jsonlogic.h"
#include "olpe.h"

typedef struct JsonLogicOperator
{
	const char *name;
	JsonLogicOp op;
} JsonLogicOperator;

/* The operators of json-logic-js 2.0.5, by the names rules use. */
static const JsonLogicOperator operators[] = {
	{"var", JL_VAR},
	{"missing", JL_MISSING},
	{"missing_some", JL_MISSING_SOME},
	{"if", JL_IF},
	{"?:", JL_IF},
	{"==", JL_EQ},
	{"===", JL_STRICT_EQ},
	{"!=", JL_NE},
	{"!==", JL_STRICT_NE},
	{"!", JL_NOT},
	{"!!", JL_TRUTHY},
	{"or", JL_OR},
	{"and", JL_AND},
	{">", JL_GT},
	{">=", JL_GE},
	{"<", JL_LT},
	{"<=", JL_LE},
	{"max", JL_MAX},
	{"min", JL_MIN},
	{"+", JL_ADD},
	{"-", JL_SUB},
	{"*", JL_MUL},
	{"/", JL_DIV},
	{"%", JL_MOD},
	{"map", JL_MAP},
	{"filter", JL_FILTER},
	{"reduce", JL_REDUCE},
	{"all", JL_ALL},
	{"none", JL_NONE},
	{"some", JL_SOME},
	{"merge", JL_MERGE},
	{"in", JL_IN},
	{"cat", JL_CAT},
	{"substr", JL_SUBSTR},
	{"log", JL_LOG},
};

static JsonLogicOp
LookupOperator(const char *name, int len)
{
	for (int i = 0; i < lengthof(operators); i++)
	{
		if (strlen(operators[i].name) == (size_t) len &&
			memcmp(operators[i].name, name, len) == 0)
			return operators[i].op;
	}
	return JL_UNKNOWN;
}

/* The operation of this name in json-logic-js 2.0.5, or JL_UNKNOWN. */
JsonLogicOp
jsonlogic_lookup_operator(const char *name)
{
	return LookupOperator(name, strlen(name));
}

/*
 * Split String(key) of a constant var argument at dots, as
 * String(a).split(".") does, or mark the node as reading the whole data
 * for null and "". Keys whose string form is not fixed (objects, arrays)
 * are left to evaluation.
 */
static void
SetConstantPath(JsonLogicNode *node)
{
	const JsValue *key;
	JsValue		str;
	int			start = 0;

	if (node->nargs == 0)
	{
		node->const_path = node->whole_data = true;
		return;
	}
	if (node->args[0]->op != JL_LITERAL)
		return;
	key = &node->args[0]->value;
	if (key->kind == JS_NULL || (key->kind == JS_STRING && key->len == 0))
	{
		node->const_path = node->whole_data = true;
		return;
	}
	if (key->kind != JS_STRING && key->kind != JS_NUMBER && key->kind != JS_BOOLEAN)
		return;

	str = js_to_string(key);
	node->npath = 1;
	for (int i = 0; i < str.len; i++)
		if (str.u.str[i] == '.')
			node->npath++;
	node->path = palloc(sizeof(char *) * node->npath);
	node->pathlens = palloc(sizeof(int) * node->npath);
	node->npath = 0;
	for (int i = 0; i <= str.len; i++)
	{
		if (i == str.len || str.u.str[i] == '.')
		{
			node->path[node->npath] = pnstrdup(str.u.str + start, i - start);
			node->pathlens[node->npath] = i - start;
			node->npath++;
			start = i + 1;
		}
	}
	node->const_path = true;
}

static JsonLogicNode *
CompileValue(const JsValue *rule, int depth, int max_depth)
{
	JsonLogicNode *node;

	check_stack_depth();

	/* literals do not count: only operations and arrays nest */
	if (depth > max_depth &&
		(rule->kind == JS_ARRAY ||
		 (rule->kind == JS_OBJECT && jsv_object_size(rule) == 1)))
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("JsonLogic rule is nested too deeply"),
				 errdetail("Operations and arrays are nested more than %d levels deep.",
						   max_depth),
				 errhint("Simplify the rule, or raise \"olpe.max_expression_depth\" (currently %d).",
						 max_depth)));

	node = palloc0(sizeof(JsonLogicNode));

	if (rule->kind == JS_ARRAY)
	{
		JsArrayIter iter;
		JsValue		elem;
		int			i = 0;

		node->op = JL_ARRAY;
		node->nargs = jsv_array_length(rule);
		node->args = palloc(sizeof(JsonLogicNode *) * Max(node->nargs, 1));
		jsv_array_iter_init(&iter, rule);
		while (jsv_array_iter_next(&iter, &elem))
			node->args[i++] = CompileValue(&elem, depth + 1, max_depth);
		return node;
	}

	if (rule->kind == JS_OBJECT && jsv_object_size(rule) == 1)
	{
		const char *key;
		int			keylen;
		JsValue		values;

		jsv_object_first(rule, &key, &keylen, &values);
		node->name = pnstrdup(key, keylen);
		node->op = LookupOperator(key, keylen);

		/* a single argument need not be wrapped in an array */
		if (values.kind == JS_ARRAY)
		{
			JsArrayIter iter;
			JsValue		elem;
			int			i = 0;

			node->nargs = jsv_array_length(&values);
			node->args = palloc(sizeof(JsonLogicNode *) * Max(node->nargs, 1));
			jsv_array_iter_init(&iter, &values);
			while (jsv_array_iter_next(&iter, &elem))
				node->args[i++] = CompileValue(&elem, depth + 1, max_depth);
		}
		else
		{
			node->nargs = 1;
			node->args = palloc(sizeof(JsonLogicNode *));
			node->args[0] = CompileValue(&values, depth + 1, max_depth);
		}

		if (node->op == JL_VAR)
			SetConstantPath(node);
		return node;
	}

	node->op = JL_LITERAL;
	node->value = *rule;
	return node;
}

/*
 * Compile a rule. The tree points into the memory of rule (its strings and
 * literal objects), which must live as long as the tree.
 */
JsonLogicNode *
jsonlogic_compile(const JsValue *rule, int max_depth)
{
	return CompileValue(rule, 1, max_depth);
}

/* Add the first component of a constant key, or give up on the key list. */
static void
AddRootKey(List **keys, bool *all_keys, const JsValue *key)
{
	JsValue		str;
	int			len = 0;

	if (key->kind != JS_STRING && key->kind != JS_NUMBER)
	{
		*all_keys = true;
		return;
	}
	str = js_to_string(key);
	if (str.len == 0)
	{
		*all_keys = true;
		return;
	}
	while (len < str.len && str.u.str[len] != '.')
		len++;
	*keys = lappend(*keys, pnstrdup(str.u.str, len));
}

static void
CollectRootKeys(const JsonLogicNode *node, List **keys, bool *all_keys)
{
	check_stack_depth();

	switch (node->op)
	{
		case JL_VAR:
			if (!node->const_path || node->whole_data)
				*all_keys = true;
			else
				*keys = lappend(*keys, pnstrdup(node->path[0], node->pathlens[0]));
			break;

		case JL_MISSING:
		case JL_MISSING_SOME:
			{
				/* keys listed as literals, directly or in one array literal */
				int			first = node->op == JL_MISSING_SOME ? 1 : 0;
				const JsonLogicNode *list = node;
				int			start = first;

				if (node->nargs > first && node->args[first]->op == JL_ARRAY)
				{
					list = node->args[first];
					start = 0;
				}
				else if (node->op == JL_MISSING_SOME)
				{
					*all_keys = true;
					break;
				}
				for (int i = start; i < list->nargs; i++)
				{
					if (list->args[i]->op != JL_LITERAL)
						*all_keys = true;
					else
						AddRootKey(keys, all_keys, &list->args[i]->value);
				}
			}
			break;

		case JL_MAP:
		case JL_FILTER:
		case JL_ALL:
		case JL_NONE:
		case JL_SOME:
		case JL_REDUCE:
			/* the second argument runs over the elements, not the data */
			for (int i = 0; i < node->nargs; i++)
				if (i != 1)
					CollectRootKeys(node->args[i], keys, all_keys);
			break;

		default:
			break;
	}

	if (node->op == JL_MAP || node->op == JL_FILTER || node->op == JL_ALL ||
		node->op == JL_NONE || node->op == JL_SOME || node->op == JL_REDUCE)
		return;
	for (int i = 0; i < node->nargs; i++)
		CollectRootKeys(node->args[i], keys, all_keys);
}

/*
 * List the top-level keys of the data that a compiled rule can read (as
 * palloc'd C strings, possibly repeated), for callers that build the root
 * data value themselves. *all_keys is set when the rule can read keys that
 * are not known before evaluation, such as {"var": ""} or a computed key.
 */
List *
jsonlogic_root_keys(const JsonLogicNode *node, bool *all_keys)
{
	List	   *keys = NIL;

	*all_keys = false;
	CollectRootKeys(node, &keys, all_keys);
	return keys;
}
