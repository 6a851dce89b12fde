/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  The olpe.compliance(olpe.decision) aggregate: a jsonb report of many
 *	  decisions.
 *
 * The report counts the decisions, the decisions per outcome, the failures
 * per rule name and the decisions per (policy, version):
 *
 *	{"total": 4000,
 *	 "outcomes": {"allow": 2500, "warn": 500, "review": 400, "deny": 600},
 *	 "failures": {"has_photos": 600, "title_length": 500},
 *	 "versions": [{"policy": "quality", "version": 12, "count": 4000}]}
 *
 * The transition state is a ComplianceState in the aggregate's memory
 * context, with two hash tables (simplehash) of counters keyed by strings
 * copied into that context. The aggregate runs in parallel: each worker
 * builds a partial state, serializes it to bytea, and the leader
 * deserializes and combines the states. Counting is commutative and
 * associative, jsonb sorts object keys, and the final function sorts the
 * versions, so the report is the same whatever the plan and the order of
 * the rows.
 *
 * NULL decisions are skipped, as count(x) skips NULL values. A decision
 * with a NULL outcome is an error: olpe never makes one, so it can only
 * come from a hand-built row.
 *
 * src/aggregate.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "olpe.h"

PG_FUNCTION_INFO_V1(olpe_compliance_transition);
PG_FUNCTION_INFO_V1(olpe_compliance_combine);
PG_FUNCTION_INFO_V1(olpe_compliance_serialize);
PG_FUNCTION_INFO_V1(olpe_compliance_deserialize);
PG_FUNCTION_INFO_V1(olpe_compliance_final);

/* Outcome labels in olpe.outcome order, so an index is the outcome's severity. */
#define NUM_OUTCOMES 4
static const char *const outcome_labels[NUM_OUTCOMES] = {
	"allow", "warn", "review", "deny"
};

/* Attribute numbers of olpe.decision (sql/parts/10_core.sql). */
#define DECISION_OUTCOME	1
#define DECISION_FAILED		2
#define DECISION_POLICY		4
#define DECISION_VERSION	5
#define DECISION_MIN_NATTS	5

/* ----------------------------------------------------------------
 * Counter tables
 * ----------------------------------------------------------------
 */

/* Failures of one rule name. */
typedef struct RuleCount
{
	char	   *rule;			/* in the aggregate context */
	int64		count;
	uint32		hash;
	char		status;			/* simplehash bookkeeping */
} RuleCount;

#define SH_PREFIX		rulecount
#define SH_ELEMENT_TYPE RuleCount
#define SH_KEY_TYPE		char *
#define SH_KEY			rule
#define SH_HASH_KEY(tb, key) hash_bytes((const unsigned char *) (key), strlen(key))
#define SH_EQUAL(tb, a, b) (strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Decisions made by one version of one policy. */
typedef struct VersionKey
{
	char	   *policy;			/* in the aggregate context */
	int64		version;
} VersionKey;

typedef struct VersionCount
{
	VersionKey	key;
	int64		count;
	uint32		hash;
	char		status;			/* simplehash bookkeeping */
} VersionCount;

static inline uint32
version_key_hash(VersionKey key)
{
	uint32		h = hash_bytes((const unsigned char *) key.policy, strlen(key.policy));

	return hash_combine(h, hash_bytes_uint32((uint32) key.version ^
											 (uint32) (key.version >> 32)));
}

#define SH_PREFIX		versioncount
#define SH_ELEMENT_TYPE VersionCount
#define SH_KEY_TYPE		VersionKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, key) version_key_hash(key)
#define SH_EQUAL(tb, a, b) ((a).version == (b).version && strcmp((a).policy, (b).policy) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The transition state, allocated in the aggregate's memory context. */
typedef struct ComplianceState
{
	MemoryContext cxt;			/* the aggregate context: keys live here */
	int64		total;
	int64		outcomes[NUM_OUTCOMES];
	rulecount_hash *rules;
	versioncount_hash *versions;
} ComplianceState;

/*
 * What the transition function learns once per call site about the
 * olpe.decision row type, kept in fn_extra.
 */
typedef struct DecisionTypeInfo
{
	Oid			typid;
	int32		typmod;
	TupleDesc	tupdesc;
	Oid			outcome_oids[NUM_OUTCOMES]; /* enum value of each label */
} DecisionTypeInfo;

static ComplianceState *
new_state(MemoryContext aggcxt)
{
	ComplianceState *state;

	state = MemoryContextAllocZero(aggcxt, sizeof(ComplianceState));
	state->cxt = aggcxt;
	state->rules = rulecount_create(aggcxt, 16, NULL);
	state->versions = versioncount_create(aggcxt, 4, NULL);
	return state;
}

