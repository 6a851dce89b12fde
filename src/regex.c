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
 *	- prefilters: each top-level alternative of the pattern is read for
 *	  byte sequences that every match of it must contain, each byte taken
 *	  from a known set. \d{3}[.-]\d{4} needs three digits, a dot or a dash
 *	  and four digits in a row; an e-mail pattern needs a letter or digit,
 *	  an "@" and another letter or digit. A text that contains the sequences
 *	  of no alternative cannot match, and a byte scan, which starts at the
 *	  rarest byte of each sequence, rejects it before the regex runs;
 *	- the wide-character form of a text is made once per listing and shared
 *	  by every pattern that reads the same attribute;
 *	- ASCII text is widened byte by byte, without a call per character.
 *
 * The analysis is deliberately conservative. It gives up on groups, back
 * references, embedded options and escapes it does not know, and on
 * patterns with an alternative that needs nothing. A sequence is only
 * built from atoms that match one known byte string: ASCII characters and
 * bracket expressions of ASCII characters, \d when it means the ASCII
 * digits, and non-ASCII characters written out in the pattern. Anything
 * that may match a character of another length (".", negated brackets,
 * \w) ends a sequence, and so does any letter in a case-insensitive
 * pattern, since case folding can map non-ASCII letters onto ASCII ones.
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
#include "utils/pg_locale.h"
#include "catalog/pg_collation.h"

#include "olpe.h"

/* A set of bytes. */
typedef struct ByteSet
{
	uint64		w[4];
} ByteSet;

static inline bool
byteset_has(const ByteSet *s, unsigned char c)
{
	return (s->w[c >> 6] >> (c & 63)) & 1;
}

static inline void
byteset_add(ByteSet *s, unsigned char c)
{
	s->w[c >> 6] |= UINT64CONST(1) << (c & 63);
}

/*
 * Maximum length of a kept sequence. Longer ones are cut, because any part
 * of a needed sequence is needed too.
 */
#define MAX_SEQ_LEN 32
/* Sequences kept per alternative: the ones with the rarest bytes. */
#define MAX_SEQS 4
/* An anchor of at most this many bytes is found with memchr(). */
#define MAX_ANCHOR_BYTES 4

/* Bytes that every match of an alternative must contain in a row. */
typedef struct ByteSeq
{
	int			len;
	int			anchor;			/* the position with the rarest bytes */
	double		anchor_cost;	/* how common its bytes are in text */
	int			nanchor_bytes;	/* bytes in the anchor's set */
	unsigned char anchor_bytes[MAX_ANCHOR_BYTES];	/* when that is at most
													 * MAX_ANCHOR_BYTES */
	ByteSet    *sets;			/* len sets */
} ByteSeq;

/* What every match of one top-level alternative must contain. */
typedef struct RegexAlt
{
	int			nseqs;
	ByteSeq    *seqs;			/* rarest anchor first */
} RegexAlt;

struct OlpeRegex
{
	regex_t		re;
	bool		compiled;
	bool		negate;			/* !~ and !~* */
	int			nalts;			/* 0: no prefilter */
	RegexAlt   *alts;
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
	ATOM_BYTES,					/* matches a byte string of known sets */
	ATOM_OTHER,					/* anything else, including anchors */
	ATOM_ALT					/* | between alternatives */
} AtomKind;

typedef struct Atom
{
	AtomKind	kind;
	int			nbytes;			/* ATOM_BYTES: 1, or a non-ASCII character */
	ByteSet		set;			/* nbytes == 1: the bytes matched */
	const char *chr;			/* nbytes > 1: the character's bytes */
	int			min;			/* minimum repetitions */
	bool		exact;			/* min == max */
} Atom;

/* What the analysis needs to know about the pattern's flags. */
typedef struct PatternInfo
{
	bool		icase;
	bool		ascii_digits;	/* \d and [:digit:] mean 0-9 only */
} PatternInfo;

static void
add_digits(ByteSet *s)
{
	for (unsigned char c = '0'; c <= '9'; c++)
		byteset_add(s, c);
}

/*
 * Read a bracket expression starting at pat[i] == '['. Sets *end to the
 * index after it and returns whether *set contains exactly the bytes it
 * matches. Returns false with *end = -1 when the bracket is not closed.
 */
