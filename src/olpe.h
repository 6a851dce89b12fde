/*-------------------------------------------------------------------------
 *
 * olpe.h
 *	  Shared declarations of olpe, the Office Listing Policy Engine.
 *
 * A rule expression goes through four stages, one file each:
 *
 *	parse.c		text -> OlpeAst (syntax only, with source spans)
 *	analyze.c	OlpeAst -> OlpeNode (names resolved, types checked, operators
 *				and functions resolved the way PostgreSQL resolves them)
 *	compile.c	OlpeNode tree -> executable program (constants folded,
 *				fmgr lookups done, regular expressions and word lists built)
 *	eval.c		runs a program over one listing
 *
 * cache.c keeps compiled policies and expressions per backend, policy.c
 * reads policies from the olpe tables, functions.c holds the SQL-callable
 * functions and triggers.
 *
 * src/olpe.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OLPE_H
#define OLPE_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "nodes/bitmapset.h"
#include "nodes/pg_list.h"
#include "storage/buf.h"
#include "storage/itemptr.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"

/* GUCs (olpe.c) */
extern int	olpe_max_expression_length;
extern int	olpe_max_expression_depth;
extern int	olpe_cache_size_kb;

/* ----------------------------------------------------------------
 * Syntax tree (parse.c)
 * ----------------------------------------------------------------
 */
typedef enum OlpeAstKind
{
	OAST_CONST,					/* literal */
	OAST_REF,					/* column, document key or path */
	OAST_PARAM,					/* $name */
	OAST_OP,					/* binary or prefix operator, by name */
	OAST_AND,
	OAST_OR,
	OAST_NOT,
	OAST_IS,					/* IS [NOT] NULL/TRUE/FALSE/UNKNOWN */
	OAST_IN,					/* lhs IN (list) or lhs IN $param */
	OAST_BETWEEN,				/* args: value, low, high */
	OAST_CASE,
	OAST_FUNC,
	OAST_CAST,
	OAST_ARRAY,
	OAST_WORDS					/* text contains_any_word list */
} OlpeAstKind;

typedef enum OlpeConstKind
{
	OCONST_INTEGER,				/* digits only */
	OCONST_DECIMAL,				/* has a point or an exponent */
	OCONST_STRING,				/* 'text': unknown type until coerced */
	OCONST_TYPED,				/* date '...', interval '...' */
	OCONST_BOOL,
	OCONST_NULL
} OlpeConstKind;

typedef enum OlpeIsTest
{
	OIS_NULL,
	OIS_TRUE,
	OIS_FALSE,
	OIS_UNKNOWN
} OlpeIsTest;

typedef struct OlpeAst
{
	OlpeAstKind kind;
	int			location;		/* byte offset of the first character */
	int			end;			/* byte offset just past the last character */
	int			depth;			/* height of the subtree, 1 for a leaf */
	char	   *name;			/* operator, function, parameter or type name */
	OlpeConstKind constkind;
	char	   *text;			/* literal text (OAST_CONST) */
	bool		boolval;
	bool		negated;		/* NOT IN, NOT BETWEEN, IS NOT ... */
	OlpeIsTest istest;
	List	   *path;			/* OAST_REF: list of char * names */
	List	   *args;			/* operands, list of OlpeAst * */
	struct OlpeAst *arg;		/* simple CASE operand, IN list parameter */
	struct OlpeAst *defresult;	/* CASE ELSE */
	Oid			typid;			/* OAST_CAST, OAST_CONST typed: target type */
	bool		is_list;		/* OAST_ARRAY written as ('a', 'b') */
} OlpeAst;

extern OlpeAst *olpe_parse(const char *text);
extern char *olpe_ast_source(const char *text, const OlpeAst *ast);

/* ----------------------------------------------------------------
 * Typed program (analyze.c, compile.c, eval.c)
 * ----------------------------------------------------------------
 */
