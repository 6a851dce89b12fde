/*-------------------------------------------------------------------------
 *
 * trigger.c
 *	  olpe.enforce(): judge each row by a policy as it is written.
 *
 *	CREATE TRIGGER t BEFORE INSERT OR UPDATE ON listing FOR EACH ROW
 *	  EXECUTE FUNCTION olpe.enforce(policy, mode [, column ...] [, option ...]);
 *
 * The trigger mode decides what happens to the row:
 *
 *	reject		a deny outcome raises check_violation; warn and review
 *				outcomes raise a NOTICE and the row is written
 *	annotate	the outcome, and optionally the failed rules, are written into
 *				columns of the row, named by the arguments after the mode
 *	record		the decision is inserted into olpe.decision_log
 *
 * Arguments that contain "=" are options: shadow=POLICY (repeatable) judges
 * the row by POLICY too and only logs that decision; notice=off silences
 * the NOTICEs of reject; version=COLUMN makes annotate write the policy
 * version too.
 *
 * The rollout mode of the policy (olpe.policy.mode) changes what the
 * trigger mode does: a policy in warn mode never blocks (its deny becomes
 * a WARNING), and a policy in shadow mode, like a shadow= policy, only logs
 * its decision. The rollout mode comes with the policy version from the
 * backend cache, so a whole statement sees one version and one rollout
 * mode of each policy.
 *
 * reject and annotate must fire BEFORE the row is written. record may also
 * fire AFTER: then it logs exactly the rows that were written, which a
 * BEFORE trigger cannot know for INSERT ... ON CONFLICT or when a later
 * BEFORE trigger skips the row.
 *
 * The parsed arguments and the checked annotate columns are kept in
 * fn_extra, which lasts as long as the executor's trigger FmgrInfo: one
 * statement. Decisions are logged through one saved SPI plan, run as the
 * owner of olpe.decision_log (as PostgreSQL's foreign key triggers run as
 * the table owner), so writers need no privilege on the log and cannot
 * write to it directly.
 *
 * src/trigger.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "olpe.h"

PG_FUNCTION_INFO_V1(olpe_enforce);

typedef enum EnforceAction
{
	ENFORCE_REJECT,
	ENFORCE_ANNOTATE,
	ENFORCE_RECORD
} EnforceAction;

static const char *const action_names[] = {"reject", "annotate", "record"};

/* A trigger's parsed arguments, kept in fn_extra for one statement. */
typedef struct EnforceConfig
{
	Oid			tgoid;
	Oid			relid;
	char	   *policy;
	EnforceAction action;		/* the trigger mode, second argument */
	bool		notice;			/* reject: NOTICE for warn and review */
	List	   *shadows;		/* char *: policies whose decisions are only
								 * logged */

	/* annotate: attribute numbers, 0 when not written */
	AttrNumber	outcome_col;
	bool		outcome_is_text;	/* text, else olpe.outcome */
	AttrNumber	failures_col;
	AttrNumber	version_col;

	/* logging: set up at the first decision that is logged */
	bool		log_ready;
	Oid			log_owner;		/* owner of olpe.decision_log */
	TupleDesc	keydesc;		/* primary key columns, NULL: the whole row */
	AttrNumber *keycols;
	FmgrInfo	to_jsonb;
} EnforceConfig;

/* A decision, copied out of the program that made it. */
typedef struct Judgement
{
	const char *policy;
	int64		version;
	OlpePolicyMode mode;
	int			outcome;		/* 0 allow, else an OlpeEffect */
	List	   *failed;			/* rule names */
	List	   *effects;		/* OlpeEffect of each failed rule */
	List	   *messages;		/* rendered message of each failed rule */
} Judgement;

/* INSERT into olpe.decision_log, prepared at the first decision logged. */
static SPIPlanPtr log_plan = NULL;

#define LOG_NARGS 9

static const char *const log_sql =
"INSERT INTO olpe.decision_log"
" (policy, version, target, operation, row_key, outcome, failed, messages, shadow)"
" VALUES ($1, $2, $3, $4, $5, $6::olpe.outcome, $7, $8, $9)";

/* ----------------------------------------------------------------
 * Configuration
 * ----------------------------------------------------------------
 */

