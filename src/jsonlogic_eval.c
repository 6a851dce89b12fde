/*-------------------------------------------------------------------------
 *
 * jsonlogic_eval.c
 *	  Evaluate a compiled JsonLogic rule over a data value, with the
 *	  semantics of json-logic-js 2.0.5 (its logic.js is the specification).
 *
 * As in json-logic-js, "if", "?:", "and", "or" and the array operations
 * (map, filter, reduce, all, none, some) evaluate their arguments as they
 * need them. Every other operation evaluates all its arguments first, in
 * order, and then runs on the values, with undefined for the arguments
 * that are not there. The operations use the JavaScript coercions of
 * jsonlogic_value.c.
 *
 * Values built during evaluation live in CurrentMemoryContext, and loops
 * over arrays free what each element builds (see "Memory for loops").
 *
 * src/jsonlogic_eval.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "jsonlogic.h"

typedef struct EvalState
{
	int			max_depth;		/* for rules compiled from data */
} EvalState;

static JsValue Eval(const JsonLogicNode *node, const JsValue *data,
					EvalState *state);
static JsValue ApplyValue(const JsValue *value, const JsValue *data,
						  EvalState *state);

static const JsValue undefined_value = {JS_UNDEFINED};

/* Argument i of an operation, or undefined when there are fewer. */
#define ARG(i) ((i) < nvals ? &vals[(i)] : &undefined_value)

/* ----------------------------------------------------------------
 * Memory for loops
 *
 * Each loop allocates in a context of its own. What an element builds is
 * garbage once the element is done, except the part of its result that
 * the loop keeps. map copies each result out and resets the context, and
 * filter, all, none and some reset it after each test. reduce copies its
 * accumulator into a fresh context whenever the garbage outweighs it, as a
 * copying garbage collector would. So memory stays proportional to
 * what is live, and a reduce that builds a list by merging the accumulator
 * (quadratic work in json-logic-js too) does not keep every copy.
 *
 * Copying preserves identity, which == and === compare for arrays and
 * objects: only arrays and objects that the loop's context owns are copied,
 * each once, so two references to one array still point to one copy, and
 * values from outside the loop keep their address.
 * ----------------------------------------------------------------
 */
typedef struct LoopMemory
{
	MemoryContext outer;		/* where the loop's result goes */
	MemoryContext cxt;			/* where elements are evaluated */
	Size		threshold;		/* reduce: compact above this many bytes */
} LoopMemory;

#define LOOP_MIN_COMPACT_SIZE (1024 * 1024)

/* Addresses of copied arrays and objects, to copy each one once. */
typedef struct CopyMemo
{
	int			size;			/* a power of two, or 0 */
	int			used;
	const void **from;
	void	  **to;
} CopyMemo;

static void *
MemoLookup(CopyMemo *memo, const void *from)
{
	if (memo->size == 0)
		return NULL;
	for (uint32 h = hash_bytes_uint32((uint32) (uintptr_t) from) & (memo->size - 1);;
		 h = (h + 1) & (memo->size - 1))
	{
		if (memo->from[h] == NULL)
			return NULL;
		if (memo->from[h] == from)
			return memo->to[h];
	}
}

static void
MemoInsert(CopyMemo *memo, const void *from, void *to)
{
	uint32		h;

	if ((memo->used + 1) * 2 > memo->size)
	{
		CopyMemo	bigger;

		bigger.size = memo->size == 0 ? 64 : memo->size * 2;
		bigger.used = 0;
		bigger.from = palloc0(sizeof(void *) * bigger.size);
		bigger.to = palloc0(sizeof(void *) * bigger.size);
		for (int i = 0; i < memo->size; i++)
			if (memo->from[i] != NULL)
				MemoInsert(&bigger, memo->from[i], memo->to[i]);
		if (memo->size > 0)
		{
			pfree(memo->from);
			pfree(memo->to);
		}
		*memo = bigger;
	}
	for (h = hash_bytes_uint32((uint32) (uintptr_t) from) & (memo->size - 1);
		 memo->from[h] != NULL;
		 h = (h + 1) & (memo->size - 1))
		;
	memo->from[h] = from;
	memo->to[h] = to;
	memo->used++;
}

/*
 * Copy v into CurrentMemoryContext as far as it lives in owner: strings
 * always (they have no identity), arrays and objects built in owner once
 * each. Everything else keeps its address.
 */
