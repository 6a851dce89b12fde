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
 * of some word.  Call a partial match at text offset j a prefix p of some
 * word that ends at j and starts at a boundary: at the start of the text
 * or after a non-word byte.  This is the Aho-Corasick automaton with one
 * change: after reading text[0..j] it is in the state of the longest
 * partial match, where plain Aho-Corasick would take the longest suffix of
 * the text that is a prefix, boundary or not.
 *
 * Every shorter partial match ending at j is a suffix of the longest one,
 * and the byte before it lies inside the longest one, so the state alone
 * tells which of its suffixes start at a boundary.  The failure link of a
 * state is therefore its longest proper suffix that is a prefix and starts
 * after a non-word byte of the state.  The empty suffix qualifies when the
 * state's last byte is a non-word byte.  Following failure links, the
 * construction precomputes a full transition for every state and byte
 * class, as Aho-Corasick does.  When no partial match remains, the
 * transition leads to the root.
 *
 * A state has output when it, or a suffix reachable through its failure
 * links, is a complete word.  Every such word already starts at a boundary
 * and ends at the current offset, so the match succeeds exactly when the
 * next byte is a non-word byte or the end of the text.  A longer word that
 * fails the rule never hides a shorter one: with the words "q a b" and
 * "a b", the text "zq a b" never enters the state "q a b" (it starts after
 * 'z'), and the state "a b" is reached through the space.
 *
 * Candidate filter
 * ----------------
 * A match can start only at a boundary, and only where the text has the
 * first two bytes of some word (or the byte of a one-byte word).  Matching
 * alternates between two modes.  The filter scans for the next position
 * that passes both tests with a 64 Kbit table of byte pairs.  When all
 * words start with the same byte, it jumps between occurrences of that
 * byte with memchr() instead.  From that position the automaton runs until
 * it returns to the root, which means that no partial match remains and
 * the filter can take over again.  The filter only skips positions where
 * no match can start, so the result is the same as running the automaton
 * over the whole text.  Both modes are linear in the length of the text.
 *
 * Representation
 * --------------
 * A dense table over all 256 byte values would cost 1 KB per state, so
 * bytes are first mapped to equivalence classes.  Each byte that occurs in
 * some word gets its own class, and the other bytes fall into at most two
 * classes, one for word bytes and one for non-word bytes.  The transition
 * table has nclasses int32 entries per state.  Each entry stores the
 * target's row offset (state * nclasses), bitwise negated when the target
 * has output, so the inner loop does one table load and one sign test per
 * byte and never allocates.  States are numbered in breadth-first order,
 * which keeps the rows of the shallow states, where matching spends most
 * of its time, close together.
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

/* Link to no state at all: no partial match, and not at a boundary. */
#define NO_STATE (-1)

