/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  Read policies from the olpe tables and compile them into programs.
 *
 * olpe_policy_lookup() reads one row of olpe.policy through its primary key
 * index under the active snapshot, without SPI. Once a row has been read,
 * olpe_policy_row_current() checks at each new statement (see cache.c)
 * that the row is still the current one by looking at the tuple where it
 * was found, which costs one buffer access. Rules and parameters are read
 * with SPI only when a version has to be compiled.
 *
 * src/policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "olpe.h"

/* olpe.policy and its primary key index, resolved on first use */
static Oid	policy_relid = InvalidOid;
static Oid	policy_pkey_relid = InvalidOid;

#define Anum_policy_name		1
#define Anum_policy_target		2
#define Anum_policy_on_unknown	3
#define Anum_policy_version		5

static void
resolve_policy_table(void)
{
	Oid			nsp = get_namespace_oid("olpe", true);

	if (OidIsValid(nsp))
	{
		policy_relid = get_relname_relid("policy", nsp);
		policy_pkey_relid = get_relname_relid("policy_pkey", nsp);
	}
	if (!OidIsValid(nsp) || !OidIsValid(policy_relid) ||
		!OidIsValid(policy_pkey_relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the olpe policy tables do not exist in this database"),
				 errhint("Run CREATE EXTENSION olpe.")));
}

/*
 * The rollout mode of a policy row. The mode column comes from a later part
 * of the install script, so it is found by name; without it a policy
 * enforces.
 */
static OlpePolicyMode
read_policy_mode(HeapTuple tup, TupleDesc desc)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull;
		Datum		d;
		text	   *mode;
		int			len;

		if (att->attisdropped || strcmp(NameStr(att->attname), "mode") != 0)
			continue;
		d = heap_getattr(tup, i + 1, desc, &isnull);
		if (isnull)
			break;

		/* compared in place: this runs in TopMemoryContext (cache.c) */
		mode = DatumGetTextPP(d);
		len = VARSIZE_ANY_EXHDR(mode);
		if (len == 4 && memcmp(VARDATA_ANY(mode), "warn", 4) == 0)
			return OLPE_MODE_WARN;
		if (len == 6 && memcmp(VARDATA_ANY(mode), "shadow", 6) == 0)
			return OLPE_MODE_SHADOW;
		break;
	}
	return OLPE_MODE_ENFORCE;
}

/*
 * olpe_policy_lookup
 *		Read a policy's row under the active snapshot; false if absent.
 */
