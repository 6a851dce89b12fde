/*-------------------------------------------------------------------------
 *
 * wordlist.c
 *	  One-pass matching of a list of words and phrases at word boundaries.
 *
 * The rule language's "text contains_any_word text[]" is true when the text
 * contains one of the words as a whole word.  The caller lower-cases the
 * text and the words first, so this file compares bytes exactly.
 *
 * Boundary rule
 * -------------
 * Word bytes are the ASCII letters, the digits, '_' and every byte >= 0x80,
 * so any non-ASCII character of UTF-8 text counts as a letter.  Word w
 * matches at byte offset i when text[i .. i+len(w)) equals w, the byte
 * before it (if any) is not a word byte, and the byte after it (if any) is
 * not a word byte.  This is the byte-level reading of the regular expression
 *
 *		(^|[^A-Za-z0-9_\x80-\xff])(w1|w2|...)($|[^A-Za-z0-9_\x80-\xff])
 *
 * The rule looks only at the neighbours of a match, never at the first or
 * last byte of the word, so " foo" does not match in "a foo" (the byte
 * before the space is 'a') and "--" matches in "---".  Empty words never
 * match.
 *
 * Automaton
 * ---------
 * The words form a trie, in which each state stands for a distinct prefix
 * of some word.  Call a partial match at text offset j a prefix of some
 * word that ends at j and starts at a boundary: at the start of the text or
 * after a non-word byte.  The automaton is Aho-Corasick with one change:
 * after reading text[0..j] it is in the state of the longest partial match,
 * where plain Aho-Corasick would take the longest suffix of the text that
 * is a prefix, boundary or not.  Two extra states stand for "no partial
 * match": the root, when the next offset is at a boundary, and the
 * in-word state, when it is not.
 *
 * Every shorter partial match ending at j is a suffix of the longest one,
 * and the byte before it lies inside the longest one, so the state alone
 * determines which of its suffixes start at a boundary.  The failure link of a
 * state is therefore its longest proper suffix that is a prefix and starts
 * after a non-word byte of the state.  When there is none, the link goes
 * to the root if the state ends with a non-word byte and to the in-word
 * state otherwise.  Following failure links, the construction precomputes
 * a full transition for every state and byte class, as Aho-Corasick does.
 *
 * A state has output when it, or a suffix reachable through its failure
 * links, is a complete word.  Every such word already starts at a boundary
 * and ends at the current offset, so the text matches exactly when the
 * automaton reaches a state with output and the next byte is a non-word
 * byte or the end of the text.  A longer word that fails the rule never
 * hides a shorter one: with the words "q a b" and "a b", the text "zq a b"
 * never enters the state "q a b" (it starts after 'z'), and the state
 * "a b" is reached after the space.
 *
 * Representation
 * --------------
 * A dense table over all 256 byte values would cost 1 KB per state, so
 * bytes are first mapped to equivalence classes.  Each byte that occurs in
 * some word gets its own class, and the other bytes fall into at most two
 * classes, one for word bytes and one for non-word bytes.  The transition
 * table has nclasses int32 entries per state.  Each entry stores the
 * target's row offset (state * nclasses), bitwise negated when the target
 * has output, so a step is one table load and one sign test, and matching
 * never allocates.  States are numbered in breadth-first order (the root
 * is 0 and the in-word state 1), which keeps the rows of the shallow
 * states, where matching spends most of its time, close together.
 *
 * NOTE: the table grows with the total length of the words.  20 phrases of
 * 9 to 22 bytes take about 30 KB, but 1,000 random words of 4 to 19
 * letters take about 1.1 MB, and 10,000 take about 10 MB.  A sparse layout
 * for the deep states would shrink large lists if they turn out to be
 * common.
 *
 * Scanning
 * --------
 * Each step depends on the result of the previous load, so one automaton
 * run is bound by memory latency rather than by throughput.  On longer
 * texts, matching therefore runs four copies of the automaton over four
 * overlapping stretches of the text, interleaved in one loop.  A stretch
 * starts at least max_length - 1 bytes before the end of the previous one,
 * so every occurrence lies entirely inside some stretch.  Each copy starts
 * in the root or the in-word state according to the byte before its
 * stretch.
 *
 * When every word starts with the same byte, matching instead jumps
 * between the occurrences of that byte with memchr().  From each one that
 * follows a boundary, it runs the automaton from the root until the
 * automaton returns to the root or the in-word state, where no partial
 * match remains.
 *
 * src/wordlist.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <string.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "wordlist.h"

/*
 * Even with every byte value in its own class, the largest table fits in
 * one palloc() chunk.
 */