/* Add count failures of a rule, copying the name when it is new. */
static void
add_rule_count(ComplianceState *state, const char *rule, int64 count)
{
	RuleCount  *entry;
	bool		found;

	entry = rulecount_insert(state->rules, (char *) rule, &found);
	if (!found)
	{
		entry->rule = MemoryContextStrdup(state->cxt, rule);
		entry->count = 0;
	}
	entry->count += count;
}

/* Add count decisions of a policy version, copying the name when it is new. */
static void
add_version_count(ComplianceState *state, const char *policy, int64 version,
				  int64 count)
{
	VersionKey	key = {(char *) policy, version};
	VersionCount *entry;
	bool		found;

	entry = versioncount_insert(state->versions, key, &found);
	if (!found)
	{
		entry->key.policy = MemoryContextStrdup(state->cxt, policy);
		entry->count = 0;
	}
	entry->count += count;
}

/* ----------------------------------------------------------------
 * Transition
 * ----------------------------------------------------------------
 */

/* Look up the row type of a decision and the olpe.outcome enum values. */
static DecisionTypeInfo *
get_decision_type_info(FunctionCallInfo fcinfo, HeapTupleHeader th)
{
	DecisionTypeInfo *info = fcinfo->flinfo->fn_extra;
	Oid			typid = HeapTupleHeaderGetTypeId(th);
	int32		typmod = HeapTupleHeaderGetTypMod(th);
	MemoryContext old;
	Oid			enumtype;

	if (info && info->typid == typid && info->typmod == typmod)
		return info;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (info == NULL)
		info = palloc0(sizeof(DecisionTypeInfo));
	else if (info->tupdesc)
		FreeTupleDesc(info->tupdesc);
	info->tupdesc = lookup_rowtype_tupdesc_copy(typid, typmod);
	MemoryContextSwitchTo(old);
	info->typid = typid;
	info->typmod = typmod;
	fcinfo->flinfo->fn_extra = info;

	/* the aggregate's argument type guarantees this shape, but check it */
	if (info->tupdesc->natts < DECISION_MIN_NATTS ||
		TupleDescAttr(info->tupdesc, DECISION_FAILED - 1)->atttypid != TEXTARRAYOID ||
		TupleDescAttr(info->tupdesc, DECISION_POLICY - 1)->atttypid != TEXTOID ||
		TupleDescAttr(info->tupdesc, DECISION_VERSION - 1)->atttypid != INT8OID)
		elog(ERROR, "row type %s is not olpe.decision", format_type_be(typid));

	enumtype = TupleDescAttr(info->tupdesc, DECISION_OUTCOME - 1)->atttypid;
	for (int i = 0; i < NUM_OUTCOMES; i++)
		info->outcome_oids[i] =
			DatumGetObjectId(DirectFunctionCall2(enum_in,
												 CStringGetDatum(outcome_labels[i]),
												 ObjectIdGetDatum(enumtype)));
	return info;
}

/*
 * olpe_compliance_transition
 *		Count one decision into the state.
 *
 * Not strict: the first call creates the state, and NULL decisions are
 * skipped here. Allocations other than the state and new keys happen in
 * the per-row context, which the executor resets for every row.
 */
Datum
olpe_compliance_transition(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ComplianceState *state;
	HeapTupleHeader th;
	HeapTupleData tuple;
	DecisionTypeInfo *info;
	Datum		values[DECISION_MIN_NATTS];
	bool		nulls[DECISION_MIN_NATTS];
	int			outcome = -1;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "olpe_compliance_transition called in non-aggregate context");

	state = PG_ARGISNULL(0) ? new_state(aggcxt) : (ComplianceState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);

	/* deform the decision, reading only the columns the report uses */
	th = PG_GETARG_HEAPTUPLEHEADER(1);
	info = get_decision_type_info(fcinfo, th);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	for (int i = 0; i < DECISION_MIN_NATTS; i++)
		values[i] = heap_getattr(&tuple, i + 1, info->tupdesc, &nulls[i]);

	/* outcome */
	if (!nulls[DECISION_OUTCOME - 1])
	{
		Oid			value = DatumGetObjectId(values[DECISION_OUTCOME - 1]);

		for (int i = 0; i < NUM_OUTCOMES; i++)
			if (info->outcome_oids[i] == value)
				outcome = i;
	}
	if (outcome < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("decision has no outcome"),
				 errdetail("olpe.compliance counts decisions made by olpe.evaluate, which always have an outcome.")));
	state->total++;
	state->outcomes[outcome]++;

	/* failures per rule: a NULL array or a NULL element counts nothing */
	if (!nulls[DECISION_FAILED - 1])
	{
		ArrayType  *failed = DatumGetArrayTypeP(values[DECISION_FAILED - 1]);
		Datum	   *elems;
		bool	   *elemnulls;
		int			nelems;

		deconstruct_array(failed, TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &elemnulls, &nelems);
		for (int i = 0; i < nelems; i++)
			if (!elemnulls[i])
				add_rule_count(state, TextDatumGetCString(elems[i]), 1);
	}

	/* decisions per policy version, unless the policy or version is NULL */
	if (!nulls[DECISION_POLICY - 1] && !nulls[DECISION_VERSION - 1])
		add_version_count(state,
						  TextDatumGetCString(values[DECISION_POLICY - 1]),
						  DatumGetInt64(values[DECISION_VERSION - 1]),
						  1);

	PG_RETURN_POINTER(state);
}