static bool
read_bracket(const char *pat, int len, int i, const PatternInfo *info,
			 ByteSet *set, int *end)
{
	int			j = i + 1;
	bool		usable = true;
	int			prev = -1;		/* last single ASCII character, for ranges */

	memset(set, 0, sizeof(ByteSet));
	*end = -1;
	if (j < len && pat[j] == '^')
	{
		usable = false;			/* matches characters of any length */
		j++;
	}
	if (j < len && pat[j] == ']')
	{
		byteset_add(set, ']');
		prev = ']';
		j++;
	}
	while (j < len && pat[j] != ']')
	{
		unsigned char c = (unsigned char) pat[j];

		if (c == '[' && j + 1 < len &&
			(pat[j + 1] == ':' || pat[j + 1] == '.' || pat[j + 1] == '='))
		{
			char		close = pat[j + 1];
			int			start = j + 2;

			j += 2;
			while (j + 1 < len && !(pat[j] == close && pat[j + 1] == ']'))
				j++;
			if (j + 1 >= len)
				return false;
			if (close == ':' && j - start == 5 &&
				strncmp(pat + start, "digit", 5) == 0 && info->ascii_digits)
				add_digits(set);
			else
				usable = false;
			j += 2;
			prev = -1;
			continue;
		}
		if (c == '\\')
		{
			unsigned char e;

			if (j + 1 >= len)
				return false;
			e = (unsigned char) pat[j + 1];
			if (e == 'd' && info->ascii_digits)
			{
				add_digits(set);
				prev = -1;
			}
			else if (!IS_HIGHBIT_SET(e) && !isalnum(e))
			{
				byteset_add(set, e);
				prev = e;
			}
			else
			{
				usable = false;
				prev = -1;
			}
			j += 2;
			continue;
		}
		if (c == '-' && prev >= 0 && j + 1 < len && pat[j + 1] != ']')
		{
			unsigned char hi = (unsigned char) pat[j + 1];

			/* ranges to escapes, elements or other characters: not read */
			if (IS_HIGHBIT_SET(hi) || hi == '\\' || hi == '[' || hi < prev)
				return false;
			for (int k = prev; k <= hi; k++)
				byteset_add(set, (unsigned char) k);
			j += 2;
			prev = -1;
			continue;
		}
		if (IS_HIGHBIT_SET(c))
		{
			usable = false;
			j += pg_mblen(pat + j);
			prev = -1;
			continue;
		}
		byteset_add(set, c);
		prev = c;
		j++;
	}
	if (j >= len)
		return false;
	*end = j + 1;

	/* letters may fold onto non-ASCII letters when case is ignored */
	if (info->icase)
		for (int k = 'A'; k <= 'z'; k++)
			if (isalpha(k) && byteset_has(set, (unsigned char) k))
				usable = false;
	return usable;
}

/* Read the atoms of a pattern; false when it has a construct we do not read. */
static bool
read_atoms(const char *pat, int len, const PatternInfo *info,
		   Atom **atoms_out, int *natoms_out)
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

		memset(a, 0, sizeof(Atom));
		a->min = 1;
		a->exact = true;
		a->nbytes = 1;

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
				while (j < len && isdigit((unsigned char) pat[j]) && min < 10000)
					min = min * 10 + (pat[j++] - '0');
				if (j < len && pat[j] == '}')
					exact = true;
				else if (j < len && pat[j] == ',')
				{
					j++;
					if (j < len && isdigit((unsigned char) pat[j]))
					{
						max = 0;
						while (j < len && isdigit((unsigned char) pat[j]) && max < 10000)
							max = max * 10 + (pat[j++] - '0');
						exact = (max == min);
					}
				}
				if (j >= len || pat[j] != '}')
					return false;
				i = j;
			}
			/* the quantifier applies to the previous atom */
			atoms[n - 1].min = Min(atoms[n - 1].min * min, 10000);
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
			if (e == 'd' && info->ascii_digits)
			{
				a->kind = ATOM_BYTES;
				add_digits(&a->set);
			}
			else if (!IS_HIGHBIT_SET(e) && !isalnum(e))
			{
				a->kind = ATOM_BYTES;
				byteset_add(&a->set, e);
			}
			else if (strchr("dDwWsSmMyYAZ", e) != NULL)
				a->kind = ATOM_OTHER;
			else
				return false;	/* back references, \x, \u and the like */
			n++;
			i += 2;
			continue;
		}
		if (c == '[')
		{
			int			end;

			a->kind = read_bracket(pat, len, i, info, &a->set, &end) ?
				ATOM_BYTES : ATOM_OTHER;
			if (end < 0)
				return false;
			n++;
			i = end;
			continue;
		}
		if (c == '.' || c == '^' || c == '$')
		{
			a->kind = ATOM_OTHER;
			n++;
			i++;
			continue;
		}
		if (IS_HIGHBIT_SET(c))
		{
			a->nbytes = pg_mblen(pat + i);
			a->chr = pat + i;
			a->kind = info->icase ? ATOM_OTHER : ATOM_BYTES;
			n++;
			i += a->nbytes;
			continue;
		}
		if (info->icase && isalpha(c))
			a->kind = ATOM_OTHER;
		else
		{
			a->kind = ATOM_BYTES;
			byteset_add(&a->set, c);
		}
		n++;
		i++;
	}
	*atoms_out = atoms;
	*natoms_out = n;
	return true;
}

