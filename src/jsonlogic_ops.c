/*-------------------------------------------------------------------------
 *
 * jsonlogic_ops.c
 *	  JsonLogic operations that run on evaluated arguments: comparison,
 *	  arithmetic, strings and arrays, as json-logic-js 2.0.5 runs them.
 *
 * Each operation receives the values of all its arguments, in order. An
 * argument that is not there reads as undefined, as a missing argument of a
 * JavaScript function does.
 *
 * src/jsonlogic_ops.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"

#include "jsonlogic.h"

static const JsValue undefined_value = {JS_UNDEFINED};

/* Argument i of an operation, or undefined when there are fewer. */
#define ARG(i) ((i) < nvals ? &vals[(i)] : &undefined_value)

/*
 * String.prototype.substr(start, length) on the UTF-16 code units of
 * str: a negative start counts from the end, and length undefined means
 * to the end.
 */
static JsValue
Substr(const JsValue *str, const JsValue *start, const JsValue *length)
{
	double		size = js_utf16_length(str->u.str, str->len);
	double		from = js_to_integer_or_infinity(start);
	double		count;
	double		to;

	if (isinf(from) && from < 0)
		from = 0;
	else if (from < 0)
		from = Max(size + from, 0);
	else
		from = Min(from, size);

	if (length->kind == JS_UNDEFINED)
		count = size;
	else
		count = js_to_integer_or_infinity(length);
	count = Min(Max(count, 0), size);
	to = Min(from + count, size);

	return js_utf16_substring(str->u.str, str->len, (int) from, (int) to);
}

/*
 * substr(source, start, end): json-logic-js passes end to substr as the
 * length, except that a negative end (tested with <) drops that many code
 * units from the end, computed as temp.length + end with JavaScript's +.
 */
static JsValue
SubstrOperation(const JsValue *vals, int nvals)
{
	const JsValue *end = ARG(2);
	JsValue		zero = jsv_number(0);
	JsValue		source;

	if (js_less_than(end, &zero) == JS_CMP_TRUE)
	{
		JsValue		temp;
		JsValue		templen;
		JsValue		length;

		source = js_to_string(ARG(0));
		temp = Substr(&source, ARG(1), &undefined_value);
		templen = jsv_number(js_utf16_length(temp.u.str, temp.len));
		length = js_add(&templen, end);
		return Substr(&temp, &zero, &length);
	}
	source = js_to_string(ARG(0));
	return Substr(&source, ARG(1), end);
}

/* in(a, b): a substring of a string b, or an element (===) of an array b. */
static JsValue
InOperation(const JsValue *vals, int nvals)
{
	const JsValue *needle = ARG(0);
	const JsValue *haystack = ARG(1);

	/* if (!b || typeof b.indexOf === "undefined") return false */
	if (!js_to_boolean(haystack))
		return jsv_boolean(false);

	if (haystack->kind == JS_STRING)
	{
		JsValue		str = js_to_string(needle);

		if (str.len == 0)
			return jsv_boolean(true);
		for (int i = 0; i + str.len <= haystack->len; i++)
		{
			if (memcmp(haystack->u.str + i, str.u.str, str.len) == 0)
				return jsv_boolean(true);
		}
		return jsv_boolean(false);
	}

	if (haystack->kind == JS_ARRAY)
	{
		JsArrayIter iter;
		JsValue		elem;

		jsv_array_iter_init(&iter, haystack);
		while (jsv_array_iter_next(&iter, &elem))
		{
			CHECK_FOR_INTERRUPTS();
			if (js_strict_equals(needle, &elem))
				return jsv_boolean(true);
		}
		return jsv_boolean(false);
	}

	if (jsv_has_own_key(haystack, "indexOf"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"in\" cannot search an object with an \"indexOf\" key"),
				 errdetail("JavaScript calls the object's \"indexOf\", which is not a function.")));
	return jsv_boolean(false);
}

/* merge: arrays are flattened one level, other values are appended. */
static JsValue
MergeOperation(const JsValue *vals, int nvals)
{
	JsValue		result;
	int			total = 0;
	int			n = 0;

	for (int i = 0; i < nvals; i++)
		total += jsv_is_array(&vals[i]) ? jsv_array_length(&vals[i]) : 1;
	result = jsv_new_array(total);
	for (int i = 0; i < nvals; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (jsv_is_array(&vals[i]))
		{
			JsArrayIter iter;
			JsValue		elem;

			jsv_array_iter_init(&iter, &vals[i]);
			while (jsv_array_iter_next(&iter, &elem))
			{
				CHECK_FOR_INTERRUPTS();
				result.u.array->items[n++] = elem;
			}
		}
		else
			result.u.array->items[n++] = vals[i];
	}
	return result;
}

/* Math.max / Math.min: all arguments go to numbers first; NaN wins. */
static JsValue
MaxMin(const JsValue *vals, int nvals, bool max)
{
	double	   *nums = palloc(sizeof(double) * Max(nvals, 1));
	double		result = max ? -get_float8_infinity() : get_float8_infinity();

	for (int i = 0; i < nvals; i++)
		nums[i] = js_to_number(&vals[i]);
	for (int i = 0; i < nvals; i++)
	{
		double		d = nums[i];

		if (isnan(d))
			return jsv_number(d);
		if (max)
		{
			/* +0 is larger than -0 */
			if (d > result || (d == 0 && result == 0 && !signbit(d)))
				result = d;
		}
		else
		{
			if (d < result || (d == 0 && result == 0 && signbit(d)))
				result = d;
		}
	}
	return jsv_number(result);
}