static JsValue
CopyOut(const JsValue *v, MemoryContext owner, CopyMemo *memo)
{
	JsValue		copy = *v;

	check_stack_depth();

	if (v->kind == JS_STRING && v->len > 0)
	{
		char	   *str = palloc(v->len);

		memcpy(str, v->u.str, v->len);
		copy.u.str = str;
	}
	else if (v->kind == JS_ARRAY && !v->in_jsonb && v->u.array->cxt == owner)
	{
		JsArray    *array = MemoLookup(memo, v->u.array);

		if (array == NULL)
		{
			array = jsv_new_array(v->u.array->length).u.array;
			MemoInsert(memo, v->u.array, array);
			for (int i = 0; i < array->length; i++)
				array->items[i] = CopyOut(&v->u.array->items[i], owner, memo);
		}
		copy.u.array = array;
	}
	else if (v->kind == JS_OBJECT && !v->in_jsonb && v->u.object->cxt == owner)
	{
		JsObject   *object = MemoLookup(memo, v->u.object);

		if (object == NULL)
		{
			const JsObject *from = v->u.object;

			object = palloc(sizeof(JsObject));
			MemoInsert(memo, from, object);
			object->cxt = CurrentMemoryContext;
			object->nkeys = from->nkeys;
			object->keys = palloc(sizeof(char *) * Max(from->nkeys, 1));
			object->keylens = palloc(sizeof(int) * Max(from->nkeys, 1));
			object->values = palloc(sizeof(JsValue) * Max(from->nkeys, 1));
			for (int i = 0; i < from->nkeys; i++)
			{
				object->keys[i] = pnstrdup(from->keys[i], from->keylens[i]);
				object->keylens[i] = from->keylens[i];
				object->values[i] = CopyOut(&from->values[i], owner, memo);
			}
		}
		copy.u.object = object;
	}
	return copy;
}

/* Copy v out of owner into CurrentMemoryContext. */
static JsValue
CopyValue(const JsValue *v, MemoryContext owner)
{
	CopyMemo	memo = {0};

	return CopyOut(v, owner, &memo);
}

/* Start a loop: evaluation switches to the loop's context. */
static void
LoopBegin(LoopMemory *lm)
{
	lm->outer = CurrentMemoryContext;
	lm->cxt = AllocSetContextCreate(lm->outer, "JsonLogic loop",
									ALLOCSET_DEFAULT_SIZES);
	lm->threshold = LOOP_MIN_COMPACT_SIZE;
	MemoryContextSwitchTo(lm->cxt);
}

/* End one element of map: copy its result out and free the rest. */
static JsValue
LoopKeepElement(LoopMemory *lm, const JsValue *v)
{
	JsValue		result;

	MemoryContextSwitchTo(lm->outer);
	result = CopyValue(v, lm->cxt);
	MemoryContextReset(lm->cxt);
	MemoryContextSwitchTo(lm->cxt);
	return result;
}

/* End one element whose result is not kept (a filter test). */
static void
LoopDiscardElement(LoopMemory *lm)
{
	MemoryContextReset(lm->cxt);
}

/*
 * End one element of reduce: when the loop's context has grown past the
 * threshold, move the accumulator to a fresh context and free the old one.
 */