/* The OID of olpe.outcome. */
static Oid
outcome_type_oid(void)
{
	Oid			nsp = get_namespace_oid("olpe", false);

	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("outcome"), ObjectIdGetDatum(nsp));
}

/*
 * Find a column that annotate writes and check that it takes type want
 * (or text, when text_ok). role names the column in messages.
 */
static AttrNumber
annotate_column(TriggerData *trigdata, const char *colname, const char *role,
				Oid want, bool text_ok, bool *is_text)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	const char *tgname = trigdata->tg_trigger->tgname;
	int			attnum = SPI_fnumber(desc, colname);
	Form_pg_attribute att;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						colname, RelationGetRelationName(rel)),
				 errdetail("Trigger \"%s\" names it as its %s column.", tgname, role),
				 errhint("Add the column, or name an existing one in the arguments of the trigger.")));

	att = TupleDescAttr(desc, attnum - 1);
	if (att->attgenerated)
		ereport(ERROR,
				(errcode(ERRCODE_GENERATED_ALWAYS),
				 errmsg("column \"%s\" of relation \"%s\" is a generated column",
						colname, RelationGetRelationName(rel)),
				 errdetail("Trigger \"%s\" names it as its %s column, but a generated column cannot be written.",
						   tgname, role)));

	if (att->atttypid != want && !(text_ok && att->atttypid == TEXTOID))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"%s\" is of type %s, but trigger \"%s\" writes its %s as %s",
						colname, RelationGetRelationName(rel),
						format_type_be(att->atttypid), tgname, role,
						text_ok ? psprintf("%s or text", format_type_be(want)) :
						format_type_be(want))));

	if (is_text)
		*is_text = (att->atttypid == TEXTOID);
	return (AttrNumber) attnum;
}

/* The value of an option: the text after "name=". */
static const char *
option_value(const char *arg, const char *name)
{
	size_t		len = strlen(name);

	if (strncmp(arg, name, len) == 0 && arg[len] == '=')
		return arg + len + 1;
	return NULL;
}

/*
 * Parse the trigger's arguments and check the annotate columns.
 * Raises 22023 for invalid arguments, 42703 and 42804 for columns.
 */