typedef enum OlpeNodeKind
{
	ON_CONST,
	ON_VAR,						/* attribute of the listing: a slot */
	ON_FUNC,					/* fmgr call: operators, casts, functions */
	ON_AND,
	ON_OR,
	ON_NOT,
	ON_IS,
	ON_CASE,					/* args: [test,] cond1, res1, ..., else */
	ON_CASETEST,				/* value of the simple CASE operand */
	ON_ANY,						/* args: scalar, array; funcid is "=" */
	ON_ARRAY,					/* ARRAY[...] */
	ON_IOCOERCE,				/* cast through text output and input */
	ON_COALESCE,
	ON_MINMAX,					/* least / greatest; funcid is the comparator */
	ON_WORDS,					/* contains_any_word */
	ON_REGEX,					/* ~ and friends with a constant pattern */
	ON_NOW,
	ON_CURRENT_DATE,
	ON_JSONLOGIC				/* condition written in JsonLogic; args: its
								 * columns, as ON_VAR (jsonlogic_rule.c) */
} OlpeNodeKind;

struct OlpeNode;
struct OlpeEvalState;

typedef Datum (*OlpeEvalFunc) (struct OlpeNode *node,
							   struct OlpeEvalState *state, bool *isnull);

typedef struct OlpeNode
{
	OlpeNodeKind kind;
	Oid			type;			/* result type */
	Oid			collation;		/* result collation, InvalidOid if none */
	bool		implicit_collation; /* collation derived from a column */
	bool		collation_conflict; /* two column collations met */
	Oid			inputcollid;	/* collation the function runs under */
	int			location;		/* source span, for errors and explain */
	int			end;

	int			nargs;
	struct OlpeNode **args;

	/* ON_CONST */
	Datum		value;
	bool		isnull;

	/* ON_VAR */
	int			slot;

	/* ON_FUNC, ON_ANY, ON_MINMAX */
	Oid			funcid;
	bool		strict;
	bool		greatest;		/* ON_MINMAX */
	bool		use_or;			/* ON_ANY: true for ANY, false for ALL */
	FmgrInfo   *flinfo;
	FunctionCallInfo fcinfo;

	/* ON_IS */
	OlpeIsTest	istest;
	bool		negated;

	/* ON_CASE */
	bool		has_test;
	bool		has_else;

	/* ON_ARRAY, ON_ANY: element storage */
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;

	/* ON_IOCOERCE */
	FmgrInfo   *outfunc;
	FmgrInfo   *infunc;
	Oid			ioparam;

	/* ON_WORDS */
	struct OlpeWordList *words; /* built when the list is constant */

	/* ON_REGEX */
	struct OlpeRegex *regex;

	/* ON_ANY: a constant list of texts compared bytewise, or NULL */
	struct OlpeTextSet *textset;

	/* ON_JSONLOGIC */
	struct OlpeJsonLogic *jsonlogic;

	/* an attribute of unknown type, typed when first coerced (analyze.c) */
	struct OlpeAst *ref;
	int			ref_base;		/* slot of the jsonb column, or -1 */
	bool		elems_unknown;	/* ON_ARRAY of untyped strings from a param */

	OlpeEvalFunc eval;			/* set by compile.c */
} OlpeNode;

/*
 * A slot is one attribute value that the program reads from the listing:
 * a column, a key of the document, or a path into a jsonb value.
 */
typedef struct OlpeSlot
{
	char	   *name;			/* as written in rules, e.g. "details.floor" */
	Oid			type;			/* type the program reads it as */
	int32		typmod;
	Oid			srctype;		/* stored type when it differs, e.g. varchar */
	int32		srctypmod;		/* documents: the target column's typmod */
	FmgrInfo   *castfunc;		/* srctype -> type, NULL if binary-compatible */
	FmgrInfo   *srcoutfunc;		/* srctype's output, when converted as text */
	FmgrInfo   *srcinfunc;		/* documents: srctype's input, for scalars */
	Oid			srcioparam;
	Oid			collation;
	int			attnum;			/* row mode: column number, or 0 */
	bool		from_json;		/* read through a jsonb path */
	int			json_base;		/* slot of the jsonb column, or -1: document */
	int			npath;
	char	  **path;			/* keys below the base */
	/* conversion of a jsonb value to type */
	FmgrInfo	infunc;
	Oid			ioparam;
	Oid			elemtype;		/* for array types */
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	FmgrInfo	eleminfunc;
	Oid			elemioparam;
} OlpeSlot;

