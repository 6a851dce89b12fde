/*-------------------------------------------------------------------------
 *
 * cache.c
 *	  Backend-local cache of compiled policies and expressions.
 *
 * A compiled program is keyed by policy name, policy version and the
 * identity of the input row type (the typcache's tupdesc identifier, which
 * changes when the table is altered), plus the session settings that
 * literals were read under (DateStyle, IntervalStyle, TimeZone).
 *
 * Freshness without invalidation messages: each lookup compares the active
 * snapshot with the one under which the policy's row was last read. Two
 * snapshots with the same xmin, xmax, in-progress transactions and command
 * id see the same committed rows, so while the snapshot is unchanged the
 * policy's version cannot have changed either and the lookup costs a few
 * comparisons. When the snapshot differs (a new statement in READ
 * COMMITTED, a new transaction, or a hot standby that replayed more WAL)
 * the tuple the row was read from is checked once. While it is visible and
 * nothing has updated or deleted it, it is still the row (see
 * olpe_policy_row_current). Otherwise the row is read again through its
 * primary key. This gives both guarantees olpe makes: a whole statement
 * sees one policy version, and the next statement of every backend, on the
 * primary or on a replica, sees a committed change, with no reconnect and
 * no session state.
 *
 * Programs are never used across calls, so any program that is not the one
 * being returned may be freed at a lookup: versions that are no longer
 * current are freed at once, and the least recently used programs are
 * freed when the cache outgrows olpe.cache_size.
 *
 * src/cache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "olpe.h"

/* What a snapshot sees, for comparing it with a later one. */
typedef struct SnapshotKey
{
	bool		valid;
	TransactionId xmin;
	TransactionId xmax;
	uint32		xcnt;
	int32		subxcnt;
	bool		suboverflowed;
	bool		takenDuringRecovery;
	CommandId	curcid;
	TransactionId *xip;			/* xcnt + subxcnt ids, in TopMemoryContext */
	int			xip_alloc;
} SnapshotKey;

typedef struct PolicyEntry
{
	char		name[NAMEDATALEN];	/* hash key */
	SnapshotKey snap;			/* snapshot the row was read under */
	bool		exists;
	OlpePolicyRow row;
	OlpeProgram *programs;		/* compiled versions, linked by next */
} PolicyEntry;

#define EXPR_CACHE_SIZE 64

typedef struct ExprEntry
{
	uint32		hash;
	char	   *text;			/* in TopMemoryContext */
	OlpeProgram *prog;
} ExprEntry;

static HTAB *policy_cache = NULL;
static ExprEntry expr_cache[EXPR_CACHE_SIZE];
static uint64 use_clock = 0;
static Size cache_mem = 0;

/* Session settings that change how literals are read. */
static bool
settings_match(OlpeProgram *prog)
{
	return prog->datestyle == DateStyle && prog->dateorder == DateOrder &&
		prog->intervalstyle == IntervalStyle && prog->timezone == session_timezone;
}

static void
settings_store(OlpeProgram *prog)
{
	prog->datestyle = DateStyle;
	prog->dateorder = DateOrder;
	prog->intervalstyle = IntervalStyle;
	prog->timezone = session_timezone;
}

static bool
snapshot_matches(SnapshotKey *key, Snapshot snap)
{
	if (!key->valid || snap == NULL)
		return false;
	if (key->xmin != snap->xmin || key->xmax != snap->xmax ||
		key->xcnt != snap->xcnt || key->subxcnt != snap->subxcnt ||
		key->suboverflowed != snap->suboverflowed ||
		key->takenDuringRecovery != snap->takenDuringRecovery ||
		key->curcid != snap->curcid)
		return false;
	if (snap->xcnt > 0 &&
		memcmp(key->xip, snap->xip, sizeof(TransactionId) * snap->xcnt) != 0)
		return false;
	if (snap->subxcnt > 0 &&
		memcmp(key->xip + snap->xcnt, snap->subxip,
			   sizeof(TransactionId) * snap->subxcnt) != 0)
		return false;
	return true;
}