static JsValue
LoopCompact(LoopMemory *lm, const JsValue *accumulator)
{
	MemoryContext fresh;
	JsValue		result;
	Size		live;

	if (MemoryContextMemAllocated(lm->cxt, true) <= lm->threshold)
		return *accumulator;

	fresh = AllocSetContextCreate(lm->outer, "JsonLogic loop",
								  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(fresh);
	result = CopyValue(accumulator, lm->cxt);
	MemoryContextDelete(lm->cxt);
	lm->cxt = fresh;
	live = MemoryContextMemAllocated(fresh, true);
	lm->threshold = Max(LOOP_MIN_COMPACT_SIZE, 2 * live);
	return result;
}

/* End a loop whose result is already outside the loop's context. */
static void
LoopFinish(LoopMemory *lm)
{
	MemoryContextSwitchTo(lm->outer);
	MemoryContextDelete(lm->cxt);
}

/* End a loop: copy its result out and free the loop's context. */
static JsValue
LoopEnd(LoopMemory *lm, const JsValue *v)
{
	JsValue		result;

	MemoryContextSwitchTo(lm->outer);
	result = CopyValue(v, lm->cxt);
	MemoryContextDelete(lm->cxt);
	return result;
}

/* ----------------------------------------------------------------
 * Errors
 * ----------------------------------------------------------------
 */

/* Whether json-logic-js keeps op in its operations object. */
static bool
InOperationsTable(JsonLogicOp op)
{
	switch (op)
	{
		case JL_UNKNOWN:
		case JL_IF:
		case JL_AND:
		case JL_OR:
		case JL_MAP:
		case JL_FILTER:
		case JL_REDUCE:
		case JL_ALL:
		case JL_NONE:
		case JL_SOME:
			return false;
		default:
			return true;
	}
}

/*
 * Raise json-logic-js's error for an operator it does not have. A name with
 * a dot (not at the start) is looked up as a path into the operations, so
 * the message also names the prefix that failed.
 */
static void
UnrecognizedOperation(const char *name)
{
	const char *dot = strchr(name, '.');

	if (strcmp(name, "method") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("Unrecognized operation method"),
				 errdetail("olpe never supports \"method\", because it calls JavaScript methods."),
				 errhint("Write the computation with JsonLogic operations instead.")));

	if (dot != NULL && dot != name)
	{
		char	   *prefix = pnstrdup(name, dot - name);
		const char *next = strchr(dot + 1, '.');

		/*
		 * The path starts in json-logic-js's table of operations, which
		 * lacks the operations that apply() handles itself (if, and, map,
		 * ...). NOTE: when the first component is in the table, JavaScript
		 * goes on to look up properties of that function, and fails with a
		 * TypeError or at a later component. olpe reports the first two
		 * components.
		 */
		if (InOperationsTable(jsonlogic_lookup_operator(prefix)))
			prefix = next ? pnstrdup(name, next - name) : pstrdup(name);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("Unrecognized operation %s (failed at %s)", name, prefix)));
	}

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("Unrecognized operation %s", name)));
}

/* ----------------------------------------------------------------
 * Data access: var, missing, missing_some
 * ----------------------------------------------------------------
 */

/*
 * Follow a path from data, as var does: undefined at any step, or null or
 * undefined before a step, gives not_found. A null found at the end is
 * returned as it is.
 */
static JsValue
FollowPath(const JsValue *data, int npath, char **path, int *pathlens,
		   const JsValue *not_found)
{
	JsValue		current = *data;

	for (int i = 0; i < npath; i++)
	{
		JsValue		next;

		if (current.kind == JS_NULL || current.kind == JS_UNDEFINED)
			return *not_found;
		if (!jsv_get_property(&current, path[i], pathlens[i], &next))
			return *not_found;
		current = next;
	}
	return current;
}

/*
 * var with the evaluated arguments (key, default). The key "", null or
 * no key returns the data itself; any other key is converted to a string
 * and split at dots.
 */
static JsValue
Var(const JsonLogicNode *node, const JsValue *vals, int nvals,
	const JsValue *data)
{
	const JsValue *key = ARG(0);
	JsValue		not_found = ARG(1)->kind == JS_UNDEFINED ? jsv_null() : *ARG(1);
	JsValue		str;
	int			npath = 1;
	char	  **path;
	int		   *pathlens;
	int			start = 0;

	if (node != NULL && node->const_path)
	{
		if (node->whole_data)
			return *data;
		return FollowPath(data, node->npath, node->path, node->pathlens,
						  &not_found);
	}

	if (key->kind == JS_UNDEFINED || key->kind == JS_NULL ||
		(key->kind == JS_STRING && key->len == 0))
		return *data;

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
			path[npath] = (char *) str.u.str + start;
			pathlens[npath] = i - start;
			npath++;
			start = i + 1;
		}
	}
	return FollowPath(data, npath, path, pathlens, &not_found);
}

/*
 * missing: the keys whose value is null or "" (or not there). The keys are
 * the arguments, or the elements of the first argument when that is an
 * array. Each key is looked up as json-logic-js does it, by applying
 * {"var": key}: an array key gives var its arguments, and keys that are
 * rules (objects with one key) run again.
 */
