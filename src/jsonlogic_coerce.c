/*-------------------------------------------------------------------------
 *
 * jsonlogic_coerce.c
 *	  The coercions and operators of ECMAScript that json-logic-js relies on.
 *
 * json-logic-js is plain JavaScript, so its results follow from the
 * ECMAScript abstract operations: ToBoolean, ToPrimitive, ToNumber,
 * ToString, IsLooselyEqual (==), IsStrictlyEqual (===) and IsLessThan (<).
 * This file implements those for the values JSON can produce, plus
 * undefined and the IEEE doubles (NaN, Infinity, -0) that arithmetic
 * produces, and Number::toString for writing numbers.
 *
 * Strings are UTF-8. Operations on UTF-16 code units (length, indexes,
 * substr, ordering) count and order code units as JavaScript does, but a
 * lone half of a surrogate pair cannot be stored in UTF-8 and becomes
 * U+FFFD.
 *
 * src/jsonlogic_coerce.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/float.h"

#include "jsonlogic.h"

/* U+FFFD REPLACEMENT CHARACTER in UTF-8 */
#define REPLACEMENT_UTF8 "\xEF\xBF\xBD"

/* ----------------------------------------------------------------
 * Truthiness
 * ----------------------------------------------------------------
 */

/* JavaScript's ToBoolean: false, 0, -0, NaN, "", null and undefined are false. */
bool
js_to_boolean(const JsValue *v)
{
	switch (v->kind)
	{
		case JS_UNDEFINED:
		case JS_NULL:
			return false;
		case JS_BOOLEAN:
			return v->boolean;
		case JS_NUMBER:
			return !(v->u.number == 0 || isnan(v->u.number));
		case JS_STRING:
			return v->len > 0;
		default:
			return true;
	}
}

/* json-logic-js's truthy(): ToBoolean, except that an empty array is false. */
bool
jsonlogic_truthy(const JsValue *v)
{
	if (v->kind == JS_ARRAY)
		return jsv_array_length(v) > 0;
	return js_to_boolean(v);
}

/* ----------------------------------------------------------------
 * ToPrimitive and ToString
 * ----------------------------------------------------------------
 */

/*
 * Raise the TypeError that ToPrimitive raises for an object whose own
 * "toString" key hides Object.prototype.toString with a value that is not
 * a function: JSON cannot carry functions, so such an object has no
 * primitive value.
 */
static void
ObjectToPrimitiveCheck(const JsValue *v)
{
	if (jsv_has_own_key(v, "toString"))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot convert object to primitive value"),
				 errdetail("The object has a \"toString\" key that is not a function, so JavaScript cannot convert it to a string or number.")));
}

/* Append ToString(v), which for arrays is Array.prototype.join(","). */
void
js_append_string(StringInfo buf, const JsValue *v)
{
	char		num[JS_NUMBER_BUFLEN];

	switch (v->kind)
	{
		case JS_UNDEFINED:
			appendStringInfoString(buf, "undefined");
			break;
		case JS_NULL:
			appendStringInfoString(buf, "null");
			break;
		case JS_BOOLEAN:
			appendStringInfoString(buf, v->boolean ? "true" : "false");
			break;
		case JS_NUMBER:
			js_number_to_cstring(v->u.number, num);
			appendStringInfoString(buf, num);
			break;
		case JS_STRING:
			appendBinaryStringInfo(buf, v->u.str, v->len);
			break;
		case JS_ARRAY:
			{
				JsArrayIter iter;
				JsValue		elem;
				bool		first = true;

				check_stack_depth();
				CHECK_FOR_INTERRUPTS();
				jsv_array_iter_init(&iter, v);
				while (jsv_array_iter_next(&iter, &elem))
				{
					if (!first)
						appendStringInfoChar(buf, ',');
					first = false;
					/* join writes null and undefined as empty strings */
					if (elem.kind != JS_NULL && elem.kind != JS_UNDEFINED)
						js_append_string(buf, &elem);
				}
				break;
			}
		case JS_OBJECT:
			ObjectToPrimitiveCheck(v);
			appendStringInfoString(buf, "[object Object]");
			break;
	}
}

/* ToString(v) as a string value. */
JsValue
js_to_string(const JsValue *v)
{
	StringInfoData buf;

	if (v->kind == JS_STRING)
		return *v;
	initStringInfo(&buf);
	js_append_string(&buf, v);
	return jsv_string(buf.data, buf.len);
}