/* ----------------------------------------------------------------
 * Combine, serialize, deserialize
 * ----------------------------------------------------------------
 */

/* Add every count of src into dst, copying new keys into dst's context. */
static void
merge_state(ComplianceState *dst, ComplianceState *src)
{
	rulecount_iterator rit;
	versioncount_iterator vit;
	RuleCount  *rule;
	VersionCount *version;

	dst->total += src->total;
	for (int i = 0; i < NUM_OUTCOMES; i++)
		dst->outcomes[i] += src->outcomes[i];

	rulecount_start_iterate(src->rules, &rit);
	while ((rule = rulecount_iterate(src->rules, &rit)) != NULL)
		add_rule_count(dst, rule->rule, rule->count);

	versioncount_start_iterate(src->versions, &vit);
	while ((version = versioncount_iterate(src->versions, &vit)) != NULL)
		add_version_count(dst, version->key.policy, version->key.version,
						  version->count);
}

/*
 * olpe_compliance_combine
 *		Merge two partial states, for parallel aggregation.
 *
 * Not strict, because an internal state cannot be passed through: a NULL
 * first state is replaced by a new one in the aggregate context.
 */
Datum
olpe_compliance_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	ComplianceState *state1;
	ComplianceState *state2;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "olpe_compliance_combine called in non-aggregate context");

	state1 = PG_ARGISNULL(0) ? NULL : (ComplianceState *) PG_GETARG_POINTER(0);
	state2 = PG_ARGISNULL(1) ? NULL : (ComplianceState *) PG_GETARG_POINTER(1);
	if (state2 == NULL)
	{
		if (state1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state1);
	}
	if (state1 == NULL)
		state1 = new_state(aggcxt);
	merge_state(state1, state2);
	PG_RETURN_POINTER(state1);
}

static void
send_string(StringInfo buf, const char *s)
{
	int			len = strlen(s);

	pq_sendint32(buf, len);
	pq_sendbytes(buf, s, len);
}

static char *
get_string(StringInfo buf)
{
	int			len = pq_getmsgint(buf, 4);
	const char *bytes;

	if (len < 0)
		elog(ERROR, "invalid olpe.compliance state: negative string length");
	bytes = pq_getmsgbytes(buf, len);
	return pnstrdup(bytes, len);
}

/*
 * olpe_compliance_serialize
 *		A state as bytea, to send it from a parallel worker to the leader.
 *
 * The layout, in network byte order, starts with the total and the four
 * outcome counts (int64 each). Then come the number of rules (int32) and,
 * per rule, its name (int32 length and bytes) and count (int64). Last come
 * the number of versions (int32) and, per version, the policy name, the
 * version and the count.
 */
Datum
olpe_compliance_serialize(PG_FUNCTION_ARGS)
{
	ComplianceState *state = (ComplianceState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	rulecount_iterator rit;
	versioncount_iterator vit;
	RuleCount  *rule;
	VersionCount *version;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "olpe_compliance_serialize called in non-aggregate context");

	pq_begintypsend(&buf);
	pq_sendint64(&buf, state->total);
	for (int i = 0; i < NUM_OUTCOMES; i++)
		pq_sendint64(&buf, state->outcomes[i]);

	pq_sendint32(&buf, state->rules->members);
	rulecount_start_iterate(state->rules, &rit);
	while ((rule = rulecount_iterate(state->rules, &rit)) != NULL)
	{
		send_string(&buf, rule->rule);
		pq_sendint64(&buf, rule->count);
	}

	pq_sendint32(&buf, state->versions->members);
	versioncount_start_iterate(state->versions, &vit);
	while ((version = versioncount_iterate(state->versions, &vit)) != NULL)
	{
		send_string(&buf, version->key.policy);
		pq_sendint64(&buf, version->key.version);
		pq_sendint64(&buf, version->count);
	}

	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * olpe_compliance_deserialize
 *		Rebuild a state serialized by olpe_compliance_serialize.
 */
Datum
olpe_compliance_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcxt;
	ComplianceState *state;
	StringInfoData buf;
	int			nrules;
	int			nversions;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "olpe_compliance_deserialize called in non-aggregate context");

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data));

	state = new_state(aggcxt);
	state->total = pq_getmsgint64(&buf);
	for (int i = 0; i < NUM_OUTCOMES; i++)
		state->outcomes[i] = pq_getmsgint64(&buf);

	nrules = pq_getmsgint(&buf, 4);
	for (int i = 0; i < nrules; i++)
	{
		char	   *rule = get_string(&buf);

		add_rule_count(state, rule, pq_getmsgint64(&buf));
	}

	nversions = pq_getmsgint(&buf, 4);
	for (int i = 0; i < nversions; i++)
	{
		char	   *policy = get_string(&buf);
		int64		version = pq_getmsgint64(&buf);

		add_version_count(state, policy, version, pq_getmsgint64(&buf));
	}

	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