static JsValue
Missing(const JsValue *vals, int nvals, const JsValue *data, EvalState *state)
{
	JsValue		keys;
	JsValue		result;
	JsArrayIter iter;
	JsValue		key;
	int			nmissing = 0;
	int			capacity;

	if (nvals > 0 && jsv_is_array(&vals[0]))
		keys = vals[0];
	else
	{
		keys = jsv_new_array(nvals);
		for (int i = 0; i < nvals; i++)
			keys.u.array->items[i] = vals[i];
	}

	capacity = jsv_array_length(&keys);
	result = jsv_new_array(capacity);
	jsv_array_iter_init(&iter, &keys);
	while (jsv_array_iter_next(&iter, &key))
	{
		JsValue		varargs[2];
		int			nvarargs;
		JsValue		value;

		CHECK_FOR_INTERRUPTS();
		if (jsv_is_array(&key))
		{
			JsArrayIter kiter;
			JsValue		elem;
			JsValue    *args;
			int			n = jsv_array_length(&key);

			args = palloc(sizeof(JsValue) * Max(n, 1));
			nvarargs = 0;
			jsv_array_iter_init(&kiter, &key);
			while (jsv_array_iter_next(&kiter, &elem))
				args[nvarargs++] = ApplyValue(&elem, data, state);
			value = Var(NULL, args, nvarargs, data);
		}
		else
		{
			varargs[0] = ApplyValue(&key, data, state);
			nvarargs = 1;
			value = Var(NULL, varargs, nvarargs, data);
		}

		if (value.kind == JS_NULL || (value.kind == JS_STRING && value.len == 0))
			result.u.array->items[nmissing++] = key;
	}
	result.u.array->length = nmissing;
	return result;
}

/*
 * missing_some(need_count, options): the result of missing over options,
 * or [] when at least need_count of them are present.
 */
static JsValue
MissingSome(const JsValue *vals, int nvals, const JsValue *data,
			EvalState *state)
{
	const JsValue *need = ARG(0);
	const JsValue *options = ARG(1);
	JsValue    *margs;
	int			nmargs;
	JsValue		are_missing;
	JsValue		length;
	JsValue		present;

	/* json-logic-js applies {"missing": options}, which runs options again */
	if (jsv_is_array(options))
	{
		JsArrayIter iter;
		JsValue		elem;

		margs = palloc(sizeof(JsValue) * Max(jsv_array_length(options), 1));
		nmargs = 0;
		jsv_array_iter_init(&iter, options);
		while (jsv_array_iter_next(&iter, &elem))
			margs[nmargs++] = ApplyValue(&elem, data, state);
	}
	else
	{
		margs = palloc(sizeof(JsValue));
		margs[0] = ApplyValue(options, data, state);
		nmargs = 1;
	}
	are_missing = Missing(margs, nmargs, data, state);

	/* options.length - are_missing.length >= need_count */
	if (options->kind == JS_NULL || options->kind == JS_UNDEFINED)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("missing_some needs a list of keys as its second argument"),
				 errdetail("The second argument is %s; JavaScript cannot read its length.",
						   options->kind == JS_NULL ? "null" : "undefined")));
	if (!jsv_get_property(options, "length", 6, &length))
		length = jsv_undefined();
	present = jsv_number(js_to_number(&length) - jsv_array_length(&are_missing));
	if (js_less_than(&present, need) == JS_CMP_FALSE)
		return jsv_new_array(0);
	return are_missing;
}

/*
 * Evaluate a value as json-logic-js's apply() does when it gets a value
 * at run time. An array evaluates each element into a new array, and an
 * object with one key runs as a rule. Anything else is returned as it is.
 */
static JsValue
ApplyValue(const JsValue *value, const JsValue *data, EvalState *state)
{
	check_stack_depth();

	if (jsv_is_array(value))
	{
		JsValue		result = jsv_new_array(jsv_array_length(value));
		JsArrayIter iter;
		JsValue		elem;
		int			i = 0;

		jsv_array_iter_init(&iter, value);
		while (jsv_array_iter_next(&iter, &elem))
			result.u.array->items[i++] = ApplyValue(&elem, data, state);
		return result;
	}
	if (value->kind == JS_OBJECT && jsv_object_size(value) == 1)
		return Eval(jsonlogic_compile(value, state->max_depth), data, state);
	return *value;
}