StaticAssertDecl((Size) OLPE_WORDLIST_MAX_STATES * 256 * sizeof(int32) <= MaxAllocSize,
				 "word list transition table can exceed MaxAllocSize");

/* States with fixed numbers.  Trie states are numbered from 2 on. */
#define ROOT_STATE		0		/* no partial match, at a boundary */
#define IN_WORD_STATE	1		/* no partial match, not at a boundary */

/*
 * Number of automaton copies that run interleaved over long texts, and the
 * minimum stretch each one must get to be worth the overlap.  The unit
 * tests build with a minimum of 1 too, to run short texts through the
 * four-stream scan.
 */
#define SCAN_STREAMS		4
#ifndef MIN_STREAM_BYTES
#define MIN_STREAM_BYTES	16
#endif

struct OlpeWordList
{
	int			nstates;		/* number of automaton states */
	int			nclasses;		/* number of byte classes */
	int			nwords;			/* number of non-empty words, duplicates
								 * included */
	int			min_length;		/* length in bytes of the shortest word */
	int			max_length;		/* length in bytes of the longest word */
	int			single_start;	/* the first byte of every word when they
								 * all share it, else -1 */
	uint8		byte_class[256];	/* byte value -> class */
	bool		is_word_byte[256];	/* byte value -> word byte? */
	int32	   *transitions;	/* nstates * nclasses encoded row offsets */
};

/* Trie under construction, before failure transitions are filled in. */
typedef struct WordListTrie
{
	int			nstates;
	int			capacity;		/* allocated rows */
	int			nclasses;
	int32	   *children;		/* capacity * nclasses state numbers, 0 for
								 * no child (the root is nobody's child) */
	bool	   *is_word_end;	/* capacity flags: the prefix is a word */
} WordListTrie;

/* Return true for ASCII letters and digits, '_' and every byte >= 0x80. */
static inline bool
IsWordByte(uint8 b)
{
	uint8		folded = b | 0x20;	/* ASCII upper case to lower case */

	return b >= 0x80 ||
		(b >= '0' && b <= '9') ||
		(folded >= 'a' && folded <= 'z') ||
		b == '_';
}

/*
 * Add a state to the trie and return its number.  Raises
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED when the automaton would exceed
 * OLPE_WORDLIST_MAX_STATES states.
 */
static int32
AddTrieState(WordListTrie *trie, int nwords)
{
	int32		state;

	if (trie->nstates >= OLPE_WORDLIST_MAX_STATES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("word list is too large"),
				 errdetail_plural("The list has %d word with more than %d distinct prefixes.",
								  "The list has %d words with more than %d distinct prefixes.",
								  nwords, nwords, OLPE_WORDLIST_MAX_STATES - 2),
				 errhint("Use fewer or shorter words, or split the list across several contains_any_word conditions.")));

	/* Grow the arrays by doubling, up to the maximum number of states. */
	if (trie->nstates == trie->capacity)
	{
		int			old_capacity = trie->capacity;
		int			new_capacity = Min(old_capacity * 2, OLPE_WORDLIST_MAX_STATES);
		Size		row_size = (Size) trie->nclasses * sizeof(int32);

		trie->children = repalloc(trie->children, new_capacity * row_size);
		memset(trie->children + (Size) old_capacity * trie->nclasses, 0,
			   (new_capacity - old_capacity) * row_size);
		trie->is_word_end = repalloc(trie->is_word_end, new_capacity * sizeof(bool));
		trie->capacity = new_capacity;
	}

	state = trie->nstates++;
	trie->is_word_end[state] = false;

	return state;
}

