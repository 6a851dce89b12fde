/*-------------------------------------------------------------------------
 *
 * regex.c
 *	  Regular expressions with a constant pattern, compiled once per program.
 *
 * text ~ 'pattern' through fmgr would look the pattern up in PostgreSQL's
 * small regex cache and convert the text to wide characters on every call.
 * A rule's pattern is a constant, so olpe compiles it with pg_regcomp() when
 * the program is compiled, with the flags textregexeq() and texticregexeq()
 * use, and matches with pg_regexec(): the same engine, the same answers.
 *
 * Two things make matching cheaper without changing any answer:
 *
 *	- a required literal: when every match of the pattern must contain a
 *	  fixed string (the "@" of an e-mail pattern), a text without that string
 *	  cannot match, and a byte search rejects it before the regex runs;
 *	- the wide-character form of a text is made once per listing and shared
 *	  by every pattern that reads the same attribute.
 *
 * The extraction of the required literal is deliberately conservative: it
 * gives up on alternation, groups, back references and embedded options,
 * and for a case-insensitive pattern it keeps only literals without
 * letters, since case folding can map non-ASCII letters onto ASCII ones.
 *
 * src/regex.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "olpe.h"

struct OlpeRegex
{
	regex_t		re;
	bool		compiled;
	bool		negate;			/* !~ and !~* */
	char	   *literal;		/* required substring, or NULL */
	int			literal_len;
};

/* The pg_regcomp library allocates with malloc; free it with the program. */
static void
regex_free_callback(void *arg)
{
	OlpeRegex  *rx = arg;

	if (rx->compiled)
	{
		pg_regfree(&rx->re);
		rx->compiled = false;
	}
}

/*
 * Find the longest fixed string that every match must contain, or NULL.
 * letters_ok is false for case-insensitive patterns.
 */
static char *
required_literal(const char *pat, int len, bool letters_ok, int *outlen)
{
	StringInfoData run;
	char	   *best = NULL;
	int			bestlen = 0;
	int			last_start = -1;	/* start of the last character in run */
	int			i = 0;

	/* directors (***) and embedded options change the syntax: give up */
	if (len >= 3 && strncmp(pat, "***", 3) == 0)
		return NULL;
	for (int k = 0; k < len; k++)
		if (pat[k] == '|' || pat[k] == '(' || pat[k] == ')')
			return NULL;

	initStringInfo(&run);

#define END_RUN() \
	do { \
		if (run.len > bestlen) \
		{ \
			best = pnstrdup(run.data, run.len); \
			bestlen = run.len; \
		} \
		resetStringInfo(&run); \
		last_start = -1; \
	} while (0)

	while (i < len)
	{
		unsigned char c = (unsigned char) pat[i];

		if (c == '*' || c == '?' || (c == '{' && i + 1 < len && pat[i + 1] == '0'))
		{
			/* the last character is optional: drop it, then end the run */
			if (last_start >= 0)
				run.len = last_start, run.data[run.len] = '\0';
			END_RUN();
			if (c == '{')
				while (i < len && pat[i] != '}')
					i++;
			i++;
			continue;
		}
		if (c == '+' || c == '{')
		{
			/* at least one: the character stays, but the run ends */
			END_RUN();
			if (c == '{')
				while (i < len && pat[i] != '}')
					i++;
			i++;
			continue;
		}
		if (c == '\\')
		{
			if (i + 1 < len && !isalnum((unsigned char) pat[i + 1]) &&
				(unsigned char) pat[i + 1] < 0x80)
			{
				last_start = run.len;
				appendStringInfoChar(&run, pat[i + 1]);
				i += 2;
				continue;
			}
			/* a class escape such as \d, or a constraint such as \m */
			END_RUN();
			i += 2;
			continue;
		}
		if (c == '[')
		{
			END_RUN();
			i++;
			if (i < len && pat[i] == '^')
				i++;
			if (i < len && pat[i] == ']')
				i++;
			while (i < len && pat[i] != ']')
			{
				if (pat[i] == '[' && i + 1 < len &&
					(pat[i + 1] == ':' || pat[i + 1] == '.' || pat[i + 1] == '='))
				{
					char		close = pat[i + 1];

					i += 2;
					while (i + 1 < len && !(pat[i] == close && pat[i + 1] == ']'))
						i++;
					i += 2;
					continue;
				}
				i++;
			}
			i++;
			continue;
		}
		if (c == '.' || c == '^' || c == '$')
		{
			END_RUN();
			i++;
			continue;
		}
		if (!letters_ok && (isalpha(c) || c >= 0x80))
		{
			END_RUN();
			i += pg_mblen(pat + i);
			continue;
		}

		/* an ordinary character, possibly multibyte */
		{
			int			clen = pg_mblen(pat + i);

			last_start = run.len;
			appendBinaryStringInfo(&run, pat + i, clen);
			i += clen;
		}
	}
	END_RUN();
#undef END_RUN

	*outlen = bestlen;
	return best;
}

/*
 * olpe_regex_compile
 *		Compile a constant pattern for ~, ~*, !~ or !~*.
 *
 * Raises 2201B for an invalid pattern, as PostgreSQL does when it first
 * runs it.
 */
OlpeRegex *
olpe_regex_compile(text *pattern, bool icase, bool negate, Oid collation)
{
	OlpeRegex  *rx = palloc0(sizeof(OlpeRegex));
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	char	   *pat = VARDATA_ANY(pattern);
	int			len = VARSIZE_ANY_EXHDR(pattern);
	pg_wchar   *wpat = palloc(sizeof(pg_wchar) * (len + 1));
	int			wlen = pg_mb2wchar_with_len(pat, wpat, len);
	int			rc;

	rx->negate = negate;
	rc = pg_regcomp(&rx->re, wpat, wlen,
					REG_ADVANCED | REG_NOSUB | (icase ? REG_ICASE : 0), collation);
	if (rc != REG_OKAY)
	{
		char		errMsg[100];

		pg_regerror(rc, &rx->re, errMsg, sizeof(errMsg));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("invalid regular expression: %s", errMsg)));
	}
	rx->compiled = true;
	cb->func = regex_free_callback;
	cb->arg = rx;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);

	if (GetDatabaseEncoding() == PG_UTF8)
		rx->literal = required_literal(pat, len, !icase, &rx->literal_len);
	return rx;
}

/*
 * olpe_regex_match
 *		Does text match (or, for !~, not match)? wide and wlen, when not
 *		NULL, receive or supply the text's wide-character form.
 */
bool
olpe_regex_match(OlpeRegex *rx, const char *str, int len,
				 pg_wchar **wide, int *wlen)
{
	int			rc;
	pg_wchar   *w;
	int			n;

	if (rx->literal != NULL &&
		(len < rx->literal_len ||
		 memmem(str, len, rx->literal, rx->literal_len) == NULL))
		return rx->negate;

	if (wide != NULL && *wide != NULL)
	{
		w = *wide;
		n = *wlen;
	}
	else
	{
		w = palloc(sizeof(pg_wchar) * (len + 1));
		n = pg_mb2wchar_with_len(str, w, len);
		if (wide != NULL)
		{
			*wide = w;
			*wlen = n;
		}
	}

	rc = pg_regexec(&rx->re, w, n, 0, NULL, 0, NULL, 0);
	if (rc != REG_OKAY && rc != REG_NOMATCH)
	{
		char		errMsg[100];

		pg_regerror(rc, &rx->re, errMsg, sizeof(errMsg));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				 errmsg("regular expression failed: %s", errMsg)));
	}
	return (rc == REG_OKAY) != rx->negate;
}