bool
olpe_policy_lookup(const char *name, OlpePolicyRow *row)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		found = false;
	Snapshot	snapshot;

	if (!OidIsValid(policy_relid) ||
		!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(policy_relid)))
		resolve_policy_table();

	snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
	rel = table_open(policy_relid, AccessShareLock);
	ScanKeyEntryInitialize(&key, 0, Anum_policy_name, BTEqualStrategyNumber,
						   InvalidOid, DEFAULT_COLLATION_OID, F_TEXTEQ,
						   CStringGetTextDatum(name));
	scan = systable_beginscan(rel, policy_pkey_relid, true, snapshot, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		TupleDesc	desc = RelationGetDescr(rel);
		bool		isnull;
		Datum		d;

		found = true;
		row->name = pstrdup(name);
		d = heap_getattr(tup, Anum_policy_target, desc, &isnull);
		row->target = isnull ? InvalidOid : DatumGetObjectId(d);
		d = heap_getattr(tup, Anum_policy_on_unknown, desc, &isnull);
		row->unknown_passes = !isnull && strcmp(TextDatumGetCString(d), "pass") == 0;
		d = heap_getattr(tup, Anum_policy_version, desc, &isnull);
		row->version = isnull ? 0 : DatumGetInt64(d);
		row->mode = read_policy_mode(tup, desc);
		row->tuple.relid = policy_relid;
		row->tuple.tid = tup->t_self;
		row->recent_buffer = InvalidBuffer;
		row->tuple.xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * olpe_policy_row_current
 *		Is the policy row read earlier still the one visible to snapshot?
 *
 * Every change of a policy, of its rules or of its parameters updates its
 * row in olpe.policy (the version trigger), and an update or a delete
 * stamps the old tuple with the changing transaction before that
 * transaction can commit. Take the tuple at the remembered place: it may
 * still be the same row (same writing transaction, same name), visible to
 * the snapshot, with no update or delete, committed or in progress. Then
 * no newer version of the row exists, and the primary key rules out
 * another row of that name, so the row read before is still the policy's
 * row for this snapshot.
 * Anything else (a row being changed, a rewritten or truncated table, a
 * snapshot older than the row) returns false and the caller reads the row
 * again through the index. Locks that only share the row, such as foreign
 * key checks of new rules, do not count as changes.
 */
bool
olpe_policy_row_current(OlpePolicyRow *row, Snapshot snapshot)
{
	Relation	rel;
	BlockNumber blkno = ItemPointerGetBlockNumber(&row->tuple.tid);
	OffsetNumber offnum = ItemPointerGetOffsetNumber(&row->tuple.tid);
	Buffer		buf;
	Page		page;
	ItemId		lp;
	bool		current = false;

	if (snapshot == NULL || !IsMVCCSnapshot(snapshot) ||
		!OidIsValid(policy_relid))
		return false;

	/*
	 * The lock is kept until the end of the transaction, as a query that
	 * reads the table keeps it, so the next statement of the transaction
	 * finds it already held.
	 */
	rel = try_table_open(policy_relid, AccessShareLock);
	if (rel == NULL)
		return false;

	/*
	 * The buffer that held the page last time usually still does, and then
	 * it is pinned without asking the file for its length or the buffer
	 * table for the page.
	 */
	if (BufferIsValid(row->recent_buffer) &&
		ReadRecentBuffer(rel->rd_node, MAIN_FORKNUM, blkno, row->recent_buffer))
		buf = row->recent_buffer;
	else
	{
		if (blkno >= RelationGetNumberOfBlocks(rel))
		{
			table_close(rel, NoLock);
			return false;
		}
		buf = ReadBuffer(rel, blkno);
		row->recent_buffer = buf;
	}
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (offnum >= FirstOffsetNumber && offnum <= PageGetMaxOffsetNumber(page) &&
		ItemIdIsNormal(lp = PageGetItemId(page, offnum)))
	{
		HeapTupleData tup;
		HeapTupleHeader hdr = (HeapTupleHeader) PageGetItem(page, lp);
		uint16		infomask = hdr->t_infomask;

		tup.t_data = hdr;
		tup.t_len = ItemIdGetLength(lp);
		tup.t_tableOid = policy_relid;
		tup.t_self = row->tuple.tid;

		if (HeapTupleHeaderGetRawXmin(hdr) == row->tuple.xmin &&
			(HeapTupleHeaderGetRawXmax(hdr) == InvalidTransactionId ||
			 (infomask & HEAP_XMAX_INVALID) != 0 ||
			 HEAP_XMAX_IS_LOCKED_ONLY(infomask)) &&
			HeapTupleSatisfiesVisibility(&tup, snapshot, buf))
		{
			bool		isnull;
			Datum		d = heap_getattr(&tup, Anum_policy_name,
										 RelationGetDescr(rel), &isnull);
			text	   *name = isnull ? NULL : DatumGetTextPP(d);

			current = name != NULL &&
				VARSIZE_ANY_EXHDR(name) == strlen(row->name) &&
				memcmp(VARDATA_ANY(name), row->name, strlen(row->name)) == 0;
		}
	}
	UnlockReleaseBuffer(buf);
	table_close(rel, NoLock);
	return current;
}

/*
 * olpe_target_tupdesc
 *		The row type of a policy's target table, or NULL when it is gone.
 */
TupleDesc
olpe_target_tupdesc(Oid target, bool missing_ok)
{
	char		relkind = get_rel_relkind(target);
	Oid			typid;

	/* a sequence or an index has no listing columns */
	if (relkind != '\0' && relkind != RELKIND_RELATION &&
		relkind != RELKIND_PARTITIONED_TABLE && relkind != RELKIND_VIEW &&
		relkind != RELKIND_MATVIEW && relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", get_rel_name(target)),
				 errdetail("A policy's target must be a table, a view or a materialized view whose columns the rules read."),
				 errhint("Set the policy's target to the listing table, or to NULL.")));
	typid = get_rel_type_id(target);

	if (!OidIsValid(typid))
	{
		if (missing_ok)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("target table with OID %u does not exist", target),
				 errhint("Set the policy's target to an existing table, or to NULL.")));
	}
	return lookup_rowtype_tupdesc_copy(typid, -1);
}

