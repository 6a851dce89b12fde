/*-------------------------------------------------------------------------
 *
 * jsonlogic.h
 *	  JsonLogic rules with the semantics of json-logic-js 2.0.5.
 *
 * A JsonLogic rule is compiled once into a tree of JsonLogicNode
 * (jsonlogic_compile.c) and evaluated over a data value by jsonlogic_eval
 * (jsonlogic_eval.c, with the operations on values in jsonlogic_ops.c).
 * Both work on JavaScript values (JsValue), which jsonlogic_value.c
 * converts to and from jsonb and jsonlogic_coerce.c coerces the way
 * JavaScript does (ToNumber, ToString, ==, <, ...). jsonlogic.c contains
 * the SQL function olpe.jsonlogic_apply and the per-backend cache of
 * compiled rules.
 *
 * The evaluator reads data only through JsValue, so a caller that has no
 * jsonb document (a table row, for example) can build the root value as a
 * JS_OBJECT with a JsObject of the attributes the rule reads:
 * jsonlogic_root_keys lists them.
 *
 * src/jsonlogic.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OLPE_JSONLOGIC_H
#define OLPE_JSONLOGIC_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* The JavaScript types that JsonLogic values can have. */
typedef enum JsKind
{
	JS_UNDEFINED,
	JS_NULL,
	JS_BOOLEAN,
	JS_NUMBER,
	JS_STRING,
	JS_ARRAY,
	JS_OBJECT
} JsKind;

typedef struct JsValue JsValue;

/* An array built during evaluation (map, filter, merge, array literals). */
typedef struct JsArray
{
	MemoryContext cxt;			/* context the array was built in */
	int			length;
	JsValue    *items;
} JsArray;

/* An object built during evaluation (the scope of reduce) or by a caller. */
typedef struct JsObject
{
	MemoryContext cxt;			/* context the object was built in */
	int			nkeys;
	const char **keys;			/* UTF-8, not NUL-terminated */
	int		   *keylens;
	JsValue    *values;
} JsObject;

/*
 * A JavaScript value. Arrays and objects are either stored in a jsonb
 * container (in_jsonb: data documents and rule literals) or built in memory.
 * Their identity, which JavaScript's == and === compare, is the address of
 * the container or of the JsArray/JsObject. Strings are UTF-8 and point into
 * jsonb or palloc'd memory; they are never NUL-terminated.
 */
struct JsValue
{
	JsKind		kind;
	bool		boolean;		/* JS_BOOLEAN */
	bool		in_jsonb;		/* JS_ARRAY, JS_OBJECT: u.container is set */
	int			len;			/* JS_STRING: length in bytes */
	union
	{
		double		number;
		const char *str;
		JsonbContainer *container;
		JsArray    *array;
		JsObject   *object;
	}			u;
};

/* Result of JavaScript's abstract relational comparison. */
typedef enum JsCompare
{
	JS_CMP_FALSE,
	JS_CMP_TRUE,
	JS_CMP_UNDEFINED			/* a NaN was involved */
} JsCompare;

/* Buffer size for js_number_to_cstring. */
#define JS_NUMBER_BUFLEN 40

/* ----------------------------------------------------------------
 * Values (jsonlogic_value.c)
 * ----------------------------------------------------------------
 */
extern JsValue jsv_undefined(void);
extern JsValue jsv_null(void);
extern JsValue jsv_boolean(bool b);
extern JsValue jsv_number(double d);
extern JsValue jsv_string(const char *str, int len);
extern JsValue jsv_cstring(const char *str);
extern JsValue jsv_new_array(int length);
extern JsValue jsv_from_jsonb(Jsonb *jb);
extern void jsv_from_jsonb_value(const JsonbValue *jv, JsValue *out);
extern Jsonb *jsv_to_jsonb(const JsValue *v);
extern void jsv_to_json_text(StringInfo buf, const JsValue *v);

extern bool jsv_is_array(const JsValue *v);
extern int	jsv_array_length(const JsValue *v);
extern JsValue jsv_array_get(const JsValue *v, int i);
extern int	jsv_object_size(const JsValue *v);
extern void jsv_object_first(const JsValue *v, const char **key, int *keylen,
							 JsValue *value);