static EnforceConfig *
parse_config(TriggerData *trigdata, MemoryContext cxt)
{
	Trigger    *trigger = trigdata->tg_trigger;
	const char *tgname = trigger->tgname;
	const char *relname = RelationGetRelationName(trigdata->tg_relation);
	char	  **args = trigger->tgargs;
	int			nargs = trigger->tgnargs;
	const char *columns[2] = {NULL, NULL};
	int			ncolumns = 0;
	const char *version_column = NULL;
	bool		notice_set = false;
	EnforceConfig *cfg;
	MemoryContext old;

	if (nargs < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trigger \"%s\" on relation \"%s\" has %s",
						tgname, relname, nargs == 0 ? "no arguments" : "no mode argument"),
				 errdetail("olpe.enforce() takes a policy name, then a mode: reject, annotate or record."),
				 errhint("Create the trigger with EXECUTE FUNCTION olpe.enforce('policy', 'reject').")));

	old = MemoryContextSwitchTo(cxt);
	cfg = palloc0(sizeof(EnforceConfig));
	cfg->tgoid = trigger->tgoid;
	cfg->relid = RelationGetRelid(trigdata->tg_relation);
	cfg->policy = pstrdup(args[0]);
	cfg->notice = true;

	if (strcmp(args[1], "reject") == 0)
		cfg->action = ENFORCE_REJECT;
	else if (strcmp(args[1], "annotate") == 0)
		cfg->action = ENFORCE_ANNOTATE;
	else if (strcmp(args[1], "record") == 0)
		cfg->action = ENFORCE_RECORD;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid mode \"%s\" in trigger \"%s\" on relation \"%s\"",
						args[1], tgname, relname),
				 errhint("The mode, the second argument of olpe.enforce(), is reject, annotate or record.")));

	for (int i = 2; i < nargs; i++)
	{
		const char *arg = args[i];
		const char *value;

		if (strchr(arg, '=') == NULL)
		{
			/* a column that annotate writes */
			if (cfg->action != ENFORCE_ANNOTATE || ncolumns == 2)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unexpected argument \"%s\" in trigger \"%s\" on relation \"%s\"",
								arg, tgname, relname),
						 errdetail(cfg->action == ENFORCE_ANNOTATE ?
								   "In annotate mode, olpe.enforce() takes at most two column names: the outcome column, then the failures column." :
								   "Only annotate mode takes column names."),
						 errhint("Options are written as name=value: shadow=POLICY, notice=off, version=COLUMN.")));
			columns[ncolumns++] = arg;
		}
		else if ((value = option_value(arg, "shadow")) != NULL)
		{
			if (*value == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"shadow\" of trigger \"%s\" on relation \"%s\" names no policy",
								tgname, relname)));
			cfg->shadows = lappend(cfg->shadows, pstrdup(value));
		}
		else if ((value = option_value(arg, "notice")) != NULL)
		{
			if (cfg->action != ENFORCE_REJECT || notice_set ||
				!parse_bool(value, &cfg->notice))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid option \"%s\" in trigger \"%s\" on relation \"%s\"",
								arg, tgname, relname),
						 errdetail("notice takes on or off, once, and only in reject mode.")));
			notice_set = true;
		}
		else if ((value = option_value(arg, "version")) != NULL)
		{
			if (cfg->action != ENFORCE_ANNOTATE || version_column != NULL ||
				*value == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid option \"%s\" in trigger \"%s\" on relation \"%s\"",
								arg, tgname, relname),
						 errdetail("version takes a column name, once, and only in annotate mode.")));
			version_column = value;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" in trigger \"%s\" on relation \"%s\"",
							arg, tgname, relname),
					 errhint("The options are shadow=POLICY, notice=off and version=COLUMN.")));
	}

	if (cfg->action == ENFORCE_ANNOTATE)
	{
		if (ncolumns == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("trigger \"%s\" on relation \"%s\" in annotate mode names no outcome column",
							tgname, relname),
					 errhint("Name the columns after the mode, as in olpe.enforce('policy', 'annotate', 'policy_outcome', 'policy_failures').")));
		cfg->outcome_col = annotate_column(trigdata, columns[0], "outcome",
										   outcome_type_oid(), true,
										   &cfg->outcome_is_text);
		if (ncolumns == 2)
			cfg->failures_col = annotate_column(trigdata, columns[1], "failures",
												TEXTARRAYOID, false, NULL);
		if (version_column)
			cfg->version_col = annotate_column(trigdata, version_column, "version",
											   INT8OID, false, NULL);
	}
	MemoryContextSwitchTo(old);
	return cfg;
}

/*
 * Check that the trigger fires for each row, on INSERT or UPDATE, and
 * BEFORE the row is written unless the trigger mode is record.
 */
static void
check_event(TriggerData *trigdata, EnforceConfig *cfg)
{
	TriggerEvent event = trigdata->tg_event;
	const char *tgname = trigdata->tg_trigger->tgname;
	const char *relname = RelationGetRelationName(trigdata->tg_relation);
	const char *action = action_names[cfg->action];

	if (!TRIGGER_FIRED_FOR_ROW(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on relation \"%s\" must be a FOR EACH ROW trigger",
						tgname, relname),
				 errhint("Create it as BEFORE INSERT OR UPDATE ... FOR EACH ROW.")));
	if (!TRIGGER_FIRED_BY_INSERT(event) && !TRIGGER_FIRED_BY_UPDATE(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on relation \"%s\" must fire on INSERT or UPDATE only",
						tgname, relname),
				 errhint("Create it as BEFORE INSERT OR UPDATE ... FOR EACH ROW.")));
	if (TRIGGER_FIRED_INSTEAD(event) ||
		(TRIGGER_FIRED_AFTER(event) && cfg->action != ENFORCE_RECORD))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on relation \"%s\" must be a %s trigger in %s mode",
						tgname, relname,
						cfg->action == ENFORCE_RECORD ? "BEFORE or AFTER" : "BEFORE",
						action),
				 errhint(cfg->action == ENFORCE_RECORD ?
						 "In record mode, olpe.enforce() fires BEFORE or AFTER INSERT OR UPDATE ... FOR EACH ROW." :
						 "Create it as BEFORE INSERT OR UPDATE ... FOR EACH ROW.")));
}