/*
 * Complete the trie into the boundary-aware automaton described in the file
 * header: replace every missing transition with its target, and fill
 * has_output.  Stores the breadth-first order of the states in bfs_order
 * (nstates entries, ROOT_STATE and IN_WORD_STATE first).
 */
static void
CompleteTrie(WordListTrie *trie, const bool *class_is_word,
			 bool *has_output, int32 *bfs_order)
{
	int			nclasses = trie->nclasses;
	int32	   *children = trie->children;
	int32	   *in_word_row = children + (Size) IN_WORD_STATE * nclasses;
	int32	   *fail = palloc(trie->nstates * sizeof(int32));
	int			head;
	int			tail = 0;

	/*
	 * The in-word state has no children.  A word byte keeps it there, and a
	 * non-word byte leads to the boundary after it.  A word cannot start on
	 * that byte itself, because a word byte precedes it.
	 */
	for (int c = 0; c < nclasses; c++)
		in_word_row[c] = class_is_word[c] ? IN_WORD_STATE : ROOT_STATE;
	has_output[ROOT_STATE] = false;
	has_output[IN_WORD_STATE] = false;
	bfs_order[tail++] = ROOT_STATE;
	bfs_order[tail++] = IN_WORD_STATE;

	/*
	 * The root: a missing transition, and the failure link of a child, lead
	 * where the in-word state goes on the same byte class.  That is the
	 * in-word state after a word byte and the root after a non-word byte.
	 */
	for (int c = 0; c < nclasses; c++)
	{
		int32		child = children[c];

		if (child == 0)
		{
			children[c] = in_word_row[c];
			continue;
		}
		fail[child] = in_word_row[c];
		has_output[child] = trie->is_word_end[child];
		bfs_order[tail++] = child;
	}

	/*
	 * Every other state: the child on class c fails to where the parent's
	 * failure state goes on c, and a missing transition copies that target.
	 * The failure state is shallower than the state, or one of the two
	 * fixed states, so its row is already complete.
	 */
	for (head = 2; head < tail; head++)
	{
		int32		state = bfs_order[head];
		int32	   *row = children + (Size) state * nclasses;
		const int32 *fail_row = children + (Size) fail[state] * nclasses;

		CHECK_FOR_INTERRUPTS();

		for (int c = 0; c < nclasses; c++)
		{
			int32		child = row[c];

			if (child == 0)
			{
				row[c] = fail_row[c];
				continue;
			}

			/*
			 * Words reachable through the failure link start at a boundary
			 * too, so they count as output here.
			 */
			fail[child] = fail_row[c];
			has_output[child] = trie->is_word_end[child] ||
				has_output[fail[child]];
			bfs_order[tail++] = child;
		}
	}

	Assert(tail == trie->nstates);
	pfree(fail);
}

/*
 * Copy the completed trie into wl->transitions, renumbering states in
 * breadth-first order.  Each entry becomes the target's row offset, negated
 * when the target has output.
 */
static void
EncodeAutomaton(OlpeWordList *wl, const WordListTrie *trie,
				const bool *has_output, const int32 *bfs_order)
{
	int			nstates = trie->nstates;
	int			nclasses = trie->nclasses;
	int32	   *new_number = palloc(nstates * sizeof(int32));

	for (int i = 0; i < nstates; i++)
		new_number[bfs_order[i]] = i;
	Assert(new_number[ROOT_STATE] == ROOT_STATE);
	Assert(new_number[IN_WORD_STATE] == IN_WORD_STATE);

	wl->nstates = nstates;
	wl->transitions = palloc((Size) nstates * nclasses * sizeof(int32));

	for (int i = 0; i < nstates; i++)
	{
		const int32 *old_row = trie->children + (Size) bfs_order[i] * nclasses;
		int32	   *new_row = wl->transitions + (Size) i * nclasses;

		for (int c = 0; c < nclasses; c++)
		{
			int32		target = old_row[c];
			int32		offset = new_number[target] * nclasses;

			new_row[c] = has_output[target] ? ~offset : offset;
		}
	}

	pfree(new_number);
}