static void
snapshot_store(SnapshotKey *key, Snapshot snap)
{
	int			n;

	key->valid = false;
	if (snap == NULL)
		return;
	n = snap->xcnt + Max(snap->subxcnt, 0);
	if (n > key->xip_alloc)
	{
		if (key->xip)
			pfree(key->xip);
		key->xip = MemoryContextAlloc(TopMemoryContext,
									  sizeof(TransactionId) * Max(n, 8));
		key->xip_alloc = Max(n, 8);
	}
	key->xmin = snap->xmin;
	key->xmax = snap->xmax;
	key->xcnt = snap->xcnt;
	key->subxcnt = snap->subxcnt;
	key->suboverflowed = snap->suboverflowed;
	key->takenDuringRecovery = snap->takenDuringRecovery;
	key->curcid = snap->curcid;
	if (snap->xcnt > 0)
		memcpy(key->xip, snap->xip, sizeof(TransactionId) * snap->xcnt);
	if (snap->subxcnt > 0)
		memcpy(key->xip + snap->xcnt, snap->subxip,
			   sizeof(TransactionId) * snap->subxcnt);
	key->valid = true;
}

static void
free_program(OlpeProgram *prog)
{
	cache_mem -= prog->mem;
	MemoryContextDelete(prog->cxt);
}

/*
 * Free least recently used programs until the cache fits olpe.cache_size.
 * keep is the program about to be returned; it stays even when it alone
 * is larger than the limit.
 */
static void
enforce_limit(OlpeProgram *keep)
{
	Size		limit = (Size) olpe_cache_size_kb * 1024;

	while (cache_mem > limit)
	{
		OlpeProgram **victim_link = NULL;
		ExprEntry  *victim_expr = NULL;
		uint64		oldest = PG_UINT64_MAX;
		HASH_SEQ_STATUS seq;
		PolicyEntry *entry;

		hash_seq_init(&seq, policy_cache);
		while ((entry = hash_seq_search(&seq)) != NULL)
		{
			for (OlpeProgram **link = &entry->programs; *link; link = &(*link)->next)
			{
				if (*link != keep && (*link)->last_used < oldest)
				{
					oldest = (*link)->last_used;
					victim_link = link;
					victim_expr = NULL;
				}
			}
		}
		for (int i = 0; i < EXPR_CACHE_SIZE; i++)
		{
			OlpeProgram *p = expr_cache[i].prog;

			if (p && p != keep && p->last_used < oldest)
			{
				oldest = p->last_used;
				victim_expr = &expr_cache[i];
				victim_link = NULL;
			}
		}

		if (victim_link)
		{
			OlpeProgram *victim = *victim_link;

			*victim_link = victim->next;
			free_program(victim);
		}
		else if (victim_expr)
		{
			free_program(victim_expr->prog);
			victim_expr->prog = NULL;
			pfree(victim_expr->text);
			victim_expr->text = NULL;
		}
		else
			break;
	}
}

/* Move a freshly compiled program into the cache's keeping. */
static void
adopt_program(OlpeProgram *prog)
{
	MemoryContextSetParent(prog->cxt, CacheMemoryContext);
	prog->mem = MemoryContextMemAllocated(prog->cxt, true);
	cache_mem += prog->mem;
	settings_store(prog);
	prog->last_used = ++use_clock;
}