/* What analysis is done against: a row type, a document, and parameters. */
typedef struct OlpeScope
{
	TupleDesc	tupdesc;		/* listing row type, or NULL for documents */
	TupleDesc	doc_tupdesc;	/* documents typed by this table, or NULL */
	List	   *params;			/* list of OlpeParam * */
	List	   *slots;			/* OlpeSlot *, grown by analysis */
	const char *text;			/* expression text, for error positions */
	const char *what;			/* "condition", "applies_when", ... */
} OlpeScope;

typedef struct OlpeParam
{
	char	   *name;
	Jsonb	   *value;
} OlpeParam;

extern OlpeNode *olpe_analyze(OlpeScope *scope, OlpeAst *ast, bool want_bool);
extern OlpeNode *olpe_column_var(OlpeScope *scope, int attnum, int location,
								 int end);
extern OlpeNode *olpe_compile(OlpeNode *node, const char *text);

/* Raise a compile error at a position of the expression text. */
extern int	olpe_errposition(const char *text, int location);

/* ----------------------------------------------------------------
 * Evaluation (eval.c)
 * ----------------------------------------------------------------
 */
typedef struct OlpeEvalState
{
	int			nslots;
	OlpeSlot   *slots;
	Datum	   *values;			/* slot values for the current listing */
	bool	   *nulls;
	bool	   *done;			/* slot fetched for the current listing */

	/* the listing: a row or a document */
	TupleDesc	tupdesc;
	Datum	   *row_values;
	bool	   *row_nulls;
	bool		row_deformed;
	HeapTuple	row;
	Jsonb	   *doc;
	bool		listing_null;

	/* per-listing forms of text slots, shared by the rules that read them */
	text	  **lowered;		/* lower(slot value), or NULL until made */
	pg_wchar  **wide;			/* wide characters of the slot value */
	int		   *widelen;
	int8	   *ascii;			/* 1 when the slot's text is all ASCII, -1
								 * when not, 0 until checked */

	Datum		case_value;		/* ON_CASETEST */
	bool		case_null;

	/* JsonLogic values of slots, shared by the rules that read them */
	struct OlpeSlotJsValue *jsvalues;	/* NULL until made (jsonlogic_rule.c) */
	MemoryContext tmpcxt;		/* reset for every listing */
} OlpeEvalState;

extern void olpe_eval_init(OlpeEvalState *state, int nslots, OlpeSlot *slots,
						   TupleDesc tupdesc, MemoryContext tmpcxt);
extern void olpe_eval_begin(OlpeEvalState *state, HeapTuple row, Jsonb *doc);
extern Datum olpe_eval_node(OlpeNode *node, OlpeEvalState *state, bool *isnull);
extern Datum olpe_slot_fetch(OlpeEvalState *state, int slot, bool *isnull);

/* The value of a slot for the current listing, fetched on first use. */
static inline Datum
olpe_slot_value(OlpeEvalState *state, int slot, bool *isnull)
{
	if (state->done[slot])
	{
		*isnull = state->nulls[slot];
		return state->values[slot];
	}
	return olpe_slot_fetch(state, slot, isnull);
}
extern char *olpe_explain_node(OlpeNode *node, OlpeEvalState *state,
							   const char *text, bool want_true);
extern char *olpe_datum_text(Datum value, bool isnull, Oid type);
extern void olpe_node_slots(OlpeNode *node, Bitmapset **slots);
extern void olpe_set_eval_func(OlpeNode *node);
extern struct OlpeTextSet *olpe_build_text_set(OlpeNode *node);
extern struct OlpeWordList *olpe_build_wordlist(ArrayType *words, Oid collation);
extern void olpe_prepare_slots(OlpeSlot *slots, int nslots);

/* ----------------------------------------------------------------
 * Rule conditions written in JsonLogic (jsonlogic_rule.c)
 * ----------------------------------------------------------------
 */