/*
 * Fill the byte classes and the word-byte table of wl.  Returns the number
 * of classes and sets class_is_word[c] for each class c.
 */
static int
BuildByteClasses(OlpeWordList *wl, const char *const *words, const int *lens,
				 int nwords, bool *class_is_word)
{
	bool		present[256] = {false};
	bool		other_word = false;
	bool		other_non_word = false;
	int			nclasses = 0;

	for (int b = 0; b < 256; b++)
		wl->is_word_byte[b] = IsWordByte(b);

	for (int i = 0; i < nwords; i++)
		for (int k = 0; k < lens[i]; k++)
			present[(uint8) words[i][k]] = true;

	/*
	 * Each byte that occurs in some word gets its own class.  The other
	 * word bytes share one class, and so do the other non-word bytes.
	 */
	for (int b = 0; b < 256; b++)
	{
		if (present[b])
		{
			class_is_word[nclasses] = wl->is_word_byte[b];
			wl->byte_class[b] = nclasses++;
		}
		else if (wl->is_word_byte[b])
			other_word = true;
		else
			other_non_word = true;
	}
	if (other_word)
	{
		for (int b = 0; b < 256; b++)
			if (!present[b] && wl->is_word_byte[b])
				wl->byte_class[b] = nclasses;
		class_is_word[nclasses++] = true;
	}
	if (other_non_word)
	{
		for (int b = 0; b < 256; b++)
			if (!present[b] && !wl->is_word_byte[b])
				wl->byte_class[b] = nclasses;
		class_is_word[nclasses++] = false;
	}

	return nclasses;
}

/*
 * Build the matcher for nwords words.  Each word is a byte string of lens[i]
 * bytes, not NUL-terminated.  Empty words are ignored.  The result and all
 * its parts are allocated in CurrentMemoryContext, and the temporary
 * arrays of the construction are freed before returning.
 */
OlpeWordList *
olpe_wordlist_build(const char *const *words, const int *lens, int nwords)
{
	OlpeWordList *wl;
	WordListTrie trie;
	bool		class_is_word[256];
	bool		mixed_first_bytes = false;
	bool	   *has_output;
	int32	   *bfs_order;

	if (nwords < 0)
		elog(ERROR, "invalid word count %d", nwords);

	wl = palloc0(sizeof(OlpeWordList));
	wl->min_length = PG_INT32_MAX;
	wl->single_start = -1;

	/* Count the non-empty words, their lengths and their first bytes. */
	for (int i = 0; i < nwords; i++)
	{
		uint8		first_byte;

		if (lens[i] < 0 || (lens[i] > 0 && words[i] == NULL))
			elog(ERROR, "invalid word %d of length %d", i, lens[i]);
		if (lens[i] == 0)
			continue;

		wl->nwords++;
		wl->min_length = Min(wl->min_length, lens[i]);
		wl->max_length = Max(wl->max_length, lens[i]);

		first_byte = (uint8) words[i][0];
		if (wl->single_start < 0)
			wl->single_start = first_byte;
		else if (wl->single_start != first_byte)
			mixed_first_bytes = true;
	}
	if (mixed_first_bytes)
		wl->single_start = -1;

	wl->nclasses = BuildByteClasses(wl, words, lens, nwords, class_is_word);

	/* Create the two fixed states, then insert the words into the trie. */
	trie.nstates = 0;
	trie.capacity = 64;
	trie.nclasses = wl->nclasses;
	trie.children = palloc0((Size) trie.capacity * trie.nclasses * sizeof(int32));
	trie.is_word_end = palloc(trie.capacity * sizeof(bool));
	AddTrieState(&trie, wl->nwords);
	AddTrieState(&trie, wl->nwords);

	for (int i = 0; i < nwords; i++)
	{
		const uint8 *word = (const uint8 *) words[i];
		int32		state = ROOT_STATE;

		for (int k = 0; k < lens[i]; k++)
		{
			Size		slot = (Size) state * trie.nclasses + wl->byte_class[word[k]];

			/* Index the table only after AddTrieState, which can move it. */
			if (trie.children[slot] == 0)
			{
				int32		child = AddTrieState(&trie, wl->nwords);

				trie.children[slot] = child;
			}
			state = trie.children[slot];
		}

		if (state != ROOT_STATE)
			trie.is_word_end[state] = true;
	}

	/* Fill in failure transitions and outputs, then compact. */
	has_output = palloc(trie.nstates * sizeof(bool));
	bfs_order = palloc(trie.nstates * sizeof(int32));
	CompleteTrie(&trie, class_is_word, has_output, bfs_order);
	EncodeAutomaton(wl, &trie, has_output, bfs_order);

	pfree(bfs_order);
	pfree(has_output);
	pfree(trie.children);
	pfree(trie.is_word_end);

	return wl;
}

