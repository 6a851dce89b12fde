/*-------------------------------------------------------------------------
 *
 * jsonlogic.c
 *	  olpe.jsonlogic_apply(rule, data) and the per-backend cache of compiled
 *	  JsonLogic rules.
 *
 * A rule is compiled once per backend and kept in a small hash table keyed
 * by the bytes of its jsonb value, each entry in a memory context of its
 * own under JsonLogicCacheContext. The cache keeps at most
 * JSONLOGIC_CACHE_MAX_ENTRIES rules and about olpe.cache_size bytes of
 * them (a budget of its own, beside the policy cache); the least recently
 * used rules go first. Entries never depend on catalog state, so nothing
 * invalidates them.
 *
 * src/jsonlogic.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "jsonlogic.h"
#include "olpe.h"

#define JSONLOGIC_CACHE_BUCKETS 256
#define JSONLOGIC_CACHE_MAX_ENTRIES 1024

typedef struct JsonLogicCacheEntry
{
	uint32		hash;
	Jsonb	   *rule;			/* copy of the rule, which the tree points into */
	JsonLogicNode *tree;
	int			depth;			/* nesting depth of the tree */
	MemoryContext cxt;			/* contains the entry, the rule and the tree */
	Size		mem;
	uint64		last_used;
	struct JsonLogicCacheEntry *next;	/* next in the bucket */
} JsonLogicCacheEntry;

static MemoryContext JsonLogicCacheContext = NULL;
static JsonLogicCacheEntry *cache_buckets[JSONLOGIC_CACHE_BUCKETS];
static int	cache_entries = 0;
static Size cache_mem = 0;
static uint64 cache_clock = 0;

PG_FUNCTION_INFO_V1(olpe_jsonlogic_apply);

/* Nesting depth of the operations and arrays of a compiled tree. */
static int
TreeDepth(const JsonLogicNode *node)
{
	int			depth = 0;

	check_stack_depth();
	if (node->op == JL_LITERAL)
		return 0;
	for (int i = 0; i < node->nargs; i++)
	{
		int			arg_depth = TreeDepth(node->args[i]);

		depth = Max(depth, arg_depth);
	}
	return depth + 1;
}

static void
RaiseTooDeep(int depth)
{
	ereport(ERROR,
			(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
			 errmsg("JsonLogic rule is nested too deeply"),
			 errdetail("Operations and arrays are nested %d levels deep, more than the limit of %d.",
					   depth, olpe_max_expression_depth),
			 errhint("Simplify the rule, or raise \"olpe.max_expression_depth\".")));
}

static void
RemoveEntry(JsonLogicCacheEntry *entry)
{
	JsonLogicCacheEntry **link = &cache_buckets[entry->hash % JSONLOGIC_CACHE_BUCKETS];

	while (*link != entry)
		link = &(*link)->next;
	*link = entry->next;
	cache_entries--;
	cache_mem -= entry->mem;
	MemoryContextDelete(entry->cxt);
}

/* Evict least recently used entries, but never keep, until within bounds. */
static void
EvictEntries(JsonLogicCacheEntry *keep)
{
	Size		budget = (Size) olpe_cache_size_kb * 1024;

	while (cache_entries > JSONLOGIC_CACHE_MAX_ENTRIES ||
		   (cache_mem > budget && cache_entries > 1))
	{
		JsonLogicCacheEntry *oldest = NULL;

		for (int b = 0; b < JSONLOGIC_CACHE_BUCKETS; b++)
			for (JsonLogicCacheEntry *e = cache_buckets[b]; e != NULL; e = e->next)
				if (e != keep && (oldest == NULL || e->last_used < oldest->last_used))
					oldest = e;
		if (oldest == NULL)
			break;
		RemoveEntry(oldest);
	}
}

/*
 * Return the compiled tree of a rule, compiling and caching it on first
 * use. Compile errors (the depth limit) leave nothing behind: the entry's
 * context hangs under the caller's context until compilation succeeds.
 */