/*
 * How common a byte is in listing text, roughly: spaces and lower-case
 * letters are everywhere, punctuation such as "@" or "(" is rare.
 */
static double
byte_frequency(unsigned char c)
{
	if (c == ' ')
		return 150;
	if (c >= 'a' && c <= 'z')
		return strchr("etaoinshr", c) ? 60 : 15;
	if (c >= 'A' && c <= 'Z')
		return 3;
	if (c >= '0' && c <= '9')
		return 4;
	if (c == '.' || c == ',')
		return 10;
	if (IS_HIGHBIT_SET(c))
		return 2;
	return 1;
}

/* Keep a finished sequence of an alternative, with its anchor. */
static void
finish_seq(RegexAlt *alt, ByteSet *sets, int len)
{
	ByteSeq		seq;

	if (len == 0)
		return;
	seq.len = len;
	seq.anchor = 0;
	seq.anchor_cost = -1;
	for (int k = 0; k < len; k++)
	{
		double		cost = 0;

		for (int c = 0; c < 256; c++)
			if (byteset_has(&sets[k], (unsigned char) c))
				cost += byte_frequency((unsigned char) c);
		if (seq.anchor_cost < 0 || cost < seq.anchor_cost)
		{
			seq.anchor = k;
			seq.anchor_cost = cost;
		}
	}
	seq.nanchor_bytes = 0;
	for (int c = 0; c < 256; c++)
	{
		if (byteset_has(&sets[seq.anchor], (unsigned char) c))
		{
			if (seq.nanchor_bytes < MAX_ANCHOR_BYTES)
				seq.anchor_bytes[seq.nanchor_bytes] = (unsigned char) c;
			seq.nanchor_bytes++;
		}
	}
	seq.sets = palloc(sizeof(ByteSet) * len);
	memcpy(seq.sets, sets, sizeof(ByteSet) * len);

	/* keep the MAX_SEQS sequences with the rarest anchors, rarest first */
	if (alt->nseqs == MAX_SEQS &&
		alt->seqs[MAX_SEQS - 1].anchor_cost <= seq.anchor_cost)
		return;
	if (alt->nseqs < MAX_SEQS)
		alt->nseqs++;
	for (int k = alt->nseqs - 1; k >= 0; k--)
	{
		if (k > 0 && alt->seqs[k - 1].anchor_cost > seq.anchor_cost)
			alt->seqs[k] = alt->seqs[k - 1];
		else
		{
			alt->seqs[k] = seq;
			break;
		}
	}
}

/* Append one repetition of an atom's bytes to a sequence being built. */
static void
append_atom(RegexAlt *alt, ByteSet *sets, int *len, const Atom *a)
{
	for (int b = 0; b < a->nbytes; b++)
	{
		if (*len == MAX_SEQ_LEN)
		{
			finish_seq(alt, sets, *len);
			*len = 0;
		}
		if (a->nbytes == 1)
			sets[*len] = a->set;
		else
		{
			memset(&sets[*len], 0, sizeof(ByteSet));
			byteset_add(&sets[*len], (unsigned char) a->chr[b]);
		}
		(*len)++;
	}
}

/*
 * The byte sequences every match of one alternative must contain. An atom
 * that must occur m times adds its bytes m times. When it may occur more
 * often, what follows is no longer next to what came before it, so the
 * sequence ends there and a new one starts with its m occurrences.
 */
static void
alternative_seqs(RegexAlt *alt, const Atom *atoms, int natoms)
{
	ByteSet		sets[MAX_SEQ_LEN];
	int			len = 0;

	alt->nseqs = 0;
	alt->seqs = palloc(sizeof(ByteSeq) * MAX_SEQS);
	for (int k = 0; k < natoms; k++)
	{
		const Atom *a = &atoms[k];
		int			reps = Min(a->min, MAX_SEQ_LEN);

		if (a->kind != ATOM_BYTES || a->min == 0)
		{
			finish_seq(alt, sets, len);
			len = 0;
			continue;
		}
		for (int r = 0; r < reps; r++)
			append_atom(alt, sets, &len, a);
		if (!a->exact)
		{
			finish_seq(alt, sets, len);
			len = 0;
			for (int r = 0; r < reps; r++)
				append_atom(alt, sets, &len, a);
		}
	}
	finish_seq(alt, sets, len);
}