/* Run an operation whose arguments are all evaluated. */
static JsValue
ApplyOperation(const JsonLogicNode *node, const JsValue *vals, int nvals,
			   const JsValue *data, EvalState *state)
{
	switch (node->op)
	{
		case JL_VAR:
			return Var(node, vals, nvals, data);
		case JL_MISSING:
			return Missing(vals, nvals, data, state);
		case JL_MISSING_SOME:
			return MissingSome(vals, nvals, data, state);
		case JL_UNKNOWN:
			UnrecognizedOperation(node->name);
			return jsv_undefined();		/* keep the compiler quiet */
		default:
			return jsonlogic_operate(node->op, vals, nvals);
	}
}

/* ----------------------------------------------------------------
 * Evaluation
 * ----------------------------------------------------------------
 */

/*
 * Evaluate the first argument of an array operation into *scope, and
 * return whether it is an array.
 */
static bool
EvalScope(const JsonLogicNode *node, const JsValue *data, EvalState *state,
		  JsValue *scope)
{
	*scope = node->nargs > 0 ? Eval(node->args[0], data, state) : jsv_undefined();
	return jsv_is_array(scope);
}

/*
 * Run the second argument of an array operation on one element. A missing
 * second argument gives undefined, as apply(undefined) does.
 */
static JsValue
EvalElement(const JsonLogicNode *node, const JsValue *elem, EvalState *state)
{
	if (node->nargs < 2)
		return jsv_undefined();
	return Eval(node->args[1], elem, state);
}

/* if and ?: take pairs of (condition, result), then an optional else. */
static JsValue
EvalIf(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	int			i;

	for (i = 0; i < node->nargs - 1; i += 2)
	{
		JsValue		cond = Eval(node->args[i], data, state);

		if (jsonlogic_truthy(&cond))
			return Eval(node->args[i + 1], data, state);
	}
	if (node->nargs == i + 1)
		return Eval(node->args[i], data, state);
	return jsv_null();
}

/* and, or: the first falsy (and) or truthy (or) value, else the last. */
static JsValue
EvalAndOr(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	JsValue		current = jsv_undefined();
	bool		stop_on = node->op == JL_OR;

	for (int i = 0; i < node->nargs; i++)
	{
		current = Eval(node->args[i], data, state);
		if (jsonlogic_truthy(&current) == stop_on)
			return current;
	}
	return current;
}

/* map: a new array of the results, or [] when the scope is not an array. */
static JsValue
EvalMap(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	JsValue		scope;
	JsValue		result;
	JsArrayIter iter;
	JsValue		elem;
	LoopMemory	lm;
	int			i = 0;

	if (!EvalScope(node, data, state, &scope))
		return jsv_new_array(0);
	result = jsv_new_array(jsv_array_length(&scope));
	jsv_array_iter_init(&iter, &scope);
	LoopBegin(&lm);
	while (jsv_array_iter_next(&iter, &elem))
	{
		JsValue		value;

		CHECK_FOR_INTERRUPTS();
		value = EvalElement(node, &elem, state);
		result.u.array->items[i++] = LoopKeepElement(&lm, &value);
	}
	LoopFinish(&lm);
	return result;
}

/* filter: the elements whose result is truthy, in a new array. */
static JsValue
EvalFilter(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	JsValue		scope;
	JsValue		result;
	JsArrayIter iter;
	JsValue		elem;
	LoopMemory	lm;
	int			n = 0;

	if (!EvalScope(node, data, state, &scope))
		return jsv_new_array(0);
	result = jsv_new_array(jsv_array_length(&scope));
	jsv_array_iter_init(&iter, &scope);
	LoopBegin(&lm);
	while (jsv_array_iter_next(&iter, &elem))
	{
		JsValue		test;
		bool		keep;

		CHECK_FOR_INTERRUPTS();
		test = EvalElement(node, &elem, state);
		keep = jsonlogic_truthy(&test);
		LoopDiscardElement(&lm);
		if (keep)
			result.u.array->items[n++] = elem;
	}
	LoopFinish(&lm);
	result.u.array->length = n;
	return result;
}

/*
 * all, none, some. all is false on an empty list or at the first falsy
 * result, some is true at the first truthy result, and none is the
 * negation of some. A scope that is not an array counts as empty.
 */