static JsonLogicCacheEntry *
GetCompiledRule(Jsonb *rule)
{
	Size		size = VARSIZE(rule);
	uint32		hash = hash_bytes((const unsigned char *) rule, size);
	JsonLogicCacheEntry *entry;
	MemoryContext cxt;
	MemoryContext oldcxt;
	JsValue		value;

	if (size - VARHDRSZ > (Size) olpe_max_expression_length)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("JsonLogic rule is too large"),
				 errdetail("The rule takes %zu bytes as jsonb, more than the limit of %d bytes.",
						   size - VARHDRSZ, olpe_max_expression_length),
				 errhint("Simplify the rule, or raise \"olpe.max_expression_length\".")));

	for (entry = cache_buckets[hash % JSONLOGIC_CACHE_BUCKETS]; entry != NULL; entry = entry->next)
	{
		if (entry->hash == hash && VARSIZE(entry->rule) == size &&
			memcmp(entry->rule, rule, size) == 0)
		{
			/* the limit may have been lowered since the rule was compiled */
			if (entry->depth > olpe_max_expression_depth)
				RaiseTooDeep(entry->depth);
			entry->last_used = ++cache_clock;
			return entry;
		}
	}

	if (JsonLogicCacheContext == NULL)
		JsonLogicCacheContext = AllocSetContextCreate(TopMemoryContext,
													  "olpe JsonLogic cache",
													  ALLOCSET_DEFAULT_SIZES);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "olpe JsonLogic rule",
								ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(cxt);
	entry = palloc0(sizeof(JsonLogicCacheEntry));
	entry->hash = hash;
	entry->cxt = cxt;
	entry->rule = palloc(size);
	memcpy(entry->rule, rule, size);
	value = jsv_from_jsonb(entry->rule);
	entry->tree = jsonlogic_compile(&value, olpe_max_expression_depth);
	entry->depth = TreeDepth(entry->tree);
	MemoryContextSwitchTo(oldcxt);

	MemoryContextSetParent(cxt, JsonLogicCacheContext);
	entry->mem = MemoryContextMemAllocated(cxt, true);
	entry->last_used = ++cache_clock;
	entry->next = cache_buckets[hash % JSONLOGIC_CACHE_BUCKETS];
	cache_buckets[hash % JSONLOGIC_CACHE_BUCKETS] = entry;
	cache_entries++;
	cache_mem += entry->mem;
	EvictEntries(entry);
	return entry;
}

/*
 * olpe.jsonlogic_apply(rule jsonb, data jsonb) returns jsonb
 *
 * Evaluate a JsonLogic rule over data as json-logic-js 2.0.5's
 * jsonLogic.apply(rule, data) does, and return the result as
 * JSON.stringify would write it (NaN, Infinity and undefined become null).
 */
Datum
olpe_jsonlogic_apply(PG_FUNCTION_ARGS)
{
	Jsonb	   *rule = PG_GETARG_JSONB_P(0);
	Jsonb	   *data = PG_GETARG_JSONB_P(1);
	JsonLogicCacheEntry *entry;
	MemoryContext evalcxt;
	MemoryContext oldcxt;
	JsValue		root;
	JsValue		result;
	Jsonb	   *out;
	Jsonb	   *copy;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("olpe.jsonlogic_apply requires a database with UTF8 encoding"),
				 errdetail("The database encoding is %s. JsonLogic strings follow JavaScript, which counts and orders them in UTF-16 code units.",
						   GetDatabaseEncodingName())));

	entry = GetCompiledRule(rule);

	/* everything built during evaluation goes when the call ends */
	evalcxt = AllocSetContextCreate(CurrentMemoryContext,
									"olpe JsonLogic evaluation",
									ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(evalcxt);
	root = jsv_from_jsonb(data);
	result = jsonlogic_eval(entry->tree, &root, olpe_max_expression_depth);
	out = jsv_to_jsonb(&result);
	MemoryContextSwitchTo(oldcxt);

	copy = palloc(VARSIZE(out));
	memcpy(copy, out, VARSIZE(out));
	MemoryContextDelete(evalcxt);

	PG_RETURN_JSONB_P(copy);
}