/* The trigger's configuration: parsed at its first row in a statement. */
static EnforceConfig *
get_config(FunctionCallInfo fcinfo, TriggerData *trigdata)
{
	EnforceConfig *cfg = fcinfo->flinfo->fn_extra;

	if (cfg == NULL || cfg->tgoid != trigdata->tg_trigger->tgoid ||
		cfg->relid != RelationGetRelid(trigdata->tg_relation))
	{
		cfg = parse_config(trigdata, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = cfg;
	}
	return cfg;
}

/* ----------------------------------------------------------------
 * Judging a row
 * ----------------------------------------------------------------
 */
typedef struct TriggerErrorContext
{
	const char *tgname;
	const char *relname;
} TriggerErrorContext;

static void
trigger_error_callback(void *arg)
{
	TriggerErrorContext *tc = arg;

	errcontext("olpe.enforce() trigger \"%s\" on relation \"%s\"",
			   tc->tgname, tc->relname);
}

/*
 * Judge a row by a policy, and copy the decision into the current memory
 * context: a later cache lookup may free the program.
 */
static void
judge(const char *policy, Relation rel, HeapTuple tuple, Judgement *j)
{
	TupleDesc	desc = RelationGetDescr(rel);
	OlpeProgram *prog;
	OlpeListing listing;
	OlpeDecision decision;
	ListCell   *lc;

	prog = olpe_cache_policy(policy, desc->tdtypeid, -1);
	olpe_listing_from_tuple(&listing, tuple, desc);
	olpe_decide(prog, &listing, &decision);

	j->policy = policy;
	j->version = decision.version;
	j->mode = prog->mode;
	j->outcome = decision.outcome;
	j->failed = NIL;
	j->effects = NIL;
	j->messages = decision.messages;
	foreach(lc, decision.failed)
	{
		const char *name = lfirst(lc);
		OlpeEffect	effect = OLPE_EFFECT_DENY;

		for (int i = 0; i < prog->nrules; i++)
		{
			if (strcmp(prog->rules[i].name, name) == 0)
			{
				effect = prog->rules[i].effect;
				break;
			}
		}
		j->failed = lappend(j->failed, pstrdup(name));
		j->effects = lappend_int(j->effects, (int) effect);
	}
}

static const char *
outcome_name(int outcome)
{
	return outcome == 0 ? "allow" : olpe_effect_name((OlpeEffect) outcome);
}

/* One line per failed rule: Rule "name" (effect): message */
static char *
failure_detail(Judgement *j)
{
	StringInfoData buf;
	ListCell   *name;
	ListCell   *effect;
	ListCell   *message;

	initStringInfo(&buf);
	forthree(name, j->failed, effect, j->effects, message, j->messages)
	{
		if (buf.len > 0)
			appendStringInfoChar(&buf, '\n');
		appendStringInfo(&buf, "Rule \"%s\" (%s): %s", (char *) lfirst(name),
						 olpe_effect_name((OlpeEffect) lfirst_int(effect)),
						 (char *) lfirst(message));
	}
	return buf.data;
}

/* ----------------------------------------------------------------
 * The decision log
 * ----------------------------------------------------------------
 */

/*
 * Find the owner of olpe.decision_log and the primary key of the table,
 * and set up the call of to_jsonb(record) that turns a row into row_key.
 */
static void
prepare_logging(EnforceConfig *cfg, Relation rel, MemoryContext cxt)
{
	Oid			nsp = get_namespace_oid("olpe", false);
	Oid			logid = get_relname_relid("decision_log", nsp);
	HeapTuple	classtup;
	Bitmapset  *pkey;
	MemoryContext old;

	if (!OidIsValid(logid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"olpe.decision_log\" does not exist"),
				 errhint("Run ALTER EXTENSION olpe UPDATE, or create the extension again.")));
	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(logid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for relation %u", logid);
	cfg->log_owner = ((Form_pg_class) GETSTRUCT(classtup))->relowner;
	ReleaseSysCache(classtup);

	old = MemoryContextSwitchTo(cxt);

	/* a copy, with attribute numbers offset by FirstLowInvalidHeapAttributeNumber */
	pkey = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	if (pkey != NULL)
	{
		TupleDesc	reldesc = RelationGetDescr(rel);
		int			nkeys = bms_num_members(pkey);
		int			member = -1;
		int			i = 0;

		cfg->keydesc = CreateTemplateTupleDesc(nkeys);
		cfg->keycols = palloc(sizeof(AttrNumber) * nkeys);
		while ((member = bms_next_member(pkey, member)) >= 0)
		{
			AttrNumber	attnum = member + FirstLowInvalidHeapAttributeNumber;

			cfg->keycols[i] = attnum;
			TupleDescCopyEntry(cfg->keydesc, i + 1, reldesc, attnum);
			i++;
		}
		cfg->keydesc = BlessTupleDesc(cfg->keydesc);
	}

	/* to_jsonb(anyelement) reads its argument type from the call expression */
	fmgr_info_cxt(F_TO_JSONB, &cfg->to_jsonb, cxt);
	fmgr_info_set_expr((Node *) makeFuncExpr(F_TO_JSONB, JSONBOID,
											 list_make1(makeNullConst(RECORDOID, -1, InvalidOid)),
											 InvalidOid, InvalidOid,
											 COERCE_EXPLICIT_CALL),
					   &cfg->to_jsonb);
	MemoryContextSwitchTo(old);
	cfg->log_ready = true;
}

/* The row's primary key as a jsonb object, or the whole row without one. */
static Datum
row_key(EnforceConfig *cfg, Relation rel, HeapTuple tuple)
{
	Datum		row;

	if (cfg->keydesc == NULL)
		row = heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel));
	else
	{
		int			nkeys = cfg->keydesc->natts;
		Datum	   *values = palloc(sizeof(Datum) * nkeys);
		bool	   *nulls = palloc(sizeof(bool) * nkeys);
		HeapTuple	keytup;

		for (int i = 0; i < nkeys; i++)
			values[i] = heap_getattr(tuple, cfg->keycols[i], RelationGetDescr(rel),
									 &nulls[i]);
		keytup = heap_form_tuple(cfg->keydesc, values, nulls);
		row = heap_copy_tuple_as_datum(keytup, cfg->keydesc);
	}
	return FunctionCall1(&cfg->to_jsonb, row);
}