/*
 * ToPrimitive(v). Arrays and plain objects give the same primitive for every
 * hint: their valueOf returns the object itself, so toString decides.
 */
JsValue
js_to_primitive(const JsValue *v)
{
	if (v->kind == JS_ARRAY || v->kind == JS_OBJECT)
		return js_to_string(v);
	return *v;
}

/* ----------------------------------------------------------------
 * Numbers
 * ----------------------------------------------------------------
 */

/*
 * Add one unit in the last digit of a number in %e notation ("3.99e+23"),
 * in place; buf has room for one more character.
 */
static void
IncrementLastDigit(char *buf)
{
	char	   *e = strchr(buf, 'e');
	char	   *p = e - 1;

	for (;;)
	{
		if (*p == '.')
			p--;
		if (*p != '9')
		{
			(*p)++;
			return;
		}
		*p = '0';
		if (p == buf)
		{
			memmove(buf + 1, buf, strlen(buf) + 1);
			buf[0] = '1';
			return;
		}
		p--;
	}
}

/*
 * Replace Ryu's digits for d (at least 2^53) with fewer digits when fewer
 * read back as d. PostgreSQL's Ryu does not use a decimal that lies exactly
 * halfway between two doubles, although strtod and JavaScript round such a
 * decimal to the double with the even mantissa. For 4e23 it writes
 * 3.9999999999999997e+23, where JavaScript writes 4e+23. Such a halfway
 * decimal is short only when half a unit in the last place is an integer,
 * so below 2^53 Ryu's digits are kept.
 */
static void
ShortenLargeNumber(double d, char *ryu)
{
	int			ryu_digits = 0;
	int			mantissa_exponent;
	bool		power_of_two = frexp(d, &mantissa_exponent) == 0.5;

	for (const char *c = ryu; *c && *c != 'e' && *c != 'E'; c++)
		if (*c >= '0' && *c <= '9')
			ryu_digits++;

	for (int k = 1; k < ryu_digits; k++)
	{
		char		candidate[DOUBLE_SHORTEST_DECIMAL_LEN + 8];

		/* the correctly rounded k-digit decimal is the closest one */
		snprintf(candidate, sizeof(candidate) - 1, "%.*e", k - 1, d);
		if (strtod(candidate, NULL) == d)
		{
			strcpy(ryu, candidate);
			return;
		}

		/*
		 * Below a power of two, the doubles are twice as dense, so the
		 * next decimal up can read back as d when the closest one, below
		 * d, does not.
		 */
		if (power_of_two && strtod(candidate, NULL) < d)
		{
			IncrementLastDigit(candidate);
			if (strtod(candidate, NULL) == d)
			{
				strcpy(ryu, candidate);
				return;
			}
		}
	}
}

/*
 * Write a double as Number.prototype.toString does (ECMAScript
 * Number::toString with radix 10), and return the length. The digits are
 * the shortest that read back as the same double, which PostgreSQL's Ryu
 * implementation finds. Decimal exponents from -6 to 20 are written in
 * plain notation, others in exponent notation ("1e+21", "1.5e-7").
 */
