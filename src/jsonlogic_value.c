/*-------------------------------------------------------------------------
 *
 * jsonlogic_value.c
 *	  JavaScript values for JsonLogic: conversion from and to jsonb, and
 *	  property lookup in arrays, objects and strings.
 *
 * Data documents and rule literals stay in their jsonb containers; only
 * the values that evaluation builds are allocated as JsArray and JsObject.
 *
 * Property lookup differs from JavaScript on purpose: it finds only own
 * properties, array indexes and "length" of arrays and strings. The members
 * that JavaScript objects inherit from their prototypes (toString,
 * constructor, ...) are functions, which JSON cannot carry and which differ
 * between JavaScript engines.
 *
 * src/jsonlogic_value.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "jsonlogic.h"

static JsonbValue *PushValue(JsonbParseState **state, const JsValue *v,
							 JsonbIteratorToken seq);

/* ----------------------------------------------------------------
 * Constructors
 * ----------------------------------------------------------------
 */
JsValue
jsv_undefined(void)
{
	JsValue		v;

	memset(&v, 0, sizeof(v));
	v.kind = JS_UNDEFINED;
	return v;
}

JsValue
jsv_null(void)
{
	JsValue		v = jsv_undefined();

	v.kind = JS_NULL;
	return v;
}

JsValue
jsv_boolean(bool b)
{
	JsValue		v = jsv_undefined();

	v.kind = JS_BOOLEAN;
	v.boolean = b;
	return v;
}

JsValue
jsv_number(double d)
{
	JsValue		v = jsv_undefined();

	v.kind = JS_NUMBER;
	v.u.number = d;
	return v;
}

JsValue
jsv_string(const char *str, int len)
{
	JsValue		v = jsv_undefined();

	v.kind = JS_STRING;
	v.u.str = str;
	v.len = len;
	return v;
}

JsValue
jsv_cstring(const char *str)
{
	return jsv_string(str, strlen(str));
}

/* Allocate an array of length elements, all undefined. */
JsValue
jsv_new_array(int length)
{
	JsValue		v = jsv_undefined();
	JsArray    *array = palloc(sizeof(JsArray));

	array->cxt = CurrentMemoryContext;
	array->length = length;
	array->items = length > 0 ? palloc0(sizeof(JsValue) * length) : NULL;
	v.kind = JS_ARRAY;
	v.u.array = array;
	return v;
}

/* ----------------------------------------------------------------
 * jsonb -> JsValue
 * ----------------------------------------------------------------
 */

/*
 * Convert a numeric to the double that JSON.parse would read from the same
 * text. The text of a numeric is exact, and strtod rounds it correctly.
 * Overflow gives +-Infinity and underflow gives 0 or a subnormal, as in
 * JavaScript, so ERANGE is ignored.
 */
static double
NumericToDouble(Numeric num)
{
	char	   *text;
	double		d;

	text = DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(num)));
	d = strtod(text, NULL);
	pfree(text);
	return d;
}

/* Convert one jsonb value; containers stay in place (in_jsonb). */
void
jsv_from_jsonb_value(const JsonbValue *jv, JsValue *out)
{
	switch (jv->type)
	{
		case jbvNull:
			*out = jsv_null();
			break;
		case jbvString:
			*out = jsv_string(jv->val.string.val, jv->val.string.len);
			break;
		case jbvNumeric:
			*out = jsv_number(NumericToDouble(jv->val.numeric));
			break;
		case jbvBool:
			*out = jsv_boolean(jv->val.boolean);
			break;
		case jbvBinary:
			{
				JsonbContainer *container = jv->val.binary.data;

				if (JsonContainerIsScalar(container))
				{
					JsonbValue	scalar;

					if (!JsonbExtractScalar(container, &scalar))
						elog(ERROR, "invalid jsonb scalar container");
					jsv_from_jsonb_value(&scalar, out);
					return;
				}
				*out = jsv_undefined();
				out->kind = JsonContainerIsArray(container) ? JS_ARRAY : JS_OBJECT;
				out->in_jsonb = true;
				out->u.container = container;
				break;
			}
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) jv->type);
	}
}

