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
 * Three things make matching cheaper without changing any answer:
 *
 *	- a required literal: when every match of the pattern must contain a
 *	  fixed string (the "@" of an e-mail pattern), a text without that string
 *	  cannot match, and a byte search rejects it before the regex runs;
 *	- a required digit run: when every alternative needs some number of
 *	  consecutive digits (\d{3}-\d{4} needs four), a text without such a run
 *	  cannot match;
 *	- the wide-character form of a text is made once per listing and shared
 *	  by every pattern that reads the same attribute.
 *
 * The analysis is deliberately conservative: it gives up on groups, back
 * references, embedded options and escapes it does not know; a literal is
 * taken only from a pattern without alternatives, and for a case-insensitive
 * pattern only without letters, since case folding can map non-ASCII letters
 * onto ASCII ones.
 *
 * src/regex.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "catalog/pg_collation.h"

#include "olpe.h"

struct OlpeRegex
{
	regex_t		re;
	bool		compiled;
	bool		negate;			/* !~ and !~* */
	char	   *literal;		/* required substring, or NULL */
	int			literal_len;
	int			digit_run;		/* required consecutive ASCII digits, or 0 */
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
 * Pattern analysis for the prefilters. The pattern is read as a flat list of
 * atoms, each with the minimum number of times it must occur. A pattern with
 * groups, embedded options or a director is not analysed at all.
 */
typedef enum AtomKind
{
	ATOM_CHAR,					/* one literal character */
	ATOM_DIGIT,					/* \d, [0-9] or [[:digit:]] */
	ATOM_OTHER,					/* any other class, ., an anchor */
	ATOM_ALT					/* | between alternatives */
} AtomKind;

typedef struct Atom
{
	AtomKind	kind;
	const char *chr;			/* ATOM_CHAR: the character's bytes */
	int			chrlen;
	int			min;			/* minimum repetitions */
	bool		exact;			/* min == max */
} Atom;

/* Read the atoms of a pattern; false when it has a construct we do not read. */
static bool
read_atoms(const char *pat, int len, Atom **atoms_out, int *natoms_out)
{
	Atom	   *atoms = palloc(sizeof(Atom) * (len + 1));
	int			n = 0;
	int			i = 0;

	if (len >= 3 && strncmp(pat, "***", 3) == 0)
		return false;

	while (i < len)
	{
		unsigned char c = (unsigned char) pat[i];
		Atom	   *a = &atoms[n];

		a->min = 1;
		a->exact = true;
		a->chr = NULL;
		a->chrlen = 0;

		if (c == '(' || c == ')')
			return false;		/* groups, including (?...) options */
		if (c == '|')
		{
			a->kind = ATOM_ALT;
			n++;
			i++;
			continue;
		}
		if (c == '*' || c == '+' || c == '?' || c == '{')
		{
			int			min = 0;
			bool		exact = false;

			if (n == 0 || atoms[n - 1].kind == ATOM_ALT)
				return false;
			if (c == '+')
				min = 1;
			else if (c == '{')
			{
				int			j = i + 1;
				int			max = -1;

				if (j >= len || !isdigit((unsigned char) pat[j]))
					return false;
				while (j < len && isdigit((unsigned char) pat[j]))
					min = min * 10 + (pat[j++] - '0');
				if (j < len && pat[j] == '}')
					exact = true;
				else if (j < len && pat[j] == ',')
				{
					j++;
					if (j < len && isdigit((unsigned char) pat[j]))
					{
						max = 0;
						while (j < len && isdigit((unsigned char) pat[j]))
							max = max * 10 + (pat[j++] - '0');
						exact = (max == min);
					}
				}
				if (j >= len || pat[j] != '}')
					return false;
				i = j;
			}
			/* the quantifier applies to the previous atom */
			atoms[n - 1].min *= min;
			atoms[n - 1].exact = atoms[n - 1].exact && exact;
			i++;
			if (i < len && pat[i] == '?')	/* non-greedy */
				i++;
			continue;
		}
		if (c == '\\')
		{
			unsigned char e;

			if (i + 1 >= len)
				return false;
			e = (unsigned char) pat[i + 1];
			if (e == 'd')
				a->kind = ATOM_DIGIT;
			else if (!isalnum(e) && e < 0x80)
			{
				a->kind = ATOM_CHAR;
				a->chr = pat + i + 1;
				a->chrlen = 1;
			}
			else if (strchr("DwWsSmMyYAZ", e) != NULL)
				a->kind = ATOM_OTHER;
			else
				return false;	/* back references, \x, \u and the like */
			n++;
			i += 2;
			continue;
		}
		if (c == '[')
		{
			int			j = i + 1;

			if (strncmp(pat + i, "[0-9]", 5) == 0)
			{
				a->kind = ATOM_DIGIT;
				n++;
				i += 5;
				continue;
			}
			if (strncmp(pat + i, "[[:digit:]]", 11) == 0)
			{
				a->kind = ATOM_DIGIT;
				n++;
				i += 11;
				continue;
			}
			if (j < len && pat[j] == '^')
				j++;
			if (j < len && pat[j] == ']')
				j++;
			while (j < len && pat[j] != ']')
			{
				if (pat[j] == '[' && j + 1 < len &&
					(pat[j + 1] == ':' || pat[j + 1] == '.' || pat[j + 1] == '='))
				{
					char		close = pat[j + 1];

					j += 2;
					while (j + 1 < len && !(pat[j] == close && pat[j + 1] == ']'))
						j++;
					j += 2;
					continue;
				}
				j++;
			}
			if (j >= len)
				return false;
			a->kind = ATOM_OTHER;
			n++;
			i = j + 1;
			continue;
		}
		if (c == '.' || c == '^' || c == '$')
		{
			a->kind = ATOM_OTHER;
			n++;
			i++;
			continue;
		}
		a->kind = ATOM_CHAR;
		a->chr = pat + i;
		a->chrlen = pg_mblen(pat + i);
		n++;
		i += a->chrlen;
	}
	*atoms_out = atoms;
	*natoms_out = n;
	return true;
}

/*
 * The longest fixed string every match must contain, when the pattern has
 * one alternative; NULL otherwise. letters_ok is false for case-insensitive
 * patterns, where case folding can map non-ASCII letters onto ASCII ones.
 */
static char *
required_literal(Atom *atoms, int natoms, bool letters_ok, int *outlen)
{
	StringInfoData run;
	char	   *best = NULL;
	int			bestlen = 0;

	for (int k = 0; k < natoms; k++)
		if (atoms[k].kind == ATOM_ALT)
			return NULL;

	initStringInfo(&run);
	for (int k = 0; k <= natoms; k++)
	{
		Atom	   *a = k < natoms ? &atoms[k] : NULL;
		bool		usable = a != NULL && a->kind == ATOM_CHAR && a->min >= 1 &&
			(letters_ok || (a->chrlen == 1 && !isalpha((unsigned char) a->chr[0])));

		if (usable)
		{
			/* a character repeated exactly m times is m characters of the run */
			for (int r = 0; r < (a->exact ? a->min : 1); r++)
				appendBinaryStringInfo(&run, a->chr, a->chrlen);
			if (a->exact)
				continue;
		}
		if (run.len > bestlen)
		{
			best = pnstrdup(run.data, run.len);
			bestlen = run.len;
		}
		resetStringInfo(&run);
	}
	*outlen = bestlen;
	return best;
}

/*
 * The number of consecutive digits every match must contain: the least,
 * over the alternatives, of the longest run of digit atoms in each.
 */
static int
required_digit_run(Atom *atoms, int natoms)
{
	int			least = INT_MAX;
	int			longest = 0;
	int			run = 0;

	for (int k = 0; k <= natoms; k++)
	{
		if (k == natoms || atoms[k].kind == ATOM_ALT)
		{
			longest = Max(longest, run);
			least = Min(least, longest);
			longest = 0;
			run = 0;
			continue;
		}
		if (atoms[k].kind == ATOM_DIGIT)
			run += atoms[k].min;
		else
		{
			longest = Max(longest, run);
			run = 0;
		}
	}
	return least == INT_MAX ? 0 : least;
}

/*
 * Does \d mean only the ASCII digits under this collation? It does for C
 * and for libc locales, whose digit class is 0-9; an ICU collation also
 * matches digits of other scripts.
 */
static bool
digits_are_ascii(Oid collation)
{
	pg_locale_t locale;

	if (!OidIsValid(collation) || lc_ctype_is_c(collation))
		return true;
	locale = pg_newlocale_from_collation(collation);
	return locale == NULL || locale->provider != COLLPROVIDER_ICU;
}

/* Does the text contain n consecutive ASCII digits? */
static bool
has_digit_run(const char *str, int len, int n)
{
	int			run = 0;

	for (int i = 0; i < len; i++)
	{
		if (str[i] >= '0' && str[i] <= '9')
		{
			if (++run >= n)
				return true;
		}
		else
			run = 0;
	}
	return false;
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
	{
		Atom	   *atoms;
		int			natoms;

		if (read_atoms(pat, len, &atoms, &natoms))
		{
			rx->literal = required_literal(atoms, natoms, !icase, &rx->literal_len);
			if (digits_are_ascii(collation))
				rx->digit_run = required_digit_run(atoms, natoms);
		}
	}
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
	if (rx->digit_run >= 2 && !has_digit_run(str, len, rx->digit_run))
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