/* ----------------------------------------------------------------
 * Reading rules and parameters with SPI
 * ----------------------------------------------------------------
 */
typedef struct RawRule
{
	char	   *name;
	char	   *condition;
	Jsonb	   *condition_jsonlogic;
	char	   *applies_when;
	char	   *effect;
	char	   *message;
	bool		enabled;
} RawRule;

static char *
spi_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Rows of a one-parameter query, copied into cxt. */
static int
spi_query(const char *sql, const char *policy, bool read_only,
		  MemoryContext cxt, SPITupleTable **tuptable)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	int			rc;

	values[0] = CStringGetTextDatum(policy);
	rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, read_only, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
	*tuptable = SPI_tuptable;
	return (int) SPI_processed;
}

/*
 * olpe_policy_params
 *		The parameters of a policy, copied into CurrentMemoryContext.
 *
 * read_only reads under the active snapshot, as evaluation must (it may run
 * in a parallel worker, where no new command can start); the validation
 * triggers read with a new snapshot, to see the changes of their own
 * transaction. Connects to SPI itself.
 */
List *
olpe_policy_params(const char *policy, bool read_only)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPITupleTable *tt;
	List	   *params = NIL;
	int			n;

	SPI_connect();
	n = spi_query("SELECT name, value FROM olpe.policy_param WHERE policy = $1",
				  policy, read_only, cxt, &tt);
	for (int i = 0; i < n; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		OlpeParam  *p = palloc(sizeof(OlpeParam));
		bool		isnull;

		p->name = spi_text(tt->vals[i], tt->tupdesc, 1);
		p->value = DatumGetJsonbPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull));
		params = lappend(params, p);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return params;
}

static RawRule *
read_rules(const char *policy, bool all, int *nrules)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPITupleTable *tt;
	RawRule    *rules;
	int			n;

	SPI_connect();
	n = spi_query("SELECT name, condition, applies_when, effect, message, enabled,"
				  " condition_jsonlogic"
				  " FROM olpe.rule WHERE policy = $1"
				  " ORDER BY name COLLATE \"C\"",
				  policy, !all, cxt, &tt);
	rules = MemoryContextAllocZero(cxt, sizeof(RawRule) * Max(n, 1));
	*nrules = 0;
	for (int i = 0; i < n; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		RawRule    *r = &rules[*nrules];
		bool		isnull;

		r->enabled = DatumGetBool(SPI_getbinval(tt->vals[i], tt->tupdesc, 6, &isnull));
		if (!r->enabled && !all)
		{
			MemoryContextSwitchTo(old);
			continue;
		}
		r->name = spi_text(tt->vals[i], tt->tupdesc, 1);
		r->condition = spi_text(tt->vals[i], tt->tupdesc, 2);
		r->applies_when = spi_text(tt->vals[i], tt->tupdesc, 3);
		r->effect = spi_text(tt->vals[i], tt->tupdesc, 4);
		r->message = spi_text(tt->vals[i], tt->tupdesc, 5);
		{
			Datum		d = SPI_getbinval(tt->vals[i], tt->tupdesc, 7, &isnull);

			r->condition_jsonlogic = isnull ? NULL : DatumGetJsonbPCopy(d);
		}
		(*nrules)++;
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return rules;
}

/* ----------------------------------------------------------------
 * Compiling
 * ----------------------------------------------------------------
 */
typedef struct RuleErrorContext
{
	const char *policy;
	const char *rule;
	const char *part;
} RuleErrorContext;

static void
rule_error_callback(void *arg)
{
	RuleErrorContext *rc = arg;

	if (rc->rule == NULL)
		return;
	if (rc->policy)
		errcontext("%s of rule \"%s\" of policy \"%s\"", rc->part, rc->rule, rc->policy);
	else
		errcontext("%s of rule \"%s\"", rc->part, rc->rule);
}

/*
 * olpe_parse_message
 *		Split a message template into literal text and {expression} parts.
 *
 * "{{" and "}}" stand for literal braces.
 */