static JsValue
EvalQuantifier(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	JsValue		scope;
	JsArrayIter iter;
	JsValue		elem;
	LoopMemory	lm;
	bool		stop_on = node->op != JL_ALL;
	bool		stopped = false;

	if (!EvalScope(node, data, state, &scope) || jsv_array_length(&scope) == 0)
		return jsv_boolean(node->op == JL_NONE);
	jsv_array_iter_init(&iter, &scope);
	LoopBegin(&lm);
	while (jsv_array_iter_next(&iter, &elem))
	{
		JsValue		test;
		bool		truthy;

		CHECK_FOR_INTERRUPTS();
		test = EvalElement(node, &elem, state);
		truthy = jsonlogic_truthy(&test);
		LoopDiscardElement(&lm);
		if (truthy == stop_on)
		{
			stopped = true;
			break;
		}
	}
	LoopFinish(&lm);
	if (node->op == JL_SOME)
		return jsv_boolean(stopped);
	return jsv_boolean(!stopped);
}

/*
 * reduce: the second argument runs with {"current": element,
 * "accumulator": previous result} as its data. The initial value is the
 * third argument, or null, and is the result when the scope is not an
 * array.
 */
static JsValue
EvalReduce(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	static const char *keys[] = {"current", "accumulator"};
	static int	keylens[] = {7, 11};
	JsValue		scope;
	JsValue		accumulator;
	JsArrayIter iter;
	JsValue		elem;
	LoopMemory	lm;
	bool		is_array = EvalScope(node, data, state, &scope);

	accumulator = node->nargs > 2 ? Eval(node->args[2], data, state) : jsv_null();
	if (!is_array)
		return accumulator;

	jsv_array_iter_init(&iter, &scope);
	LoopBegin(&lm);
	while (jsv_array_iter_next(&iter, &elem))
	{
		JsObject   *obj;
		JsValue		objval = jsv_undefined();

		CHECK_FOR_INTERRUPTS();
		obj = palloc(sizeof(JsObject));
		obj->cxt = CurrentMemoryContext;
		obj->nkeys = 2;
		obj->keys = keys;
		obj->keylens = keylens;
		obj->values = palloc(sizeof(JsValue) * 2);
		obj->values[0] = elem;
		obj->values[1] = accumulator;
		objval.kind = JS_OBJECT;
		objval.u.object = obj;
		accumulator = EvalElement(node, &objval, state);
		accumulator = LoopCompact(&lm, &accumulator);
	}
	return LoopEnd(&lm, &accumulator);
}

/* Any other operation: evaluate all arguments in order, then run it. */
static JsValue
EvalEager(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	JsValue		stackvals[8];
	JsValue    *vals = stackvals;
	JsValue		result;

	if (node->nargs > lengthof(stackvals))
		vals = palloc(sizeof(JsValue) * node->nargs);
	for (int i = 0; i < node->nargs; i++)
		vals[i] = Eval(node->args[i], data, state);
	result = ApplyOperation(node, vals, node->nargs, data, state);
	if (vals != stackvals)
		pfree(vals);
	return result;
}

static JsValue
Eval(const JsonLogicNode *node, const JsValue *data, EvalState *state)
{
	check_stack_depth();

	switch (node->op)
	{
		case JL_LITERAL:
			return node->value;

		case JL_ARRAY:
			{
				JsValue		result = jsv_new_array(node->nargs);

				for (int i = 0; i < node->nargs; i++)
					result.u.array->items[i] = Eval(node->args[i], data, state);
				return result;
			}

		case JL_IF:
			return EvalIf(node, data, state);
		case JL_AND:
		case JL_OR:
			return EvalAndOr(node, data, state);
		case JL_MAP:
			return EvalMap(node, data, state);
		case JL_FILTER:
			return EvalFilter(node, data, state);
		case JL_ALL:
		case JL_NONE:
		case JL_SOME:
			return EvalQuantifier(node, data, state);
		case JL_REDUCE:
			return EvalReduce(node, data, state);
		default:
			return EvalEager(node, data, state);
	}
}

/*
 * Evaluate a compiled rule over data. The result can point into the rule,
 * the data and CurrentMemoryContext. max_depth limits the nesting of rules
 * that "missing" and "missing_some" find in the data and run.
 */
JsValue
jsonlogic_eval(const JsonLogicNode *node, const JsValue *data, int max_depth)
{
	EvalState	state;

	state.max_depth = max_depth;
	return Eval(node, data, &state);
}