extern bool jsv_get_property(const JsValue *v, const char *key, int keylen,
							 JsValue *out);
extern bool jsv_has_own_key(const JsValue *v, const char *key);

/* Array iteration, for arrays stored in jsonb or built in memory. */
typedef struct JsArrayIter
{
	const JsValue *array;
	int			index;
	JsonbIterator *it;
} JsArrayIter;

extern void jsv_array_iter_init(JsArrayIter *iter, const JsValue *array);
extern bool jsv_array_iter_next(JsArrayIter *iter, JsValue *out);

/* ----------------------------------------------------------------
 * JavaScript conversions and operators (jsonlogic_coerce.c)
 * ----------------------------------------------------------------
 */
extern bool js_to_boolean(const JsValue *v);
extern bool jsonlogic_truthy(const JsValue *v);
extern JsValue js_to_primitive(const JsValue *v);
extern double js_to_number(const JsValue *v);
extern void js_append_string(StringInfo buf, const JsValue *v);
extern JsValue js_to_string(const JsValue *v);
extern double js_parse_float(const JsValue *v);
extern double js_string_to_number(const char *str, int len);
extern double js_to_integer_or_infinity(const JsValue *v);
extern int	js_number_to_cstring(double d, char *buf);
extern bool js_strict_equals(const JsValue *a, const JsValue *b);
extern bool js_loose_equals(const JsValue *a, const JsValue *b);
extern JsCompare js_less_than(const JsValue *a, const JsValue *b);
extern JsValue js_add(const JsValue *a, const JsValue *b);
extern int	js_compare_strings(const char *a, int alen, const char *b, int blen);
extern int	js_utf16_length(const char *str, int len);
extern JsValue js_utf16_substring(const char *str, int len, int start, int end);

/* ----------------------------------------------------------------
 * Compiled rules (jsonlogic_compile.c)
 * ----------------------------------------------------------------
 */
typedef enum JsonLogicOp
{
	JL_LITERAL,					/* a primitive or a non-logic object */
	JL_ARRAY,					/* array literal: elements are rules */
	JL_VAR,
	JL_MISSING,
	JL_MISSING_SOME,
	JL_IF,						/* "if" and "?:" */
	JL_EQ,
	JL_STRICT_EQ,
	JL_NE,
	JL_STRICT_NE,
	JL_NOT,
	JL_TRUTHY,					/* "!!" */
	JL_OR,
	JL_AND,
	JL_GT,
	JL_GE,
	JL_LT,
	JL_LE,
	JL_MAX,
	JL_MIN,
	JL_ADD,
	JL_SUB,
	JL_MUL,
	JL_DIV,
	JL_MOD,
	JL_MAP,
	JL_FILTER,
	JL_REDUCE,
	JL_ALL,
	JL_NONE,
	JL_SOME,
	JL_MERGE,
	JL_IN,
	JL_CAT,
	JL_SUBSTR,
	JL_LOG,
	JL_UNKNOWN					/* raises "Unrecognized operation" when run */
} JsonLogicOp;

typedef struct JsonLogicNode
{
	JsonLogicOp op;
	int			nargs;
	struct JsonLogicNode **args;
	JsValue		value;			/* JL_LITERAL */
	char	   *name;			/* operator as written (NUL-terminated) */

	/*
	 * JL_VAR whose first argument is a constant: the path split at dots, or
	 * whole_data for "", null and a missing argument.
	 */
	bool		const_path;
	bool		whole_data;
	int			npath;
	char	  **path;
	int		   *pathlens;
} JsonLogicNode;

extern JsonLogicNode *jsonlogic_compile(const JsValue *rule, int max_depth);
extern JsonLogicOp jsonlogic_lookup_operator(const char *name);
extern List *jsonlogic_root_keys(const JsonLogicNode *node, bool *all_keys);

/* ----------------------------------------------------------------
 * Evaluation (jsonlogic_eval.c, jsonlogic_ops.c)
 * ----------------------------------------------------------------
 */
extern JsValue jsonlogic_eval(const JsonLogicNode *node, const JsValue *data,
							  int max_depth);
extern JsValue jsonlogic_operate(JsonLogicOp op, const JsValue *vals, int nvals);

#endif							/* OLPE_JSONLOGIC_H */