List *
olpe_parse_message(OlpeScope *scope, const char *message)
{
	List	   *parts = NIL;
	StringInfoData lit;
	const char *p = message;

	initStringInfo(&lit);
	while (*p)
	{
		if (p[0] == '{' && p[1] == '{')
		{
			appendStringInfoChar(&lit, '{');
			p += 2;
		}
		else if (p[0] == '}' && p[1] == '}')
		{
			appendStringInfoChar(&lit, '}');
			p += 2;
		}
		else if (p[0] == '{')
		{
			const char *close = strchr(p + 1, '}');
			OlpeMessagePart *part;
			char	   *expr;

			if (close == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unterminated placeholder in rule message"),
						 errhint("Close the placeholder with }, or write {{ for a literal brace."),
						 olpe_errposition(message, p - message)));
			if (lit.len > 0)
			{
				part = palloc0(sizeof(OlpeMessagePart));
				part->literal = pstrdup(lit.data);
				parts = lappend(parts, part);
				resetStringInfo(&lit);
			}
			expr = pnstrdup(p + 1, close - p - 1);
			scope->text = expr;
			part = palloc0(sizeof(OlpeMessagePart));
			part->expr = olpe_compile(olpe_analyze(scope, olpe_parse(expr), false), expr);
			parts = lappend(parts, part);
			p = close + 1;
		}
		else
			appendStringInfoChar(&lit, *p++);
	}
	if (lit.len > 0)
	{
		OlpeMessagePart *part = palloc0(sizeof(OlpeMessagePart));

		part->literal = pstrdup(lit.data);
		parts = lappend(parts, part);
	}
	return parts;
}

/*
 * olpe_render_message
 *		Fill in a message template for the current listing.
 */
char *
olpe_render_message(List *parts, OlpeEvalState *state)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, parts)
	{
		OlpeMessagePart *part = lfirst(lc);
		bool		isnull;
		Datum		d;
		Oid			outfunc;
		bool		isvarlena;

		if (part->literal)
		{
			appendStringInfoString(&buf, part->literal);
			continue;
		}
		d = olpe_eval_node(part->expr, state, &isnull);
		if (isnull)
		{
			appendStringInfoString(&buf, "NULL");
			continue;
		}
		getTypeOutputInfo(part->expr->type, &outfunc, &isvarlena);
		appendStringInfoString(&buf, OidOutputFunctionCall(outfunc, d));
	}
	return buf.data;
}

static OlpeEffect
parse_effect(const char *effect)
{
	if (effect && strcmp(effect, "warn") == 0)
		return OLPE_EFFECT_WARN;
	if (effect && strcmp(effect, "review") == 0)
		return OLPE_EFFECT_REVIEW;
	return OLPE_EFFECT_DENY;
}

/* Analyze and compile the three texts of one rule into rule. */
static void
compile_rule(OlpeScope *scope, const char *policy, RawRule *raw, OlpeRule *rule)
{
	RuleErrorContext rc = {policy, raw->name, "condition"};
	ErrorContextCallback cb;

	cb.callback = rule_error_callback;
	cb.arg = &rc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	rule->name = pstrdup(raw->name);
	rule->effect = parse_effect(raw->effect);

	/*
	 * A rule has either a condition or a condition_jsonlogic. Rows with both
	 * or neither are left to the table's CHECK constraint, which reports them
	 * after this trigger.
	 */
	if ((raw->condition == NULL) == (raw->condition_jsonlogic == NULL))
	{
		error_context_stack = cb.previous;
		return;
	}
	rule->applies_text = raw->applies_when ? pstrdup(raw->applies_when) : NULL;
	rule->message_text = raw->message ? pstrdup(raw->message) : NULL;

	if (raw->condition_jsonlogic)
	{
		rc.part = "condition_jsonlogic";
		rule->condition_text = JsonbToCString(NULL, &raw->condition_jsonlogic->root,
											  VARSIZE(raw->condition_jsonlogic));
		scope->text = rule->condition_text;
		scope->what = "condition_jsonlogic";
		rule->condition = olpe_jsonlogic_condition(scope, raw->condition_jsonlogic);
	}
	else
	{
		rule->condition_text = pstrdup(raw->condition);
		scope->text = rule->condition_text;
		scope->what = "condition";
		rule->condition = olpe_compile(olpe_analyze(scope, olpe_parse(rule->condition_text), true),
									   rule->condition_text);
	}
	olpe_node_slots(rule->condition, &rule->slots);

	if (rule->applies_text)
	{
		rc.part = "applies_when";
		scope->text = rule->applies_text;
		scope->what = "applies_when";
		rule->applies_when = olpe_compile(olpe_analyze(scope, olpe_parse(rule->applies_text), true),
										  rule->applies_text);
		olpe_node_slots(rule->applies_when, &rule->slots);
	}
	if (rule->message_text)
	{
		rc.part = "message";
		scope->what = "message placeholder";
		rule->message = olpe_parse_message(scope, rule->message_text);
	}
	error_context_stack = cb.previous;
}