/*
 * Insert a decision into olpe.decision_log, as the owner of the log, in
 * the current transaction.
 */
static void
log_decision(EnforceConfig *cfg, Relation rel, bool is_update, Datum key,
			 Judgement *j, bool shadow)
{
	Datum		values[LOG_NARGS];
	Oid			save_userid;
	int			save_sec_context;
	int			rc;

	values[0] = CStringGetTextDatum(j->policy);
	values[1] = Int64GetDatum(j->version);
	values[2] = ObjectIdGetDatum(RelationGetRelid(rel));
	values[3] = CStringGetTextDatum(is_update ? "UPDATE" : "INSERT");
	values[4] = key;
	values[5] = CStringGetTextDatum(outcome_name(j->outcome));
	values[6] = olpe_text_array(j->failed);
	values[7] = olpe_text_array(j->messages);
	values[8] = BoolGetDatum(shadow);

	/* an error resets the user id when the (sub)transaction aborts */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(cfg->log_owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (log_plan == NULL)
	{
		Oid			argtypes[LOG_NARGS] = {TEXTOID, INT8OID, REGCLASSOID, TEXTOID,
			JSONBOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, BOOLOID};
		SPIPlanPtr	plan = SPI_prepare(log_sql, LOG_NARGS, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for the decision log: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for the decision log");
		log_plan = plan;
	}
	rc = SPI_execute_plan(log_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "inserting into olpe.decision_log failed: %s",
			 SPI_result_code_string(rc));
	SPI_finish();

	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* ----------------------------------------------------------------
 * The trigger
 * ----------------------------------------------------------------
 */

/* The row with the outcome, failures and version written into it. */
static HeapTuple
annotate_row(EnforceConfig *cfg, Relation rel, HeapTuple tuple, Judgement *j)
{
	int			cols[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			n = 0;

	cols[n] = cfg->outcome_col;
	values[n++] = cfg->outcome_is_text ?
		CStringGetTextDatum(outcome_name(j->outcome)) :
		olpe_outcome_datum(j->outcome);
	if (cfg->failures_col)
	{
		cols[n] = cfg->failures_col;
		values[n++] = olpe_text_array(j->failed);
	}
	if (cfg->version_col)
	{
		cols[n] = cfg->version_col;
		values[n++] = Int64GetDatum(j->version);
	}
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), n, cols,
									 values, nulls);
}

/*
 * Raise the error, WARNING or NOTICE of a reject trigger for a decision.
 * Returns only when the row may be written.
 */
static void
report_decision(EnforceConfig *cfg, Relation rel, Judgement *j)
{
	const char *relname = RelationGetRelationName(rel);

	if (j->outcome == OLPE_EFFECT_DENY && j->mode == OLPE_MODE_ENFORCE)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("new row for relation \"%s\" violates policy \"%s\"",
						relname, j->policy),
				 errdetail_internal("%s", failure_detail(j)),
				 errhint("Correct the row, or run olpe.explain(%s, row) to see how each rule was decided.",
						 quote_literal_cstr(j->policy)),
				 errtable(rel)));
	if (j->outcome == OLPE_EFFECT_DENY)
		ereport(WARNING,
				(errmsg("new row for relation \"%s\" violates policy \"%s\"",
						relname, j->policy),
				 errdetail_internal("%s", failure_detail(j)),
				 errhint("The row is not rejected because policy \"%s\" is in warn mode.",
						 j->policy)));
	else if (j->outcome != 0 && cfg->notice)
		ereport(NOTICE,
				(errmsg("new row for relation \"%s\" has outcome %s under policy \"%s\"",
						relname, outcome_name(j->outcome), j->policy),
				 errdetail_internal("%s", failure_detail(j))));
}