extern OlpeNode *olpe_jsonlogic_condition(OlpeScope *scope, Jsonb *rule);
extern Datum olpe_eval_jsonlogic(OlpeNode *node, OlpeEvalState *state,
								 bool *isnull);
extern char *olpe_explain_jsonlogic(OlpeNode *node, OlpeEvalState *state,
									bool evaluate);
extern double olpe_jsonlogic_cost(OlpeNode *node);

/* ----------------------------------------------------------------
 * Compiled policies (policy.c) and the backend cache (cache.c)
 * ----------------------------------------------------------------
 */
typedef enum OlpeEffect
{
	OLPE_EFFECT_WARN = 1,		/* values match olpe.outcome order */
	OLPE_EFFECT_REVIEW = 2,
	OLPE_EFFECT_DENY = 3
} OlpeEffect;

typedef struct OlpeMessagePart
{
	char	   *literal;		/* text, or NULL for a placeholder */
	OlpeNode   *expr;			/* placeholder value */
} OlpeMessagePart;

typedef struct OlpeRule
{
	char	   *name;
	OlpeEffect	effect;
	char	   *condition_text;	/* for JsonLogic, the rule as JSON text */
	char	   *applies_text;
	char	   *message_text;
	OlpeNode   *condition;
	OlpeNode   *applies_when;	/* NULL: always applies */
	List	   *message;		/* OlpeMessagePart *, or NIL */
	Bitmapset  *slots;			/* slots read by condition and applies_when */
	double		cost;			/* estimated cost, for ordering deny rules */
} OlpeRule;

/*
 * Rollout mode of a policy, olpe.policy.mode (sql/parts/20_enforce.sql).
 * The enforcement trigger (trigger.c) acts on it; evaluation ignores it.
 */
typedef enum OlpePolicyMode
{
	OLPE_MODE_ENFORCE = 0,		/* a deny blocks the row in reject triggers */
	OLPE_MODE_WARN,				/* a deny is reported but never blocks */
	OLPE_MODE_SHADOW			/* decisions only go to olpe.decision_log */
} OlpePolicyMode;

/* The tuple a policy row was read from. */
typedef struct OlpePolicyTuple
{
	Oid			relid;			/* olpe.policy */
	ItemPointerData tid;		/* the tuple's place */
	TransactionId xmin;			/* the transaction that wrote it */
} OlpePolicyTuple;

typedef struct OlpePolicyRow
{
	char	   *name;
	Oid			target;			/* InvalidOid if none */
	bool		unknown_passes; /* on_unknown = 'pass' */
	int64		version;
	OlpePolicyMode mode;
	OlpePolicyTuple tuple;		/* where the row was read */
	Buffer		recent_buffer;	/* buffer that last held the row's page */
} OlpePolicyRow;

typedef struct OlpeProgram
{
	MemoryContext cxt;			/* holds everything below */
	char	   *policy;			/* NULL for a single expression */
	int64		version;
	OlpePolicyTuple row_tuple;	/* where the compiled policy row was read */
	uint64		rowtype_id;		/* typcache identifier of the row type, or of
								 * the target table for documents */
	bool		for_documents;	/* reads jsonb documents, not rows */
	bool		unknown_passes;
	OlpePolicyMode mode;		/* of this version: a mode change bumps it */
	int			nrules;
	OlpeRule   *rules;			/* in name order */
	int		   *deny_order;		/* indexes of deny rules, for allowed() */
	int			ndeny;
	int			nslots;
	OlpeSlot   *slots;
	TupleDesc	tupdesc;		/* row type the program reads, or NULL */
	MemoryContext evalcxt;		/* reset for every listing */
	OlpeEvalState state;

	/* cache bookkeeping (cache.c) */
	Size		mem;
	uint64		last_used;
	int			datestyle;		/* settings that literals were read under */
	int			dateorder;
	int			intervalstyle;
	struct pg_tz *timezone;
	struct OlpeProgram *next;
} OlpeProgram;

extern bool olpe_policy_lookup(const char *name, OlpePolicyRow *row);
extern bool olpe_policy_row_current(OlpePolicyRow *row, Snapshot snapshot);
extern OlpeProgram *olpe_policy_compile(const OlpePolicyRow *row,
										TupleDesc tupdesc, uint64 rowtype_id);