int
js_number_to_cstring(double d, char *buf)
{
	char		ryu[DOUBLE_SHORTEST_DECIMAL_LEN + 8];
	char		digits[32];
	int			ndigits = 0;
	int			point = -1;
	int			exponent = 0;
	int			n;
	char	   *p = buf;

	if (isnan(d))
		return sprintf(buf, "NaN");
	if (isinf(d))
		return sprintf(buf, d > 0 ? "Infinity" : "-Infinity");
	if (d == 0)
		return sprintf(buf, "0");	/* also for -0 */

	if (d < 0)
	{
		*p++ = '-';
		d = -d;
	}

	/*
	 * Take the digits and the exponent from Ryu's output, which is either
	 * plain ("123.45") or exponent notation ("1.2345e+02").
	 */
	double_to_shortest_decimal_buf(d, ryu);
	if (d >= 9007199254740992.0)
		ShortenLargeNumber(d, ryu);
	for (const char *c = ryu; *c; c++)
	{
		if (*c >= '0' && *c <= '9')
		{
			/* leading zeros shift the point, they are not digits */
			if (ndigits == 0 && *c == '0')
			{
				if (point >= 0)
					exponent--;
				continue;
			}
			digits[ndigits++] = *c;
		}
		else if (*c == '.')
			point = ndigits;
		else if (*c == 'e' || *c == 'E')
		{
			exponent += atoi(c + 1);
			break;
		}
	}
	if (point < 0)
		point = ndigits;
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;

	/* the value is 0.DIGITS * 10^n */
	n = point + exponent;

	if (ndigits <= n && n <= 21)
	{
		memcpy(p, digits, ndigits);
		p += ndigits;
		for (int i = ndigits; i < n; i++)
			*p++ = '0';
	}
	else if (0 < n && n <= 21)
	{
		memcpy(p, digits, n);
		p += n;
		*p++ = '.';
		memcpy(p, digits + n, ndigits - n);
		p += ndigits - n;
	}
	else if (-6 < n && n <= 0)
	{
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -n; i++)
			*p++ = '0';
		memcpy(p, digits, ndigits);
		p += ndigits;
	}
	else
	{
		*p++ = digits[0];
		if (ndigits > 1)
		{
			*p++ = '.';
			memcpy(p, digits + 1, ndigits - 1);
			p += ndigits - 1;
		}
		p += sprintf(p, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	*p = '\0';
	return p - buf;
}

/*
 * Byte length of the JavaScript white space or line terminator at p, or 0:
 * the characters that String.prototype.trim, Number() and parseFloat skip.
 */
static int
WhitespaceLength(const unsigned char *p, const unsigned char *end)
{
	int			avail = end - p;

	if (avail <= 0)
		return 0;
	switch (p[0])
	{
		case 0x09:
		case 0x0A:
		case 0x0B:
		case 0x0C:
		case 0x0D:
		case 0x20:
			return 1;
		case 0xC2:				/* U+00A0 */
			return (avail >= 2 && p[1] == 0xA0) ? 2 : 0;
		case 0xE1:				/* U+1680 */
			return (avail >= 3 && p[1] == 0x9A && p[2] == 0x80) ? 3 : 0;
		case 0xE2:
			if (avail < 3)
				return 0;
			/* U+2000..U+200A, U+2028, U+2029, U+202F */
			if (p[1] == 0x80 &&
				((p[2] >= 0x80 && p[2] <= 0x8A) ||
				 p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
				return 3;
			/* U+205F */
			if (p[1] == 0x81 && p[2] == 0x9F)
				return 3;
			return 0;
		case 0xE3:				/* U+3000 */
			return (avail >= 3 && p[1] == 0x80 && p[2] == 0x80) ? 3 : 0;
		case 0xEF:				/* U+FEFF */
			return (avail >= 3 && p[1] == 0xBB && p[2] == 0xBF) ? 3 : 0;
		default:
			return 0;
	}
}

static inline bool
IsDigit(char c)
{
	return c >= '0' && c <= '9';
}

/* strtod on len bytes, which form a valid decimal or hexadecimal literal. */
static double
StrtodBytes(const char *str, int len)
{
	char		small[64];
	char	   *copy = len < (int) sizeof(small) ? small : palloc(len + 1);
	double		d;

	memcpy(copy, str, len);
	copy[len] = '\0';
	d = strtod(copy, NULL);
	if (copy != small)
		pfree(copy);
	return d;
}

/*
 * Value of binary or octal digits (validated by the caller), rounded to the
 * nearest double as JavaScript rounds a numeric literal: the digits are
 * rewritten in hexadecimal, which strtod rounds correctly.
 */
static double
ParseRadixDigits(const char *digits, int len, int bits_per_digit)
{
	int			nbits = len * bits_per_digit;
	char	   *bits = palloc(nbits + 4);
	StringInfoData hex;
	int			first;
	int			pad;
	double		d;

	for (int i = 0; i < len; i++)
	{
		int			value = digits[i] - '0';

		for (int b = 0; b < bits_per_digit; b++)
			bits[i * bits_per_digit + b] =
				(value >> (bits_per_digit - 1 - b)) & 1;
	}

	/* group the bits by four from the right */
	initStringInfo(&hex);
	appendStringInfoString(&hex, "0x0");
	pad = (4 - nbits % 4) % 4;
	first = -pad;
	for (int i = first; i < nbits; i += 4)
	{
		int			nibble = 0;

		for (int b = 0; b < 4; b++)
		{
			int			pos = i + b;

			nibble = (nibble << 1) | (pos >= 0 ? bits[pos] : 0);
		}
		appendStringInfoChar(&hex, "0123456789abcdef"[nibble]);
	}
	d = strtod(hex.data, NULL);
	pfree(hex.data);
	pfree(bits);
	return d;
}

/*
 * ToNumber of a string (StringToNumber): white space around the number is
 * ignored, an empty string is 0, and the whole rest must be a decimal
 * literal, "Infinity" with an optional sign, or an unsigned 0x, 0o or 0b
 * literal. Anything else is NaN.
 */
double
js_string_to_number(const char *str, int len)
{
	const unsigned char *p = (const unsigned char *) str;
	const unsigned char *end = p + len;
	const unsigned char *last;
	const char *s;
	int			n;
	int			i;
	int			ws;

	/* trim white space at both ends */
	while ((ws = WhitespaceLength(p, end)) > 0)
		p += ws;
	last = p;
	for (const unsigned char *q = p; q < end;)
	{
		ws = WhitespaceLength(q, end);
		if (ws > 0)
			q += ws;
		else
		{
			q++;
			last = q;
		}
	}
	s = (const char *) p;
	n = last - p;
	if (n == 0)
		return 0;

	/* 0x, 0o and 0b literals take no sign */
	if (n > 2 && s[0] == '0')
	{
		char		prefix = s[1];

		if (prefix == 'x' || prefix == 'X')
		{
			for (i = 2; i < n; i++)
				if (!isxdigit((unsigned char) s[i]))
					return get_float8_nan();
			return StrtodBytes(s, n);
		}
		if (prefix == 'o' || prefix == 'O' || prefix == 'b' || prefix == 'B')
		{
			char		maxdigit = (prefix == 'o' || prefix == 'O') ? '7' : '1';

			for (i = 2; i < n; i++)
				if (s[i] < '0' || s[i] > maxdigit)
					return get_float8_nan();
			return ParseRadixDigits(s + 2, n - 2, maxdigit == '7' ? 3 : 1);
		}
	}

	i = 0;
	if (s[0] == '+' || s[0] == '-')
		i++;
	if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0)
		return s[0] == '-' ? -get_float8_infinity() : get_float8_infinity();

	/* digits [. digits] or . digits, then an optional exponent */
	{
		int			intdigits = 0;
		int			fracdigits = 0;

		while (i < n && IsDigit(s[i]))
			i++, intdigits++;
		if (i < n && s[i] == '.')
		{
			i++;
			while (i < n && IsDigit(s[i]))
				i++, fracdigits++;
		}
		if (intdigits + fracdigits == 0)
			return get_float8_nan();
		if (i < n && (s[i] == 'e' || s[i] == 'E'))
		{
			int			expdigits = 0;

			i++;
			if (i < n && (s[i] == '+' || s[i] == '-'))
				i++;
			while (i < n && IsDigit(s[i]))
				i++, expdigits++;
			if (expdigits == 0)
				return get_float8_nan();
		}
		if (i != n)
			return get_float8_nan();
	}
	return StrtodBytes(s, n);
}

/*
 * parseFloat(ToString(v)): leading white space is skipped, then the longest
 * prefix that is a decimal literal or "Infinity" is read; NaN if there is
 * none. 0x literals are not recognised, so "0x10" reads as 0.
 */
double
js_parse_float(const JsValue *v)
{
	JsValue		str;
	const unsigned char *p;
	const unsigned char *end;
	const char *s;
	int			n;
	int			i = 0;
	int			digits = 0;
	int			ws;

	/* a number reads back as itself, except that -0 prints as "0" */
	if (v->kind == JS_NUMBER)
		return v->u.number == 0 ? 0.0 : v->u.number;

	str = js_to_string(v);
	p = (const unsigned char *) str.u.str;
	end = p + str.len;
	while ((ws = WhitespaceLength(p, end)) > 0)
		p += ws;
	s = (const char *) p;
	n = end - p;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i >= 8 && memcmp(s + i, "Infinity", 8) == 0)
		return s[0] == '-' ? -get_float8_infinity() : get_float8_infinity();

	while (i < n && IsDigit(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.')
	{
		int			dot = i;

		i++;
		while (i < n && IsDigit(s[i]))
			i++, digits++;
		if (digits == 0)
			i = dot;
	}
	if (digits == 0)
		return get_float8_nan();
	if (i < n && (s[i] == 'e' || s[i] == 'E'))
	{
		int			mark = i;
		int			expdigits = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < n && IsDigit(s[i]))
			i++, expdigits++;
		if (expdigits == 0)
			i = mark;
	}
	return StrtodBytes(s, i);
}

/* ToNumber(v). */
double
js_to_number(const JsValue *v)
{
	switch (v->kind)
	{
		case JS_UNDEFINED:
			return get_float8_nan();
		case JS_NULL:
			return 0;
		case JS_BOOLEAN:
			return v->boolean ? 1 : 0;
		case JS_NUMBER:
			return v->u.number;
		case JS_STRING:
			return js_string_to_number(v->u.str, v->len);
		default:
			{
				JsValue		prim = js_to_primitive(v);

				return js_to_number(&prim);
			}
	}
}

/* ToIntegerOrInfinity(v): NaN is 0, fractions are truncated toward zero. */
double
js_to_integer_or_infinity(const JsValue *v)
{
	double		d = js_to_number(v);

	if (isnan(d) || d == 0)
		return 0;
	if (isinf(d))
		return d;
	return trunc(d) + 0.0;		/* + 0.0 turns -0 into 0 */
}

/* ----------------------------------------------------------------
 * Strings as UTF-16
 * ----------------------------------------------------------------
 */

/* Length of a UTF-8 string in UTF-16 code units. */
int
js_utf16_length(const char *str, int len)
{
	int			units = 0;

	for (int i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) str[i];

		if ((c & 0xC0) != 0x80)
			units++;
		/* characters above U+FFFF take four bytes and two code units */
		if (c >= 0xF0)
			units++;
	}
	return units;
}

/*
 * The code units [start, end) of a UTF-8 string, as a new string. Half of
 * a surrogate pair becomes U+FFFD, because UTF-8 cannot store it.
 */
JsValue
js_utf16_substring(const char *str, int len, int start, int end)
{
	StringInfoData buf;
	int			unit = 0;
	int			i = 0;

	if (end <= start)
		return jsv_string("", 0);

	initStringInfo(&buf);
	while (i < len && unit < end)
	{
		unsigned char c = (unsigned char) str[i];
		int			bytes;
		int			units;

		if (c < 0x80)
			bytes = 1;
		else if (c < 0xE0)
			bytes = 2;
		else if (c < 0xF0)
			bytes = 3;
		else
			bytes = 4;
		if (i + bytes > len)
			bytes = len - i;
		units = (c >= 0xF0) ? 2 : 1;

		if (unit >= start && unit + units <= end)
			appendBinaryStringInfo(&buf, str + i, bytes);
		else if (units == 2 && (unit + 1 >= start && unit + 1 < end))
			appendStringInfoString(&buf, REPLACEMENT_UTF8);	/* low half */
		else if (units == 2 && unit >= start && unit < end)
			appendStringInfoString(&buf, REPLACEMENT_UTF8);	/* high half */

		unit += units;
		i += bytes;
	}
	return jsv_string(buf.data, buf.len);
}

/* Decode the UTF-8 character at p (validated by PostgreSQL). */
static uint32
DecodeUtf8(const unsigned char *p, int avail)
{
	if (p[0] < 0x80 || avail < 2)
		return p[0];
	if (p[0] < 0xE0)
		return ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	if (p[0] < 0xF0 || avail < 4)
		return ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
	return ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) |
		((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/*
 * Compare two UTF-8 strings in the order of their UTF-16 code units, which
 * is JavaScript's string order. It equals code point order except that
 * characters above U+FFFF (surrogate pairs, 0xD800..0xDBFF first) sort
 * before U+E000..U+FFFF. Returns <0, 0 or >0.
 */
int
js_compare_strings(const char *a, int alen, const char *b, int blen)
{
	int			n = Min(alen, blen);
	int			i = 0;
	uint32	ca;
	uint32	cb;

	while (i < n && a[i] == b[i])
		i++;
	if (i == n)
		return (alen > blen) - (alen < blen);

	/* back up to the start of the character that differs */
	while (i > 0 && (((unsigned char) a[i]) & 0xC0) == 0x80)
		i--;
	ca = DecodeUtf8((const unsigned char *) a + i, alen - i);
	cb = DecodeUtf8((const unsigned char *) b + i, blen - i);
	if (ca < 0x10000 || cb < 0x10000)
	{
		if (ca >= 0x10000)
			ca = 0xD800 + ((ca - 0x10000) >> 10);
		if (cb >= 0x10000)
			cb = 0xD800 + ((cb - 0x10000) >> 10);
	}
	return (ca > cb) - (ca < cb);
}

/* ----------------------------------------------------------------
 * Equality and comparison
 * ----------------------------------------------------------------
 */

static const void *
Identity(const JsValue *v)
{
	if (v->in_jsonb)
		return v->u.container;
	if (v->kind == JS_ARRAY)
		return v->u.array;
	return v->u.object;
}

/* IsStrictlyEqual (===): arrays and objects are equal only to themselves. */
bool
js_strict_equals(const JsValue *a, const JsValue *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind)
	{
		case JS_UNDEFINED:
		case JS_NULL:
			return true;
		case JS_BOOLEAN:
			return a->boolean == b->boolean;
		case JS_NUMBER:
			return a->u.number == b->u.number;	/* NaN != NaN, 0 == -0 */
		case JS_STRING:
			return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
		default:
			return Identity(a) == Identity(b);
	}
}

/* JavaScript's typeof classes, with arrays and objects both "object". */
typedef enum JsType
{
	JT_UNDEFINED,
	JT_NULL,
	JT_BOOLEAN,
	JT_NUMBER,
	JT_STRING,
	JT_OBJECT
} JsType;

static JsType
TypeOf(const JsValue *v)
{
	switch (v->kind)
	{
		case JS_UNDEFINED:
			return JT_UNDEFINED;
		case JS_NULL:
			return JT_NULL;
		case JS_BOOLEAN:
			return JT_BOOLEAN;
		case JS_NUMBER:
			return JT_NUMBER;
		case JS_STRING:
			return JT_STRING;
		default:
			return JT_OBJECT;
	}
}

/*
 * IsLooselyEqual (==). null and undefined equal each other and nothing
 * else. Booleans compare as numbers, and so does a string against a
 * number. An array or object against a string or number compares by its
 * primitive value, so [] == 0 and [1,2] == "1,2".
 */
bool
js_loose_equals(const JsValue *a, const JsValue *b)
{
	JsType		ta = TypeOf(a);
	JsType		tb = TypeOf(b);
	JsValue		tmp;

	check_stack_depth();

	if (ta == tb)
		return js_strict_equals(a, b);
	if ((ta == JT_NULL || ta == JT_UNDEFINED) && (tb == JT_NULL || tb == JT_UNDEFINED))
		return true;
	if (ta == JT_NUMBER && tb == JT_STRING)
		return a->u.number == js_to_number(b);
	if (ta == JT_STRING && tb == JT_NUMBER)
		return js_to_number(a) == b->u.number;
	if (ta == JT_BOOLEAN)
	{
		tmp = jsv_number(js_to_number(a));
		return js_loose_equals(&tmp, b);
	}
	if (tb == JT_BOOLEAN)
	{
		tmp = jsv_number(js_to_number(b));
		return js_loose_equals(a, &tmp);
	}
	if ((ta == JT_STRING || ta == JT_NUMBER) && tb == JT_OBJECT)
	{
		tmp = js_to_primitive(b);
		return js_loose_equals(a, &tmp);
	}
	if (ta == JT_OBJECT && (tb == JT_STRING || tb == JT_NUMBER))
	{
		tmp = js_to_primitive(a);
		return js_loose_equals(&tmp, b);
	}
	return false;
}

/*
 * IsLessThan(a, b): both sides go to primitives; two strings compare by
 * code units, anything else compares as numbers, and a NaN makes the
 * result undefined (so that <, <=, > and >= are all false).
 */
JsCompare
js_less_than(const JsValue *a, const JsValue *b)
{
	JsValue		pa = js_to_primitive(a);
	JsValue		pb = js_to_primitive(b);
	double		na;
	double		nb;

	if (pa.kind == JS_STRING && pb.kind == JS_STRING)
		return js_compare_strings(pa.u.str, pa.len, pb.u.str, pb.len) < 0
			? JS_CMP_TRUE : JS_CMP_FALSE;
	na = js_to_number(&pa);
	nb = js_to_number(&pb);
	if (isnan(na) || isnan(nb))
		return JS_CMP_UNDEFINED;
	return na < nb ? JS_CMP_TRUE : JS_CMP_FALSE;
}

/* The + operator: string concatenation if either primitive is a string. */
JsValue
js_add(const JsValue *a, const JsValue *b)
{
	JsValue		pa = js_to_primitive(a);
	JsValue		pb = js_to_primitive(b);

	if (pa.kind == JS_STRING || pb.kind == JS_STRING)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		js_append_string(&buf, &pa);
		js_append_string(&buf, &pb);
		return jsv_string(buf.data, buf.len);
	}
	return jsv_number(js_to_number(&pa) + js_to_number(&pb));
}