/* ----------------------------------------------------------------
 * Final function
 * ----------------------------------------------------------------
 */

static void
push_key(JsonbParseState **pstate, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(pstate, WJB_KEY, &v);
}

static void
push_int64(JsonbParseState **pstate, JsonbIteratorToken token, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	pushJsonbValue(pstate, token, &v);
}

static void
push_string(JsonbParseState **pstate, JsonbIteratorToken token, const char *value)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	pushJsonbValue(pstate, token, &v);
}

/* Order versions by policy name (bytewise), then version. */
static int
version_cmp(const void *a, const void *b)
{
	const VersionCount *va = *(const VersionCount *const *) a;
	const VersionCount *vb = *(const VersionCount *const *) b;
	int			c = strcmp(va->key.policy, vb->key.policy);

	if (c != 0)
		return c;
	if (va->key.version != vb->key.version)
		return va->key.version < vb->key.version ? -1 : 1;
	return 0;
}

/*
 * olpe_compliance_final
 *		The report of a state as jsonb.
 *
 * Reads the state without changing it, so the aggregate may be used as a
 * window function. With no rows the state is NULL and the report has a
 * total of 0, every outcome at 0, no failures and no versions.
 */
Datum
olpe_compliance_final(PG_FUNCTION_ARGS)
{
	ComplianceState *state = PG_ARGISNULL(0) ? NULL : (ComplianceState *) PG_GETARG_POINTER(0);
	JsonbParseState *pstate = NULL;
	JsonbValue *result;

	pushJsonbValue(&pstate, WJB_BEGIN_OBJECT, NULL);

	push_key(&pstate, "total");
	push_int64(&pstate, WJB_VALUE, state ? state->total : 0);

	push_key(&pstate, "outcomes");
	pushJsonbValue(&pstate, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < NUM_OUTCOMES; i++)
	{
		push_key(&pstate, outcome_labels[i]);
		push_int64(&pstate, WJB_VALUE, state ? state->outcomes[i] : 0);
	}
	pushJsonbValue(&pstate, WJB_END_OBJECT, NULL);

	/* jsonb sorts object keys itself */
	push_key(&pstate, "failures");
	pushJsonbValue(&pstate, WJB_BEGIN_OBJECT, NULL);
	if (state)
	{
		rulecount_iterator rit;
		RuleCount  *rule;

		rulecount_start_iterate(state->rules, &rit);
		while ((rule = rulecount_iterate(state->rules, &rit)) != NULL)
		{
			push_key(&pstate, rule->rule);
			push_int64(&pstate, WJB_VALUE, rule->count);
		}
	}
	pushJsonbValue(&pstate, WJB_END_OBJECT, NULL);

	/* array elements keep their order, so sort them first */
	push_key(&pstate, "versions");
	pushJsonbValue(&pstate, WJB_BEGIN_ARRAY, NULL);
	if (state && state->versions->members > 0)
	{
		versioncount_iterator vit;
		VersionCount *version;
		VersionCount **sorted;
		int			n = 0;

		sorted = palloc(sizeof(VersionCount *) * state->versions->members);
		versioncount_start_iterate(state->versions, &vit);
		while ((version = versioncount_iterate(state->versions, &vit)) != NULL)
			sorted[n++] = version;
		qsort(sorted, n, sizeof(VersionCount *), version_cmp);

		for (int i = 0; i < n; i++)
		{
			pushJsonbValue(&pstate, WJB_BEGIN_OBJECT, NULL);
			push_key(&pstate, "policy");
			push_string(&pstate, WJB_VALUE, sorted[i]->key.policy);
			push_key(&pstate, "version");
			push_int64(&pstate, WJB_VALUE, sorted[i]->key.version);
			push_key(&pstate, "count");
			push_int64(&pstate, WJB_VALUE, sorted[i]->count);
			pushJsonbValue(&pstate, WJB_END_OBJECT, NULL);
		}
		pfree(sorted);
	}
	pushJsonbValue(&pstate, WJB_END_ARRAY, NULL);

	result = pushJsonbValue(&pstate, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}