/*
 * A rough cost of evaluating a subtree, in units of one function call.
 * Regular expressions and word lists scan their text; everything else is
 * cheap. Only the order matters.
 */
static double
node_cost(OlpeNode *n)
{
	double		cost;

	switch (n->kind)
	{
		case ON_REGEX:
			cost = 100;
			break;
		case ON_WORDS:
			cost = 30;
			break;
		case ON_IOCOERCE:
			cost = 5;
			break;
		case ON_JSONLOGIC:
			cost = olpe_jsonlogic_cost(n);
			break;
		case ON_CONST:
		case ON_VAR:
		case ON_CASETEST:
			cost = 0;
			break;
		default:
			cost = 1;
			break;
	}
	for (int i = 0; i < n->nargs; i++)
		cost += node_cost(n->args[i]);
	return cost;
}

static OlpeProgram *sort_program;

static int
compare_rule_cost(const void *a, const void *b)
{
	OlpeRule   *ra = &sort_program->rules[*(const int *) a];
	OlpeRule   *rb = &sort_program->rules[*(const int *) b];

	if (ra->cost != rb->cost)
		return ra->cost < rb->cost ? -1 : 1;
	return *(const int *) a - *(const int *) b;
}

/* Order the deny rules that allowed() runs by their estimated cost. */
static void
sort_rules_by_cost(OlpeProgram *prog)
{
	for (int i = 0; i < prog->nrules; i++)
	{
		OlpeRule   *rule = &prog->rules[i];

		if (rule->condition == NULL)
			continue;
		rule->cost = node_cost(rule->condition) +
			(rule->applies_when ? node_cost(rule->applies_when) : 0);
	}
	sort_program = prog;
	qsort(prog->deny_order, prog->ndeny, sizeof(int), compare_rule_cost);
	sort_program = NULL;
}

/*
 * olpe_policy_compile
 *		Compile a policy version for one input type.
 *
 * tupdesc is the row type of the listings, or NULL for jsonb documents.
 * The program lives in its own memory context, which the cache owns.
 */
OlpeProgram *
olpe_policy_compile(const OlpePolicyRow *row, TupleDesc tupdesc, uint64 rowtype_id)
{
	MemoryContext cxt;
	MemoryContext old;
	OlpeProgram *prog;
	OlpeScope	scope;
	RawRule    *raw;
	int			nraw;
	List	   *params;
	ListCell   *lc;
	int			i;

	/* created under the caller's context, so an error frees it */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "olpe policy",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	prog = palloc0(sizeof(OlpeProgram));
	prog->cxt = cxt;
	prog->policy = pstrdup(row->name);
	MemoryContextSetIdentifier(cxt, prog->policy);
	prog->version = row->version;
	prog->row_tuple = row->tuple;
	prog->rowtype_id = rowtype_id;
	prog->unknown_passes = row->unknown_passes;
	prog->mode = row->mode;

	params = olpe_policy_params(row->name, true);
	raw = read_rules(row->name, false, &nraw);

	memset(&scope, 0, sizeof(scope));
	scope.params = params;
	if (tupdesc)
	{
		prog->tupdesc = CreateTupleDescCopy(tupdesc);
		scope.tupdesc = prog->tupdesc;
	}
	else if (OidIsValid(row->target))
		scope.doc_tupdesc = olpe_target_tupdesc(row->target, false);

	prog->nrules = nraw;
	prog->rules = palloc0(sizeof(OlpeRule) * Max(nraw, 1));
	prog->deny_order = palloc(sizeof(int) * Max(nraw, 1));
	for (i = 0; i < nraw; i++)
	{
		compile_rule(&scope, row->name, &raw[i], &prog->rules[i]);
		if (prog->rules[i].effect == OLPE_EFFECT_DENY)
			prog->deny_order[prog->ndeny++] = i;
	}

	/* allowed() stops at the first failing deny rule: try cheap rules first */
	sort_rules_by_cost(prog);

	prog->nslots = list_length(scope.slots);
	prog->slots = palloc0(sizeof(OlpeSlot) * Max(prog->nslots, 1));
	i = 0;
	foreach(lc, scope.slots)
		prog->slots[i++] = *(OlpeSlot *) lfirst(lc);
	olpe_prepare_slots(prog->slots, prog->nslots);

	prog->evalcxt = AllocSetContextCreate(cxt, "olpe evaluation",
										  ALLOCSET_DEFAULT_SIZES);
	olpe_eval_init(&prog->state, prog->nslots, prog->slots, prog->tupdesc,
				   prog->evalcxt);
	MemoryContextSwitchTo(old);
	return prog;
}