void
olpe_cache_init(void)
{
	HASHCTL		ctl;

	if (policy_cache)
		return;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(PolicyEntry);
	ctl.hcxt = TopMemoryContext;
	policy_cache = hash_create("olpe policy cache", 64, &ctl,
							   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/* Row type identity and descriptor of the listing type. */
static uint64
rowtype_identity(Oid rowtype, int32 typmod, TupleDesc *tupdesc)
{
	*tupdesc = lookup_rowtype_tupdesc(rowtype, typmod);
	ReleaseTupleDesc(*tupdesc);
	return assign_record_type_identifier(rowtype, typmod);
}

/*
 * Read a policy's row again under snap, and free the compiled versions
 * that are no longer current.
 */
static void
reread_policy(PolicyEntry *entry, const char *name, Snapshot snap)
{
	OlpePolicyRow row;

	entry->snap.valid = false;
	entry->exists = olpe_policy_lookup(name, &row);
	if (entry->exists)
	{
		if (entry->row.name)
			pfree(entry->row.name);
		entry->row = row;
		entry->row.name = MemoryContextStrdup(TopMemoryContext, name);
	}
	snapshot_store(&entry->snap, snap);

	/*
	 * Keep a program only while its version is current and it was compiled
	 * from the same tuple. Versions alone can repeat, because CREATE
	 * EXTENSION after DROP EXTENSION starts the version sequence again.
	 */
	for (OlpeProgram **link = &entry->programs; *link;)
	{
		OlpeProgram *prog = *link;

		if (!entry->exists || prog->version != entry->row.version ||
			prog->row_tuple.relid != entry->row.tuple.relid ||
			!ItemPointerEquals(&prog->row_tuple.tid, &entry->row.tuple.tid) ||
			prog->row_tuple.xmin != entry->row.tuple.xmin)
		{
			OlpeProgram *dead = *link;

			*link = dead->next;
			free_program(dead);
		}
		else
			link = &(*link)->next;
	}
}

/*
 * olpe_cache_policy
 *		The compiled program of a policy for a listing type.
 *
 * rowtype is the composite type of the listing, or JSONBOID for documents.
 * Raises 42704 when the policy does not exist.
 *
 * TODO: each parallel worker starts with an empty cache and compiles the
 * policy again (about 2 ms). The leader could pass its program's source
 * rows to the workers through the parallel context instead.
 */
OlpeProgram *
olpe_cache_policy(const char *name, Oid rowtype, int32 rowtypmod)
{
	PolicyEntry *entry;
	bool		found;
	Snapshot	snap;
	TupleDesc	tupdesc = NULL;
	uint64		rowtype_id;
	OlpeProgram *prog;

	olpe_cache_init();
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("policy \"%s\" does not exist", name)));

	entry = hash_search(policy_cache, name, HASH_ENTER, &found);
	if (!found)
		memset((char *) entry + NAMEDATALEN, 0, sizeof(PolicyEntry) - NAMEDATALEN);

	/*
	 * A new snapshot may see other commits: check the row's tuple, and read
	 * the row again when it may have changed.
	 */
	snap = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;
	if (!snapshot_matches(&entry->snap, snap))
	{
		if (entry->exists && olpe_policy_row_current(&entry->row, snap))
			snapshot_store(&entry->snap, snap);
		else
			reread_policy(entry, name, snap);
	}
	if (!entry->exists)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("policy \"%s\" does not exist", name),
				 errhint("Policies are rows of olpe.policy.")));

	if (rowtype == JSONBOID)
	{
		rowtype_id = 0;
		if (OidIsValid(entry->row.target))
		{
			Oid			typid = get_rel_type_id(entry->row.target);

			if (OidIsValid(typid))
				rowtype_id = assign_record_type_identifier(typid, -1);
		}
	}
	else
		rowtype_id = rowtype_identity(rowtype, rowtypmod, &tupdesc);

	for (prog = entry->programs; prog; prog = prog->next)
		if (prog->rowtype_id == rowtype_id &&
			prog->for_documents == (rowtype == JSONBOID) && settings_match(prog))
			break;

	if (prog == NULL)
	{
		prog = olpe_policy_compile(&entry->row, rowtype == JSONBOID ? NULL : tupdesc,
								   rowtype_id);
		prog->for_documents = (rowtype == JSONBOID);
		adopt_program(prog);
		prog->next = entry->programs;
		entry->programs = prog;
		enforce_limit(prog);
	}
	prog->last_used = ++use_clock;
	return prog;
}

/*
 * olpe_cache_expression
 *		The compiled program of one expression for a listing type.
 */
OlpeProgram *
olpe_cache_expression(const char *text, Oid rowtype, int32 rowtypmod)
{
	uint32		hash = hash_bytes((const unsigned char *) text, strlen(text));
	TupleDesc	tupdesc = NULL;
	uint64		rowtype_id = 0;
	ExprEntry  *slot = NULL;
	OlpeProgram *prog;

	olpe_cache_init();
	if (rowtype != JSONBOID)
		rowtype_id = rowtype_identity(rowtype, rowtypmod, &tupdesc);

	for (int i = 0; i < EXPR_CACHE_SIZE; i++)
	{
		ExprEntry  *e = &expr_cache[i];

		if (e->prog && e->hash == hash && e->prog->rowtype_id == rowtype_id &&
			e->prog->for_documents == (rowtype == JSONBOID) &&
			settings_match(e->prog) && strcmp(e->text, text) == 0)
		{
			e->prog->last_used = ++use_clock;
			return e->prog;
		}
	}

	prog = olpe_compile_expression(text, tupdesc, rowtype_id);
	prog->for_documents = (rowtype == JSONBOID);
	adopt_program(prog);

	/* take a free entry, or the least recently used one */
	for (int i = 0; i < EXPR_CACHE_SIZE; i++)
	{
		ExprEntry  *e = &expr_cache[i];

		if (e->prog == NULL)
		{
			slot = e;
			break;
		}
		if (slot == NULL || e->prog->last_used < slot->prog->last_used)
			slot = e;
	}
	if (slot->prog)
	{
		free_program(slot->prog);
		pfree(slot->text);
	}
	slot->hash = hash;
	slot->text = MemoryContextStrdup(TopMemoryContext, text);
	slot->prog = prog;
	enforce_limit(prog);
	return prog;
}