/* log: print the value (as JSON) and return it. */
static JsValue
LogOperation(const JsValue *vals, int nvals)
{
	StringInfoData buf;

	initStringInfo(&buf);
	jsv_to_json_text(&buf, ARG(0));
	ereport(NOTICE,
			(errmsg("JsonLogic log: %s", buf.data)));
	pfree(buf.data);
	return *ARG(0);
}

/*
 * Run an operation that reads nothing but its evaluated arguments: every
 * operation except var, missing, missing_some, the lazy ones (if, and, or,
 * and the array operations) and unknown ones.
 */
JsValue
jsonlogic_operate(JsonLogicOp op, const JsValue *vals, int nvals)
{
	JsCompare	cmp;

	switch (op)
	{
		case JL_EQ:
			return jsv_boolean(js_loose_equals(ARG(0), ARG(1)));
		case JL_STRICT_EQ:
			return jsv_boolean(js_strict_equals(ARG(0), ARG(1)));
		case JL_NE:
			return jsv_boolean(!js_loose_equals(ARG(0), ARG(1)));
		case JL_STRICT_NE:
			return jsv_boolean(!js_strict_equals(ARG(0), ARG(1)));
		case JL_NOT:
			return jsv_boolean(!jsonlogic_truthy(ARG(0)));
		case JL_TRUTHY:
			return jsv_boolean(jsonlogic_truthy(ARG(0)));

		case JL_GT:				/* a > b is b < a */
			return jsv_boolean(js_less_than(ARG(1), ARG(0)) == JS_CMP_TRUE);
		case JL_GE:				/* a >= b is !(a < b), false for NaN */
			return jsv_boolean(js_less_than(ARG(0), ARG(1)) == JS_CMP_FALSE);
		case JL_LT:
			cmp = js_less_than(ARG(0), ARG(1));
			if (ARG(2)->kind == JS_UNDEFINED || cmp != JS_CMP_TRUE)
				return jsv_boolean(cmp == JS_CMP_TRUE);
			return jsv_boolean(js_less_than(ARG(1), ARG(2)) == JS_CMP_TRUE);
		case JL_LE:				/* a <= b is !(b < a), false for NaN */
			cmp = js_less_than(ARG(1), ARG(0));
			if (ARG(2)->kind == JS_UNDEFINED || cmp != JS_CMP_FALSE)
				return jsv_boolean(cmp == JS_CMP_FALSE);
			return jsv_boolean(js_less_than(ARG(2), ARG(1)) == JS_CMP_FALSE);

		case JL_MAX:
			return MaxMin(vals, nvals, true);
		case JL_MIN:
			return MaxMin(vals, nvals, false);

		case JL_ADD:
			{
				/* reduce((a, b) => parseFloat(a) + parseFloat(b), 0) */
				JsValue		sum = jsv_number(0);

				for (int i = 0; i < nvals; i++)
					sum = jsv_number(js_parse_float(&sum) + js_parse_float(&vals[i]));
				return sum;
			}
		case JL_MUL:
			{
				/* reduce((a, b) => parseFloat(a) * parseFloat(b)), no initial value */
				JsValue		product;

				if (nvals == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("\"*\" needs at least one argument"),
							 errdetail("json-logic-js multiplies with reduce() without an initial value, which fails on an empty list.")));
				product = vals[0];
				for (int i = 1; i < nvals; i++)
					product = jsv_number(js_parse_float(&product) * js_parse_float(&vals[i]));
				return product;
			}
		case JL_SUB:
			if (ARG(1)->kind == JS_UNDEFINED)
				return jsv_number(-js_to_number(ARG(0)));
			return jsv_number(js_to_number(ARG(0)) - js_to_number(ARG(1)));
		case JL_DIV:
			return jsv_number(js_to_number(ARG(0)) / js_to_number(ARG(1)));
		case JL_MOD:
			{
				double		a = js_to_number(ARG(0));
				double		b = js_to_number(ARG(1));

				/* C's fmod has JavaScript's % semantics, NaN and signs included */
				return jsv_number(fmod(a, b));
			}

		case JL_MERGE:
			return MergeOperation(vals, nvals);
		case JL_IN:
			return InOperation(vals, nvals);
		case JL_CAT:
			{
				/* Array.prototype.join(""): null and undefined are empty */
				StringInfoData buf;

				initStringInfo(&buf);
				for (int i = 0; i < nvals; i++)
					if (vals[i].kind != JS_NULL && vals[i].kind != JS_UNDEFINED)
						js_append_string(&buf, &vals[i]);
				return jsv_string(buf.data, buf.len);
			}
		case JL_SUBSTR:
			return SubstrOperation(vals, nvals);
		case JL_LOG:
			return LogOperation(vals, nvals);

		default:
			elog(ERROR, "unexpected JsonLogic operation %d", (int) op);
	}
	return jsv_undefined();		/* keep the compiler quiet */
}