/*
 * olpe_compile_expression
 *		Compile one boolean expression, for olpe.eval().
 */
OlpeProgram *
olpe_compile_expression(const char *text, TupleDesc tupdesc, uint64 rowtype_id)
{
	MemoryContext cxt;
	MemoryContext old;
	OlpeProgram *prog;
	OlpeScope	scope;
	ListCell   *lc;
	int			i = 0;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "olpe expression",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);

	prog = palloc0(sizeof(OlpeProgram));
	prog->cxt = cxt;
	prog->rowtype_id = rowtype_id;
	prog->nrules = 1;
	prog->rules = palloc0(sizeof(OlpeRule));
	prog->rules[0].condition_text = pstrdup(text);

	memset(&scope, 0, sizeof(scope));
	if (tupdesc)
	{
		prog->tupdesc = CreateTupleDescCopy(tupdesc);
		scope.tupdesc = prog->tupdesc;
	}
	scope.text = prog->rules[0].condition_text;
	scope.what = "expression";
	prog->rules[0].condition =
		olpe_compile(olpe_analyze(&scope, olpe_parse(scope.text), true), scope.text);

	prog->nslots = list_length(scope.slots);
	prog->slots = palloc0(sizeof(OlpeSlot) * Max(prog->nslots, 1));
	foreach(lc, scope.slots)
		prog->slots[i++] = *(OlpeSlot *) lfirst(lc);
	olpe_prepare_slots(prog->slots, prog->nslots);

	prog->evalcxt = AllocSetContextCreate(cxt, "olpe evaluation",
										  ALLOCSET_DEFAULT_SIZES);
	olpe_eval_init(&prog->state, prog->nslots, prog->slots, prog->tupdesc,
				   prog->evalcxt);
	MemoryContextSwitchTo(old);
	return prog;
}

/*
 * olpe_check_rule_text
 *		Compile a rule's texts against a target and parameters, or raise.
 *
 * With a target table the rule is checked against its columns; without one
 * every name is accepted, as documents may have any key.
 */
void
olpe_check_rule_text(const char *policy, const char *rulename,
					 const char *condition, Jsonb *condition_jsonlogic,
					 const char *applies_when, const char *message,
					 Oid target, List *params)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "olpe rule check",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	OlpeScope	scope;
	RawRule		raw;
	OlpeRule	rule;

	memset(&scope, 0, sizeof(scope));
	scope.params = params;
	if (OidIsValid(target))
		scope.tupdesc = olpe_target_tupdesc(target, false);

	memset(&raw, 0, sizeof(raw));
	raw.name = (char *) rulename;
	raw.condition = (char *) condition;
	raw.condition_jsonlogic = condition_jsonlogic;
	raw.applies_when = (char *) applies_when;
	raw.message = (char *) message;
	raw.effect = "deny";
	memset(&rule, 0, sizeof(rule));
	compile_rule(&scope, policy, &raw, &rule);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * olpe_policy_revalidate_rules
 *		Check every rule of a policy, after its target or params changed.
 */
void
olpe_policy_revalidate_rules(const char *policy)
{
	RawRule    *raw;
	int			nraw;
	List	   *params;
	Oid			target = InvalidOid;
	SPITupleTable *tt;

	SPI_connect();
	if (spi_query("SELECT target FROM olpe.policy WHERE name = $1",
				  policy, false, CurrentMemoryContext, &tt) == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tt->vals[0], tt->tupdesc, 1, &isnull);

		target = isnull ? InvalidOid : DatumGetObjectId(d);
		SPI_finish();
	}
	else
	{
		/* the policy is gone, and its rules with it */
		SPI_finish();
		return;
	}

	params = olpe_policy_params(policy, false);
	raw = read_rules(policy, true, &nraw);
	for (int i = 0; i < nraw; i++)
		olpe_check_rule_text(policy, raw[i].name, raw[i].condition,
							 raw[i].condition_jsonlogic, raw[i].applies_when,
							 raw[i].message, target, params);
}