/*
 * olpe_enforce
 *		olpe.enforce(): trigger function, see the file header.
 */
Datum
olpe_enforce(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	EnforceConfig *cfg;
	Relation	rel;
	HeapTuple	tuple;
	bool		is_update;
	Judgement	primary;
	List	   *shadow_judgements = NIL;
	Datum		key = (Datum) 0;
	TriggerErrorContext tc;
	ErrorContextCallback cb;
	ListCell   *lc;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("olpe.enforce() was not called by the trigger manager")));

	rel = trigdata->tg_relation;
	cfg = get_config(fcinfo, trigdata);
	check_event(trigdata, cfg);

	is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	tuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;

	/* errors of the policies name the trigger */
	tc.tgname = trigdata->tg_trigger->tgname;
	tc.relname = RelationGetRelationName(rel);
	cb.callback = trigger_error_callback;
	cb.arg = &tc;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	judge(cfg->policy, rel, tuple, &primary);

	/* a rejected row takes its shadow decisions with it: skip them */
	if (!(cfg->action == ENFORCE_REJECT && primary.mode == OLPE_MODE_ENFORCE &&
		  primary.outcome == OLPE_EFFECT_DENY))
	{
		foreach(lc, cfg->shadows)
		{
			Judgement  *sj = palloc(sizeof(Judgement));

			judge(lfirst(lc), rel, tuple, sj);
			shadow_judgements = lappend(shadow_judgements, sj);
		}
	}

	/* decisions that go to the log */
	if (shadow_judgements != NIL || primary.mode == OLPE_MODE_SHADOW ||
		cfg->action == ENFORCE_RECORD)
	{
		if (!cfg->log_ready)
			prepare_logging(cfg, rel, fcinfo->flinfo->fn_mcxt);
		key = row_key(cfg, rel, tuple);
	}
	foreach(lc, shadow_judgements)
		log_decision(cfg, rel, is_update, key, lfirst(lc), true);
	if (primary.mode == OLPE_MODE_SHADOW || cfg->action == ENFORCE_RECORD)
		log_decision(cfg, rel, is_update, key, &primary,
					 primary.mode == OLPE_MODE_SHADOW);

	error_context_stack = cb.previous;

	/* a policy in shadow mode does nothing else */
	if (primary.mode == OLPE_MODE_SHADOW)
		return PointerGetDatum(tuple);

	switch (cfg->action)
	{
		case ENFORCE_REJECT:
			report_decision(cfg, rel, &primary);
			break;
		case ENFORCE_ANNOTATE:
			tuple = annotate_row(cfg, rel, tuple, &primary);
			break;
		case ENFORCE_RECORD:
			break;
	}
	return PointerGetDatum(tuple);
}