/*
 * Read the needs of each top-level alternative into rx. When one of them
 * needs nothing, any text may match and rx gets no prefilter.
 */
static void
analyse_alternatives(OlpeRegex *rx, Atom *atoms, int natoms)
{
	int			nalts = 1;
	int			start = 0;
	int			k = 0;

	for (int i = 0; i < natoms; i++)
		if (atoms[i].kind == ATOM_ALT)
			nalts++;
	rx->alts = palloc0(sizeof(RegexAlt) * nalts);

	for (int i = 0; i <= natoms; i++)
	{
		RegexAlt   *alt;

		if (i < natoms && atoms[i].kind != ATOM_ALT)
			continue;
		alt = &rx->alts[k++];
		alternative_seqs(alt, atoms + start, i - start);
		if (alt->nseqs == 0)
		{
			rx->nalts = 0;
			return;
		}
		start = i + 1;
	}
	rx->nalts = nalts;
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

/* Does the sequence occur with its anchor byte at str[i]? */
static inline bool
seq_at(const ByteSeq *seq, const unsigned char *str, int i)
{
	const unsigned char *s = str + i - seq->anchor;

	for (int k = 0; k < seq->len; k++)
		if (!byteset_has(&seq->sets[k], s[k]))
			return false;
	return true;
}

/*
 * Does the text contain the byte sequence? The anchor's bytes are found with
 * memchr() when it has at most MAX_ANCHOR_BYTES of them, else byte by byte.
 */
static bool
seq_found(const ByteSeq *seq, const unsigned char *str, int len)
{
	int			first = seq->anchor;	/* first and last place of the anchor */
	int			last = len - (seq->len - seq->anchor);
	const ByteSet *aset = &seq->sets[seq->anchor];
	int			nbytes = seq->nanchor_bytes;
	const unsigned char *bytes = seq->anchor_bytes;
	int			next[MAX_ANCHOR_BYTES];

	if (last < first)
		return false;

	if (nbytes > MAX_ANCHOR_BYTES)
	{
		for (int i = first; i <= last; i++)
			if (byteset_has(aset, str[i]) && seq_at(seq, str, i))
				return true;
		return false;
	}

	/* next[b]: where bytes[b] occurs next, or past last */
	for (int b = 0; b < nbytes; b++)
	{
		const unsigned char *hit = memchr(str + first, bytes[b], last - first + 1);

		next[b] = hit ? (int) (hit - str) : last + 1;
	}
	for (;;)
	{
		int			i = last + 1;

		for (int b = 0; b < nbytes; b++)
			i = Min(i, next[b]);
		if (i > last)
			return false;
		if (seq_at(seq, str, i))
			return true;
		for (int b = 0; b < nbytes; b++)
		{
			if (next[b] == i)
			{
				const unsigned char *hit = i < last ?
					memchr(str + i + 1, bytes[b], last - i) : NULL;

				next[b] = hit ? (int) (hit - str) : last + 1;
			}
		}
	}
}

/* Can the text contain a match of some alternative of the pattern? */
static bool
prefilter_passes(OlpeRegex *rx, const char *str, int len)
{
	for (int i = 0; i < rx->nalts; i++)
	{
		RegexAlt   *alt = &rx->alts[i];
		int			k;

		for (k = 0; k < alt->nseqs; k++)
			if (!seq_found(&alt->seqs[k], (const unsigned char *) str, len))
				break;
		if (k == alt->nseqs)
			return true;
	}
	return false;
}

/*
 * The wide-character form of a text: ASCII bytes are copied as they are,
 * which is what every server encoding's conversion does with them, and the
 * rest goes through the encoding's conversion.
 */
static int
to_wide(const char *str, int len, pg_wchar *w)
{
	int			i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) str[i];

		if (IS_HIGHBIT_SET(c))
			break;
		w[i] = c;
	}
	if (i == len)
	{
		w[len] = 0;
		return len;
	}
	return i + pg_mb2wchar_with_len(str + i, w + i, len - i);
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

		PatternInfo info;

		info.icase = icase;
		info.ascii_digits = digits_are_ascii(collation);
		if (read_atoms(pat, len, &info, &atoms, &natoms))
			analyse_alternatives(rx, atoms, natoms);
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

	if (rx->nalts > 0 && !prefilter_passes(rx, str, len))
		return rx->negate;

	if (wide != NULL && *wide != NULL)
	{
		w = *wide;
		n = *wlen;
	}
	else
	{
		w = palloc(sizeof(pg_wchar) * (len + 1));
		n = to_wide(str, len, w);
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