/*
 * Return the row offset of the state in which a run starting at p begins:
 * the root at a boundary, else the in-word state.
 */
static inline int32
InitialRow(const OlpeWordList *wl, const uint8 *start, const uint8 *p)
{
	if (p == start || !wl->is_word_byte[p[-1]])
		return ROOT_STATE;
	return IN_WORD_STATE * wl->nclasses;
}

/*
 * Return true when p, the position just after a state with output, ends a
 * match: p is the end of the text or contains a non-word byte.
 */
static inline bool
IsMatchEnd(const OlpeWordList *wl, const uint8 *p, const uint8 *end)
{
	return p == end || !wl->is_word_byte[*p];
}

/*
 * Run one automaton over [p, end) from the given row.  Returns true at the
 * first match.
 */
static bool
ScanOneStream(const OlpeWordList *wl, const uint8 *p, const uint8 *end,
			  int32 row)
{
	const int32 *transitions = wl->transitions;
	const uint8 *byte_class = wl->byte_class;

	while (p < end)
	{
		int32		next = transitions[row + byte_class[*p++]];

		if (unlikely(next < 0))
		{
			if (IsMatchEnd(wl, p, end))
				return true;
			next = ~next;
		}
		row = next;
	}
	return false;
}

/*
 * Run SCAN_STREAMS automata interleaved over overlapping stretches of the
 * text, as the file header describes.  The caller ensures that len is at
 * least SCAN_STREAMS * MIN_STREAM_BYTES + (SCAN_STREAMS - 1) * (max_length
 * - 1), so that consecutive stretches start at least MIN_STREAM_BYTES apart.
 */
static bool
ScanFourStreams(const OlpeWordList *wl, const uint8 *start, int len)
{
	const int32 *transitions = wl->transitions;
	const uint8 *byte_class = wl->byte_class;
	const uint8 *end = start + len;
	int			overlap = wl->max_length - 1;

	/*
	 * Each stream runs steps bytes, and stream k starts k * stride bytes in,
	 * so consecutive stretches share overlap bytes or more.  The rounding up
	 * of steps can make the last stretches reach past the end.  Such a
	 * stretch starts earlier instead, which only adds to the overlap.
	 */
	int			steps = (len + (SCAN_STREAMS - 1) * overlap + SCAN_STREAMS - 1) / SCAN_STREAMS;
	int			stride = steps - overlap;
	int			last_start = len - steps;
	const uint8 *p0 = start;
	const uint8 *p1 = start + Min(stride, last_start);
	const uint8 *p2 = start + Min(2 * stride, last_start);
	const uint8 *p3 = start + last_start;
	int32		row0 = ROOT_STATE;
	int32		row1 = InitialRow(wl, start, p1);
	int32		row2 = InitialRow(wl, start, p2);
	int32		row3 = InitialRow(wl, start, p3);

	StaticAssertStmt(SCAN_STREAMS == 4, "ScanFourStreams runs four streams");
	Assert(stride >= 1 && last_start <= 3 * stride);

	for (int i = 0; i < steps; i++)
	{
		int32		next0 = transitions[row0 + byte_class[p0[i]]];
		int32		next1 = transitions[row1 + byte_class[p1[i]]];
		int32		next2 = transitions[row2 + byte_class[p2[i]]];
		int32		next3 = transitions[row3 + byte_class[p3[i]]];

		if (unlikely((next0 | next1 | next2 | next3) < 0))
		{
			/* Some stream is in a state with output: check each one. */
			if (next0 < 0)
			{
				if (IsMatchEnd(wl, p0 + i + 1, end))
					return true;
				next0 = ~next0;
			}
			if (next1 < 0)
			{
				if (IsMatchEnd(wl, p1 + i + 1, end))
					return true;
				next1 = ~next1;
			}
			if (next2 < 0)
			{
				if (IsMatchEnd(wl, p2 + i + 1, end))
					return true;
				next2 = ~next2;
			}
			if (next3 < 0)
			{
				if (IsMatchEnd(wl, p3 + i + 1, end))
					return true;
				next3 = ~next3;
			}
		}
		row0 = next0;
		row1 = next1;
		row2 = next2;
		row3 = next3;
	}

	return false;
}