/* The value of a whole jsonb datum. */
JsValue
jsv_from_jsonb(Jsonb *jb)
{
	JsonbValue	jv;
	JsValue		v;

	jv.type = jbvBinary;
	jv.val.binary.data = &jb->root;
	jv.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	jsv_from_jsonb_value(&jv, &v);
	return v;
}

/* ----------------------------------------------------------------
 * JsValue -> jsonb, as JSON.stringify writes it
 * ----------------------------------------------------------------
 */

/* Fill a jsonb scalar from a primitive: NaN and +-Infinity become null. */
static void
ScalarToJsonb(const JsValue *v, JsonbValue *jv)
{
	switch (v->kind)
	{
		case JS_UNDEFINED:
		case JS_NULL:
			jv->type = jbvNull;
			break;
		case JS_BOOLEAN:
			jv->type = jbvBool;
			jv->val.boolean = v->boolean;
			break;
		case JS_NUMBER:
			if (isnan(v->u.number) || isinf(v->u.number))
				jv->type = jbvNull;
			else
			{
				char		buf[JS_NUMBER_BUFLEN];

				js_number_to_cstring(v->u.number, buf);
				jv->type = jbvNumeric;
				jv->val.numeric =
					DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(buf),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
			}
			break;
		case JS_STRING:
			jv->type = jbvString;
			jv->val.string.val = (char *) v->u.str;
			jv->val.string.len = v->len;
			break;
		default:
			elog(ERROR, "unexpected JavaScript value kind %d", (int) v->kind);
	}
}

/*
 * Push one value as an array element or object value, and return what the
 * last pushJsonbValue call returned: the finished tree when v is the
 * outermost array or object. Arrays and objects are rebuilt even when they
 * come from jsonb, because every number inside them goes through a double,
 * as it does in JavaScript.
 */
static JsonbValue *
PushValue(JsonbParseState **state, const JsValue *v, JsonbIteratorToken seq)
{
	JsonbValue	jv;

	check_stack_depth();

	if (v->kind == JS_ARRAY)
	{
		JsArrayIter iter;
		JsValue		elem;

		pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
		jsv_array_iter_init(&iter, v);
		while (jsv_array_iter_next(&iter, &elem))
			PushValue(state, &elem, WJB_ELEM);
		return pushJsonbValue(state, WJB_END_ARRAY, NULL);
	}

	if (v->kind == JS_OBJECT)
	{
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		if (v->in_jsonb)
		{
			JsonbIterator *it = JsonbIteratorInit(v->u.container);
			JsonbIteratorToken tok;
			JsonbValue	item;

			while ((tok = JsonbIteratorNext(&it, &item, true)) != WJB_DONE)
			{
				if (tok == WJB_KEY)
					pushJsonbValue(state, WJB_KEY, &item);
				else if (tok == WJB_VALUE)
				{
					JsValue		value;

					jsv_from_jsonb_value(&item, &value);
					PushValue(state, &value, WJB_VALUE);
				}
			}
		}
		else
		{
			JsObject   *obj = v->u.object;

			for (int i = 0; i < obj->nkeys; i++)
			{
				JsonbValue	key;

				/* JSON.stringify leaves out members whose value is undefined */
				if (obj->values[i].kind == JS_UNDEFINED)
					continue;
				key.type = jbvString;
				key.val.string.val = (char *) obj->keys[i];
				key.val.string.len = obj->keylens[i];
				pushJsonbValue(state, WJB_KEY, &key);
				PushValue(state, &obj->values[i], WJB_VALUE);
			}
		}
		return pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}

	ScalarToJsonb(v, &jv);
	return pushJsonbValue(state, seq, &jv);
}

