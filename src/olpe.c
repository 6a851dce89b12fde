/*-------------------------------------------------------------------------
 *
 * olpe.c
 *	  Module entry point of olpe: the module magic block and the settings.
 *
 * src/olpe.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "olpe.h"

PG_MODULE_MAGIC;

int			olpe_max_expression_length = 65536;
int			olpe_max_expression_depth = 200;
int			olpe_cache_size_kb = 65536;

void		_PG_init(void);

/*
 * _PG_init
 *		Define olpe's settings. olpe needs no preloading for evaluation.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("olpe.max_expression_length",
							"Maximum length of a rule expression, in bytes.",
							"Longer expressions are rejected when a rule is written or compiled.",
							&olpe_max_expression_length,
							65536, 16, 1024 * 1024,
							PGC_USERSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("olpe.max_expression_depth",
							"Maximum nesting depth of a rule expression.",
							"Deeper expressions are rejected when a rule is written or compiled.",
							&olpe_max_expression_depth,
							200, 8, 1000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("olpe.cache_size",
							"Memory for compiled policies in each backend.",
							"Least recently used programs are freed beyond this size.",
							&olpe_cache_size_kb,
							65536, 64, INT_MAX / 1024,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("olpe");
}