/*
 * Match when every word starts with the byte wl->single_start: jump between
 * its occurrences, and from each one at a boundary run the automaton until
 * no partial match remains.
 */
static bool
ScanFromSingleStart(const OlpeWordList *wl, const uint8 *start, int len)
{
	const int32 *transitions = wl->transitions;
	const uint8 *byte_class = wl->byte_class;
	const uint8 *end = start + len;
	const uint8 *p = start;
	int32		last_fixed_row = IN_WORD_STATE * wl->nclasses;

	while (p < end)
	{
		int32		row = ROOT_STATE;

		p = memchr(p, wl->single_start, end - p);
		if (p == NULL)
			return false;
		if (p > start && wl->is_word_byte[p[-1]])
		{
			p++;
			continue;
		}

		/* The root and the in-word state have the two lowest row offsets. */
		do
		{
			int32		next = transitions[row + byte_class[*p++]];

			if (unlikely(next < 0))
			{
				if (IsMatchEnd(wl, p, end))
					return true;
				next = ~next;
			}
			row = next;
		} while (row > last_fixed_row && p < end);
	}

	return false;
}

/*
 * Return true when some word occurs in text[0..len) at word boundaries.
 * Runs in time linear in len and allocates nothing.
 */
bool
olpe_wordlist_match(const OlpeWordList *wl, const char *text, int len)
{
	const uint8 *start = (const uint8 *) text;

	Assert(len >= 0);

	if (wl->nwords == 0 || len < wl->min_length)
		return false;

	if (wl->single_start >= 0)
		return ScanFromSingleStart(wl, start, len);

	/* Four streams pay off only when each stretch is long enough. */
	if ((Size) len >= (Size) SCAN_STREAMS * MIN_STREAM_BYTES +
		(Size) (SCAN_STREAMS - 1) * (wl->max_length - 1))
		return ScanFourStreams(wl, start, len);

	return ScanOneStream(wl, start, start + len, ROOT_STATE);
}

/*
 * Make the matcher ignore the case of ASCII letters: each upper-case letter
 * takes the byte class of its lower-case letter, so the automaton moves on
 * 'A' exactly as on 'a'. The words must not contain upper-case ASCII
 * letters (they are lower-cased before the build). Matching an all-ASCII
 * text then needs no lower-cased copy of it.
 */
void
olpe_wordlist_fold_ascii(OlpeWordList *wl)
{
	for (int c = 'A'; c <= 'Z'; c++)
		wl->byte_class[c] = wl->byte_class[c + ('a' - 'A')];

	/* the memchr() jump looks for one byte, which would miss the other case */
	if ((wl->single_start >= 'a' && wl->single_start <= 'z') ||
		(wl->single_start >= 'A' && wl->single_start <= 'Z'))
		wl->single_start = -1;
}

/*
 * Return the approximate number of bytes that the matcher occupies,
 * allocator overhead excluded.
 */
Size
olpe_wordlist_size(const OlpeWordList *wl)
{
	return sizeof(OlpeWordList) +
		(Size) wl->nstates * wl->nclasses * sizeof(int32);
}