/*
 * Convert a value to jsonb the way JSON.stringify writes it: NaN and
 * +-Infinity become null, and so does undefined inside arrays. Object
 * members whose value is undefined are left out. undefined at the top
 * level, which JSON.stringify cannot write, becomes null too.
 */
Jsonb *
jsv_to_jsonb(const JsValue *v)
{
	JsonbValue	jv;

	if (v->kind == JS_ARRAY || v->kind == JS_OBJECT)
	{
		JsonbParseState *state = NULL;

		return JsonbValueToJsonb(PushValue(&state, v, WJB_ELEM));
	}
	ScalarToJsonb(v, &jv);
	return JsonbValueToJsonb(&jv);
}

/*
 * Append a value as JSON text, for messages. Top-level undefined, NaN and
 * infinities, which JSON cannot write, appear as JavaScript writes them.
 */
void
jsv_to_json_text(StringInfo buf, const JsValue *v)
{
	Jsonb	   *jb;

	if (v->kind == JS_UNDEFINED)
	{
		appendStringInfoString(buf, "undefined");
		return;
	}
	if (v->kind == JS_NUMBER && (isnan(v->u.number) || isinf(v->u.number)))
	{
		char		num[JS_NUMBER_BUFLEN];

		js_number_to_cstring(v->u.number, num);
		appendStringInfoString(buf, num);
		return;
	}
	jb = jsv_to_jsonb(v);
	JsonbToCString(buf, &jb->root, VARSIZE(jb));
}

/* ----------------------------------------------------------------
 * Arrays, objects and property lookup
 * ----------------------------------------------------------------
 */
bool
jsv_is_array(const JsValue *v)
{
	return v->kind == JS_ARRAY;
}

int
jsv_array_length(const JsValue *v)
{
	Assert(v->kind == JS_ARRAY);
	if (v->in_jsonb)
		return JsonContainerSize(v->u.container);
	return v->u.array->length;
}

JsValue
jsv_array_get(const JsValue *v, int i)
{
	JsValue		out;

	Assert(v->kind == JS_ARRAY);
	if (v->in_jsonb)
	{
		JsonbValue *jv = getIthJsonbValueFromContainer(v->u.container, i);

		if (jv == NULL)
			return jsv_undefined();
		jsv_from_jsonb_value(jv, &out);
		pfree(jv);
		return out;
	}
	if (i < 0 || i >= v->u.array->length)
		return jsv_undefined();
	return v->u.array->items[i];
}

void
jsv_array_iter_init(JsArrayIter *iter, const JsValue *array)
{
	Assert(array->kind == JS_ARRAY);
	iter->array = array;
	iter->index = 0;
	iter->it = NULL;
	if (array->in_jsonb)
	{
		JsonbValue	jv;

		iter->it = JsonbIteratorInit(array->u.container);
		/* the first token is WJB_BEGIN_ARRAY */
		(void) JsonbIteratorNext(&iter->it, &jv, true);
	}
}

bool
jsv_array_iter_next(JsArrayIter *iter, JsValue *out)
{
	if (iter->array->in_jsonb)
	{
		JsonbValue	jv;

		if (iter->it == NULL)
			return false;
		if (JsonbIteratorNext(&iter->it, &jv, true) != WJB_ELEM)
		{
			/* WJB_END_ARRAY; the iterator frees itself on WJB_DONE */
			(void) JsonbIteratorNext(&iter->it, &jv, true);
			iter->it = NULL;
			return false;
		}
		jsv_from_jsonb_value(&jv, out);
		iter->index++;
		return true;
	}
	if (iter->index >= iter->array->u.array->length)
		return false;
	*out = iter->array->u.array->items[iter->index++];
	return true;
}

/* Number of keys of an object. */
int
jsv_object_size(const JsValue *v)
{
	Assert(v->kind == JS_OBJECT);
	if (v->in_jsonb)
		return JsonContainerSize(v->u.container);
	return v->u.object->nkeys;
}