struct OlpeWordList
{
	int			nstates;		/* number of automaton states, root included */
	int			nclasses;		/* number of byte classes */
	int			nwords;			/* number of non-empty words, duplicates
								 * included */
	int			min_length;		/* length in bytes of the shortest word */
	int			single_start;	/* the first byte of every word when they
								 * all share it, else -1 */
	uint8		byte_class[256];	/* byte value -> class */
	bool		is_word_byte[256];	/* byte value -> word byte? */
	uint32		start_pairs[65536 / 32];	/* bit (b0 << 8 | b1) is set when
											 * a word starts with b0 b1, or
											 * b0 is a one-byte word */
	uint32		one_byte_words[256 / 32];	/* bit b is set when b is a
											 * one-byte word */
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

static inline void
SetBit(uint32 *bits, int index)
{
	bits[index >> 5] |= (uint32) 1 << (index & 31);
}

static inline uint32
GetBit(const uint32 *bits, int index)
{
	return (bits[index >> 5] >> (index & 31)) & 1;
}

/*
 * Add a state of the trie and return its number.  Raises
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED when the trie would exceed
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
								  nwords, nwords, OLPE_WORDLIST_MAX_STATES - 1),
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
 * header.  Replaces every missing transition with its target, which may be
 * 0 (the root, no partial match but at a boundary) or NO_STATE (no partial
 * match, not at a boundary).  Fills has_output, and stores the breadth-first
 * order of the states in bfs_order (nstates entries, the root first).
 */
static void
CompleteTrie(WordListTrie *trie, const bool *class_is_word,
			 bool *has_output, int32 *bfs_order)
{
	int			nclasses = trie->nclasses;
	int32	   *children = trie->children;
	int32	   *fail = palloc(trie->nstates * sizeof(int32));
	int			head;
	int			tail = 0;

	/*
	 * The root: a child made of a non-word byte fails to the root (the empty
	 * suffix is at a boundary), a child made of a word byte fails to no
	 * state.  Missing transitions lead to the same places.
	 */
	fail[0] = NO_STATE;
	has_output[0] = false;
	bfs_order[tail++] = 0;
	for (int c = 0; c < nclasses; c++)
	{
		int32		child = children[c];
		int32		target = class_is_word[c] ? NO_STATE : 0;

		if (child == 0)
		{
			children[c] = target;
			continue;
		}
		fail[child] = target;
		has_output[child] = trie->is_word_end[child];
		bfs_order[tail++] = child;
	}

	/*
	 * Every other state: the child on class c fails to where the parent's
	 * failure state goes on c, and a missing transition copies that target.
	 * When the parent fails to no state, the target depends on c alone, as
	 * at the root.  The failure state is shallower than the state, so its
	 * row is already complete.
	 */
	for (head = 1; head < tail; head++)
	{
		int32		state = bfs_order[head];
		int32	   *row = children + (Size) state * nclasses;
		int32		fail_state = fail[state];
		const int32 *fail_row = (fail_state == NO_STATE) ? NULL :
			children + (Size) fail_state * nclasses;

		CHECK_FOR_INTERRUPTS();

		for (int c = 0; c < nclasses; c++)
		{
			int32		child = row[c];
			int32		target;

			if (fail_row != NULL)
				target = fail_row[c];
			else
				target = class_is_word[c] ? NO_STATE : 0;

			if (child == 0)
			{
				row[c] = target;
				continue;
			}

			/*
			 * Words reachable through the failure link start at a boundary
			 * too, so they count as output here.
			 */
			fail[child] = target;
			has_output[child] = trie->is_word_end[child] ||
				(target > 0 && has_output[target]);
			bfs_order[tail++] = child;
		}
	}

	Assert(tail == trie->nstates);
	pfree(fail);
}

/*
 * Copy the completed trie into wl->transitions, renumbering states in
 * breadth-first order.  Each entry becomes the target's row offset, negated
 * when the target has output; NO_STATE becomes the root.
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

	wl->nstates = nstates;
	wl->transitions = palloc((Size) nstates * nclasses * sizeof(int32));

	for (int i = 0; i < nstates; i++)
	{
		const int32 *old_row = trie->children + (Size) bfs_order[i] * nclasses;
		int32	   *new_row = wl->transitions + (Size) i * nclasses;

		for (int c = 0; c < nclasses; c++)
		{
			int32		target = old_row[c];
			int32		offset;

			if (target == NO_STATE)
				target = 0;
			offset = new_number[target] * nclasses;
			new_row[c] = has_output[target] ? ~offset : offset;
		}
	}

	pfree(new_number);
}

/*
 * Fill the byte classes, the word-byte table and the candidate filter of
 * wl from the non-empty words.  Returns the number of classes and sets
 * class_is_word[c] for each class c.
 */
static int
BuildByteTables(OlpeWordList *wl, const char *const *words, const int *lens,
				int nwords, bool *class_is_word)
{
	bool		present[256] = {false};
	bool		other_word = false;
	bool		other_non_word = false;
	int			nclasses = 0;
	int			first_byte = -1;
	bool		mixed_first_bytes = false;

	for (int b = 0; b < 256; b++)
		wl->is_word_byte[b] = IsWordByte(b);

	/* Record the bytes that occur, and the first bytes of words. */
	for (int i = 0; i < nwords; i++)
	{
		const uint8 *word = (const uint8 *) words[i];

		if (lens[i] == 0)
			continue;

		for (int k = 0; k < lens[i]; k++)
			present[word[k]] = true;

		if (lens[i] == 1)
		{
			SetBit(wl->one_byte_words, word[0]);
			for (int b = 0; b < 256; b++)
				SetBit(wl->start_pairs, (word[0] << 8) | b);
		}
		else
			SetBit(wl->start_pairs, (word[0] << 8) | word[1]);

		if (first_byte < 0)
			first_byte = word[0];
		else if (first_byte != word[0])
			mixed_first_bytes = true;
	}
	wl->single_start = mixed_first_bytes ? -1 : first_byte;

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
	bool	   *has_output;
	int32	   *bfs_order;

	if (nwords < 0)
		elog(ERROR, "invalid word count %d", nwords);

	wl = palloc0(sizeof(OlpeWordList));
	wl->min_length = PG_INT32_MAX;
	wl->single_start = -1;

	/* Count the non-empty words and find the shortest. */
	for (int i = 0; i < nwords; i++)
	{
		if (lens[i] < 0 || (lens[i] > 0 && words[i] == NULL))
			elog(ERROR, "invalid word %d of length %d", i, lens[i]);
		if (lens[i] == 0)
			continue;
		wl->nwords++;
		wl->min_length = Min(wl->min_length, lens[i]);
	}

	wl->nclasses = BuildByteTables(wl, words, lens, nwords, class_is_word);

	/* Insert the words into the trie; the root is state 0. */
	trie.nstates = 0;
	trie.capacity = 64;
	trie.nclasses = wl->nclasses;
	trie.children = palloc0((Size) trie.capacity * trie.nclasses * sizeof(int32));
	trie.is_word_end = palloc(trie.capacity * sizeof(bool));
	AddTrieState(&trie, wl->nwords);

	for (int i = 0; i < nwords; i++)
	{
		const uint8 *word = (const uint8 *) words[i];
		int32		state = 0;

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

		if (state != 0)
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
 * Return true when a word can start at p: p is at a boundary and the text
 * there begins with the first two bytes of some word, or p is the last byte
 * and a one-byte word.
 */
static inline bool
IsCandidate(const OlpeWordList *wl, const uint8 *start, const uint8 *p,
			const uint8 *end)
{
	if (p > start && wl->is_word_byte[p[-1]])
		return false;
	if (p + 1 < end)
		return GetBit(wl->start_pairs, (p[0] << 8) | p[1]);
	return GetBit(wl->one_byte_words, p[0]);
}

/*
 * Return the first position at or after p where a word can start, or NULL
 * when there is none.
 */
static const uint8 *
FindCandidate(const OlpeWordList *wl, const uint8 *start, const uint8 *p,
			  const uint8 *end)
{
	/* All words start with the same byte: jump between its occurrences. */
	if (wl->single_start >= 0)
	{
		while (p < end)
		{
			p = memchr(p, wl->single_start, end - p);
			if (p == NULL || IsCandidate(wl, start, p, end))
				return p;
			p++;
		}
		return NULL;
	}

	/* The first byte of the text has no byte before it. */
	if (p == start)
	{
		if (p < end && IsCandidate(wl, start, p, end))
			return p;
		p++;
	}

	/*
	 * Test the pair at p and the byte before it without branching on either,
	 * so the only branch is the rarely taken one for a candidate.
	 */
	for (; p + 1 < end; p++)
	{
		uint32		boundary = !wl->is_word_byte[p[-1]];

		if (boundary & GetBit(wl->start_pairs, (p[0] << 8) | p[1]))
			return p;
	}

	if (p < end && IsCandidate(wl, start, p, end))
		return p;
	return NULL;
}

/*
 * Return true when some word occurs in text[0..len) at word boundaries.
 * Runs in time linear in len and allocates nothing.
 */
bool
olpe_wordlist_match(const OlpeWordList *wl, const char *text, int len)
{
	const uint8 *start = (const uint8 *) text;
	const uint8 *end = start + len;
	const uint8 *p = start;
	const int32 *transitions = wl->transitions;
	const uint8 *byte_class = wl->byte_class;

	Assert(len >= 0);

	if (wl->nwords == 0 || len < wl->min_length)
		return false;

	while (p < end)
	{
		int32		row = 0;

		p = FindCandidate(wl, start, p, end);
		if (p == NULL)
			return false;

		/* Run the automaton from the root until no partial match remains. */
		do
		{
			int32		next = transitions[row + byte_class[*p++]];

			if (unlikely(next < 0))
			{
				/* A word ends here and starts at a boundary. */
				if (p == end || !wl->is_word_byte[*p])
					return true;
				next = ~next;
			}
			row = next;
		} while (row != 0 && p < end);
	}

	return false;
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