extern List *olpe_policy_params(const char *policy, bool read_only);
extern OlpeProgram *olpe_compile_expression(const char *text, TupleDesc tupdesc,
											uint64 rowtype_id);
extern void olpe_policy_revalidate_rules(const char *policy);
extern void olpe_check_rule_text(const char *policy, const char *rulename,
								 const char *condition, Jsonb *condition_jsonlogic,
								 const char *applies_when, const char *message,
								 Oid target, List *params);
extern List *olpe_parse_message(OlpeScope *scope, const char *message);
extern char *olpe_render_message(List *parts, OlpeEvalState *state);
extern TupleDesc olpe_target_tupdesc(Oid target, bool missing_ok);

extern OlpeProgram *olpe_cache_policy(const char *name, Oid rowtype,
									  int32 rowtypmod);
extern OlpeProgram *olpe_cache_expression(const char *text, Oid rowtype,
										  int32 rowtypmod);
extern void olpe_cache_init(void);

/* ----------------------------------------------------------------
 * Decisions (decision.c)
 * ----------------------------------------------------------------
 */

/* A listing: a row of a table or a jsonb document, or NULL. */
typedef struct OlpeListing
{
	Oid			rowtype;		/* composite type, or JSONBOID */
	int32		typmod;
	HeapTuple	row;			/* NULL for documents and NULL rows */
	Jsonb	   *doc;
	HeapTupleData rowdata;		/* row points here for composite datums */
} OlpeListing;

typedef enum OlpeRuleResult
{
	OLPE_RULE_SKIPPED,			/* applies_when was not true */
	OLPE_RULE_PASSED,
	OLPE_RULE_FAILED,
	OLPE_RULE_UNKNOWN			/* the condition was NULL */
} OlpeRuleResult;

/* A decision, with lists allocated in the caller's memory context. */
typedef struct OlpeDecision
{
	int			outcome;		/* 0 allow, else an OlpeEffect */
	List	   *failed;			/* rule names, char * */
	List	   *messages;		/* rendered messages, char * */
	const char *policy;
	int64		version;
} OlpeDecision;

extern void olpe_listing_from_datum(OlpeListing *listing, Oid argtype,
									Datum value, bool isnull);
extern void olpe_listing_from_tuple(OlpeListing *listing, HeapTuple tuple,
									TupleDesc tupdesc);
extern MemoryContext olpe_begin_listing(OlpeProgram *prog, OlpeListing *listing);
extern OlpeRuleResult olpe_run_rule(OlpeProgram *prog, OlpeRule *rule);
extern bool olpe_counts_as_failed(OlpeProgram *prog, OlpeRuleResult r);
extern char *olpe_rule_message(OlpeProgram *prog, OlpeRule *rule, OlpeRuleResult r);
extern void olpe_decide(OlpeProgram *prog, OlpeListing *listing, OlpeDecision *decision);
extern bool olpe_decide_allowed(OlpeProgram *prog, OlpeListing *listing);
extern Datum olpe_decision_datum(OlpeDecision *decision);
extern Datum olpe_outcome_datum(int outcome);
extern Datum olpe_text_array(List *strings);
extern const char *olpe_effect_name(OlpeEffect effect);

/* Regular expressions with a constant pattern (regex.c) */
typedef struct OlpeRegex OlpeRegex;
extern OlpeRegex *olpe_regex_compile(text *pattern, bool icase, bool negate,
									 Oid collation);
extern bool olpe_regex_match(OlpeRegex *rx, const char *str, int len,
							 pg_wchar **wide, int *wlen);

/* Word lists (wordlist.c) */
typedef struct OlpeWordList OlpeWordList;
extern OlpeWordList *olpe_wordlist_build(const char *const *words,
										 const int *lens, int nwords);
extern bool olpe_wordlist_match(const OlpeWordList *wl, const char *text, int len);
extern Size olpe_wordlist_size(const OlpeWordList *wl);
extern void olpe_wordlist_fold_ascii(OlpeWordList *wl);

#endif							/* OLPE_H */