/* The first key and value of a non-empty object. */
void
jsv_object_first(const JsValue *v, const char **key, int *keylen,
				 JsValue *value)
{
	Assert(v->kind == JS_OBJECT && jsv_object_size(v) > 0);
	if (v->in_jsonb)
	{
		JsonbIterator *it = JsonbIteratorInit(v->u.container);
		JsonbIteratorToken tok;
		JsonbValue	jv;

		while ((tok = JsonbIteratorNext(&it, &jv, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
			{
				*key = jv.val.string.val;
				*keylen = jv.val.string.len;
			}
			else if (tok == WJB_VALUE)
			{
				jsv_from_jsonb_value(&jv, value);
				/* stop here; the iterator's memory is freed with the context */
				return;
			}
		}
		elog(ERROR, "jsonb object without a value");
	}
	*key = v->u.object->keys[0];
	*keylen = v->u.object->keylens[0];
	*value = v->u.object->values[0];
}

/* Look up an own key of an object; false if it is absent. */
static bool
ObjectGet(const JsValue *v, const char *key, int keylen, JsValue *out)
{
	if (v->in_jsonb)
	{
		JsonbValue	jv;

		if (getKeyJsonValueFromContainer(v->u.container, key, keylen, &jv) == NULL)
			return false;
		jsv_from_jsonb_value(&jv, out);
		return true;
	}
	for (int i = 0; i < v->u.object->nkeys; i++)
	{
		if (v->u.object->keylens[i] == keylen &&
			memcmp(v->u.object->keys[i], key, keylen) == 0)
		{
			*out = v->u.object->values[i];
			return true;
		}
	}
	return false;
}

/* Whether an object has the own key, e.g. "toString" or "indexOf". */
bool
jsv_has_own_key(const JsValue *v, const char *key)
{
	JsValue		ignored;

	if (v->kind != JS_OBJECT)
		return false;
	return ObjectGet(v, key, strlen(key), &ignored);
}

/*
 * The array index that a property key names, or -1: a canonical decimal
 * integer ("0", "17", not "01" or "1.0") below 2^32 - 1.
 */
static int64
ArrayIndex(const char *key, int keylen)
{
	int64		index = 0;

	if (keylen < 1 || keylen > 10)
		return -1;
	if (keylen > 1 && key[0] == '0')
		return -1;
	for (int i = 0; i < keylen; i++)
	{
		if (key[i] < '0' || key[i] > '9')
			return -1;
		index = index * 10 + (key[i] - '0');
	}
	if (index >= INT64CONST(4294967295))
		return -1;
	return index;
}

/*
 * Read the property key of a value, as value[key] does in JavaScript, and
 * return false where that gives undefined. Objects have their own keys,
 * arrays and strings have indexes and "length". Inherited members of
 * JavaScript prototypes are not looked up (see the file header).
 */
bool
jsv_get_property(const JsValue *v, const char *key, int keylen, JsValue *out)
{
	int64		index;

	switch (v->kind)
	{
		case JS_OBJECT:
			return ObjectGet(v, key, keylen, out);

		case JS_ARRAY:
			if (keylen == 6 && memcmp(key, "length", 6) == 0)
			{
				*out = jsv_number(jsv_array_length(v));
				return true;
			}
			index = ArrayIndex(key, keylen);
			if (index < 0 || index >= jsv_array_length(v))
				return false;
			*out = jsv_array_get(v, (int) index);
			return true;

		case JS_STRING:
			if (keylen == 6 && memcmp(key, "length", 6) == 0)
			{
				*out = jsv_number(js_utf16_length(v->u.str, v->len));
				return true;
			}
			index = ArrayIndex(key, keylen);
			if (index < 0 || index >= js_utf16_length(v->u.str, v->len))
				return false;
			*out = js_utf16_substring(v->u.str, v->len, (int) index, (int) index + 1);
			return true;

		default:
			return false;
	}
}

