/*
 * wordlist_test.c
 *	  Unit tests for src/wordlist.c, built outside the server against the
 *	  stand-in headers in test/unit/shim.
 *
 * Every result of olpe_wordlist_match() is compared with a naive reference
 * matcher that tries every word at every offset.  Named cases also assert
 * the expected value itself, so a bug shared by both matchers still fails.
 * Random cases use a fixed seed and small alphabets, which force overlapping
 * words, shared prefixes and suffixes, and matches next to non-ASCII bytes.
 * Long texts, with a word inserted at every offset, exercise the seams of
 * the four-stream scan.
 *
 * Usage: wordlist_test [-s SEED] [-b [-t FILE]]
 *	  -s SEED  seed for the random cases (default 20240601)
 *	  -b       also time the matcher against one memmem() scan per phrase
 *	  -t FILE  with -b, also time it on the lines of FILE, one text per line
 *
 * The last line of output is "wordlist: N passed, N failed".
 */
#define _GNU_SOURCE				/* memmem() */

#include "postgres.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "utils/memutils.h"
#include "wordlist.h"

static int	tests_passed = 0;
static int	tests_failed = 0;

/*
 * Record one check.  The message, printed only on failure, names the case.
 */
#define CHECK(condition, ...) \
	do { \
		if (condition) \
			tests_passed++; \
		else \
		{ \
			tests_failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); \
			printf("\n"); \
		} \
	} while (0)


/* ---------- Memory: palloc() over malloc(), with a count of live bytes ---------- */

/* Header in front of every allocation, linking all live ones. */
typedef struct ShimChunk
{
	struct ShimChunk *prev;
	struct ShimChunk *next;
	Size		size;
	Size		padding;		/* keeps the payload 16-byte aligned */
} ShimChunk;

static ShimChunk shim_chunks = {&shim_chunks, &shim_chunks, 0, 0};
static Size shim_live_bytes = 0;
static long shim_allocations = 0;	/* calls of palloc, palloc0, repalloc */

static void *
ShimAllocate(Size size, bool zero)
{
	ShimChunk  *chunk;

	if (size > MaxAllocSize)
	{
		fprintf(stderr, "palloc of %zu bytes exceeds MaxAllocSize\n", size);
		abort();
	}
	chunk = zero ? calloc(1, sizeof(ShimChunk) + size) : malloc(sizeof(ShimChunk) + size);
	if (chunk == NULL)
	{
		fprintf(stderr, "out of memory allocating %zu bytes\n", size);
		abort();
	}
	chunk->size = size;
	chunk->next = shim_chunks.next;
	chunk->prev = &shim_chunks;
	shim_chunks.next->prev = chunk;
	shim_chunks.next = chunk;
	shim_live_bytes += size;
	shim_allocations++;
	return chunk + 1;
}

void *
palloc(Size size)
{
	return ShimAllocate(size, false);
}

void *
palloc0(Size size)
{
	return ShimAllocate(size, true);
}

void
pfree(void *pointer)
{
	ShimChunk  *chunk = (ShimChunk *) pointer - 1;

	chunk->prev->next = chunk->next;
	chunk->next->prev = chunk->prev;
	shim_live_bytes -= chunk->size;
	free(chunk);
}

void *
repalloc(void *pointer, Size size)
{
	ShimChunk  *old_chunk = (ShimChunk *) pointer - 1;
	void	   *copy = ShimAllocate(size, false);

	memcpy(copy, pointer, Min(size, old_chunk->size));
	pfree(pointer);
	return copy;
}

/* Free every live allocation, as resetting a memory context would. */
static void
ResetShimMemory(void)
{
	while (shim_chunks.next != &shim_chunks)
		pfree(shim_chunks.next + 1);
}


/* ---------- Errors: ereport() and elog() jump back to the running test ---------- */

typedef struct ShimError
{
	int			sqlerrcode;
	char		message[512];
	char		detail[512];
	char		hint[512];
} ShimError;

static ShimError last_error;
static jmp_buf *error_handler = NULL;

void
shim_error_start(int elevel)
{
	memset(&last_error, 0, sizeof(last_error));
	last_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	if (elevel != ERROR)
	{
		fprintf(stderr, "the shim supports only ERROR, not level %d\n", elevel);
		abort();
	}
}

void
shim_error_finish(void)
{
	if (error_handler == NULL)
	{
		fprintf(stderr, "ERROR outside a test: %s\n", last_error.message);
		abort();
	}
	longjmp(*error_handler, 1);
}

int
errcode(int sqlerrcode)
{
	last_error.sqlerrcode = sqlerrcode;
	return 0;
}

#define FORMAT_INTO(buffer, fmt) \
	do { \
		va_list		args; \
		va_start(args, fmt); \
		vsnprintf(buffer, sizeof(buffer), fmt, args); \
		va_end(args); \
	} while (0)

int
errmsg(const char *fmt, ...)
{
	FORMAT_INTO(last_error.message, fmt);
	return 0;
}

int
errmsg_internal(const char *fmt, ...)
{
	FORMAT_INTO(last_error.message, fmt);
	return 0;
}

int
errdetail(const char *fmt, ...)
{
	FORMAT_INTO(last_error.detail, fmt);
	return 0;
}

int
errdetail_plural(const char *fmt_singular, const char *fmt_plural,
				 unsigned long n, ...)
{
	va_list		args;

	va_start(args, n);
	vsnprintf(last_error.detail, sizeof(last_error.detail),
			  n == 1 ? fmt_singular : fmt_plural, args);
	va_end(args);
	return 0;
}

int
errhint(const char *fmt, ...)
{
	FORMAT_INTO(last_error.hint, fmt);
	return 0;
}

/* Write the five-character SQLSTATE of a packed error code into out[6]. */
static void
UnpackSqlstate(int sqlerrcode, char *out)
{
	for (int i = 0; i < 5; i++)
	{
		out[i] = PGUNSIXBIT(sqlerrcode);
		sqlerrcode >>= 6;
	}
	out[5] = '\0';
}

/*
 * Build a word list, catching an error.  Returns NULL and leaves the error
 * in last_error when the build raised one.
 */
static OlpeWordList *
TryBuild(const char *const *words, const int *lens, int nwords)
{
	jmp_buf		handler;
	jmp_buf    *saved = error_handler;
	OlpeWordList *volatile result = NULL;

	if (setjmp(handler) == 0)
	{
		error_handler = &handler;
		result = olpe_wordlist_build(words, lens, nwords);
	}
	error_handler = saved;
	return result;
}


/* ---------- Reference matcher ---------- */

static bool
IsWordByteReference(unsigned char b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
		(b >= '0' && b <= '9') || b == '_' || b >= 0x80;
}

/* Try every non-empty word at every offset, checking the boundary rule. */
static bool
ReferenceMatch(const char *const *words, const int *lens, int nwords,
			   const char *text, int len)
{
	const unsigned char *t = (const unsigned char *) text;

	for (int w = 0; w < nwords; w++)
	{
		if (lens[w] == 0)
			continue;
		for (int i = 0; i + lens[w] <= len; i++)
		{
			int			end = i + lens[w];

			if (memcmp(text + i, words[w], lens[w]) != 0)
				continue;
			if (i > 0 && IsWordByteReference(t[i - 1]))
				continue;
			if (end < len && IsWordByteReference(t[end]))
				continue;
			return true;
		}
	}
	return false;
}

/*
 * Match a copy of the text in a buffer of exactly len bytes, so a read past
 * the end shows up under AddressSanitizer or valgrind.
 */
static bool
MatchExactBuffer(const OlpeWordList *wl, const char *text, int len)
{
	char	   *copy = malloc(len > 0 ? len : 1);
	bool		result;

	memcpy(copy, text, len);
	result = olpe_wordlist_match(wl, copy, len);
	free(copy);
	return result;
}


/* ---------- Named cases ---------- */

#define MAX_CASE_WORDS 16

/* Make a printable copy of a byte string, escaping non-printable bytes. */
static const char *
Printable(const char *text, int len, char *buffer, int size)
{
	int			used = 0;

	for (int i = 0; i < len && used < size - 5; i++)
	{
		unsigned char b = text[i];

		if (b >= 0x20 && b < 0x7f)
			buffer[used++] = b;
		else
			used += snprintf(buffer + used, size - used, "\\x%02x", b);
	}
	buffer[used] = '\0';
	return buffer;
}

/*
 * Check that the NULL-terminated list of C-string words matches the text
 * exactly when expected is true, and that the reference agrees.
 */
static void
CheckCase(const char *name, const char *const *word_list, const char *text,
		  bool expected)
{
	const char *words[MAX_CASE_WORDS] = {NULL};
	int			lens[MAX_CASE_WORDS] = {0};
	int			nwords = 0;
	int			len = strlen(text);
	OlpeWordList *wl;
	char		shown[256];

	for (; word_list[nwords] != NULL; nwords++)
	{
		words[nwords] = word_list[nwords];
		lens[nwords] = strlen(word_list[nwords]);
	}

	wl = TryBuild(words, lens, nwords);
	CHECK(wl != NULL, "%s: build raised \"%s\"", name, last_error.message);
	if (wl == NULL)
		return;

	CHECK(MatchExactBuffer(wl, text, len) == expected,
		  "%s: match on \"%s\" should be %s", name,
		  Printable(text, len, shown, sizeof(shown)), expected ? "true" : "false");
	CHECK(ReferenceMatch(words, lens, nwords, text, len) == expected,
		  "%s: reference on \"%s\" should be %s", name,
		  Printable(text, len, shown, sizeof(shown)), expected ? "true" : "false");
	ResetShimMemory();
}

#define WORDS(...) ((const char *const[]) {__VA_ARGS__, NULL})
#define NO_WORDS ((const char *const[]) {NULL})

static void
TestNamedCases(void)
{
	/* Empty text and empty lists. */
	CheckCase("empty text", WORDS("a"), "", false);
	CheckCase("empty list", NO_WORDS, "abc", false);
	CheckCase("empty list, empty text", NO_WORDS, "", false);
	CheckCase("only an empty word", WORDS(""), "abc", false);
	CheckCase("empty word on empty text", WORDS(""), "", false);
	CheckCase("empty word beside a real one", WORDS("", "abc"), "x abc", true);

	/* Position of the match in the text. */
	CheckCase("word at start", WORDS("office"), "office space", true);
	CheckCase("word at end", WORDS("office"), "great office", true);
	CheckCase("word is whole text", WORDS("office"), "office", true);
	CheckCase("word in middle", WORDS("office"), "a office b", true);
	CheckCase("text shorter than word", WORDS("office"), "offic", false);
	CheckCase("second occurrence matches", WORDS("office"), "officer office", true);
	CheckCase("no occurrence at boundary", WORDS("office"), "officer backoffice offices", false);

	/* ASCII neighbours. */
	CheckCase("letter after", WORDS("office"), "officer", false);
	CheckCase("letter before", WORDS("office"), "backoffice", false);
	CheckCase("digit after", WORDS("office"), "office1", false);
	CheckCase("digit before", WORDS("office"), "1office", false);
	CheckCase("underscore after", WORDS("office"), "office_a", false);
	CheckCase("underscore before", WORDS("office"), "a_office", false);
	CheckCase("hyphen before", WORDS("office"), "back-office", true);
	CheckCase("comma after", WORDS("office"), "office, desk", true);
	CheckCase("tab and newline", WORDS("office"), "\toffice\n", true);
	CheckCase("upper case neighbour", WORDS("office"), "Aoffice", false);
	CheckCase("upper case text is not folded", WORDS("office"), "OFFICE", false);

	/* Non-ASCII neighbours count as letters. */
	CheckCase("e-acute before", WORDS("office"), "éoffice", false);
	CheckCase("e-acute after", WORDS("office"), "officeé", false);
	CheckCase("word after cafe", WORDS("office"), "café office", true);
	CheckCase("e-acute after a space", WORDS("office"), "office é", true);
	CheckCase("non-ASCII word", WORDS("café"), "le café.", true);
	CheckCase("non-ASCII word inside word", WORDS("café"), "cafés", false);
	CheckCase("lone continuation byte before", WORDS("ab"), "\xa9" "ab", false);
	CheckCase("lone lead byte after", WORDS("ab"), "ab\xc3", false);
	CheckCase("CJK neighbour", WORDS("office"), "office\xe4\xb8\x80", false);

	/* Phrases with spaces and punctuation. */
	CheckCase("phrase", WORDS("no brokers"), "great office, no brokers!", true);
	CheckCase("phrase with letter after", WORDS("no brokers"), "no brokersx", false);
	CheckCase("phrase with two spaces", WORDS("no brokers"), "no  brokers", false);
	CheckCase("punctuation inside word", WORDS("c++"), "c++ dev", true);
	CheckCase("punctuation word after letter", WORDS("c++"), "xc++", false);
	CheckCase("dotted word", WORDS("a.b"), "see a.b.", true);
	CheckCase("dotted word inside word", WORDS("a.b"), "a.bc", false);

	/* The rule looks at the neighbours, never at the word's own ends. */
	CheckCase("leading space, letter before", WORDS(" foo"), "a foo", false);
	CheckCase("leading space, space before", WORDS(" foo"), "a  foo", true);
	CheckCase("leading space at start", WORDS(" foo"), " foo", true);
	CheckCase("punctuation only, inside word", WORDS("--"), "a--b", false);
	CheckCase("punctuation only, spaced", WORDS("--"), "a -- b", true);
	CheckCase("punctuation only, in a run", WORDS("--"), "---", true);
	CheckCase("trailing space, letter after", WORDS("foo "), "foo a", false);
	CheckCase("trailing space at end", WORDS("foo "), "foo ", true);

	/* Duplicates. */
	CheckCase("duplicate words", WORDS("ab", "ab"), "x ab", true);
	CheckCase("duplicate words, no match", WORDS("ab", "ab"), "xab", false);

	/* One word a prefix of another. */
	CheckCase("prefix word matches alone", WORDS("off", "office"), "off", true);
	CheckCase("longer word matches", WORDS("off", "office"), "office", true);
	CheckCase("prefix pair, neither", WORDS("off", "office"), "offices", false);
	CheckCase("prefix word, partial longer", WORDS("off", "office"), "offic", false);
	CheckCase("prefix word followed by space", WORDS("office", "off"), "off ice", true);

	/* One word a suffix of another, reached through failure links. */
	CheckCase("suffix word alone", WORDS("office", "ice"), "x ice", true);
	CheckCase("suffix word inside longer", WORDS("office", "ice"), "xoffice", false);
	CheckCase("longer fails, suffix passes", WORDS("q a b", "a b"), "zq a b", true);
	CheckCase("longer fails, suffix passes, reversed", WORDS("a b", "q a b"), "zq a b", true);
	CheckCase("suffix via non-word state", WORDS("q a bc", "a b"), "zq a b", true);
	CheckCase("suffix via non-word state, letter after", WORDS("q a bc", "a b"), "zq a bc", false);
	CheckCase("chain of two suffixes, both fail", WORDS("a b c", " b c"), "za b c", false);
	CheckCase("chain of three suffixes, shortest", WORDS("a b c", " b c", "b c"), "za b c", true);
	CheckCase("chain of three suffixes, alone", WORDS("a b c", " b c", "b c"), "b c", true);
	CheckCase("chain of three suffixes, none", WORDS("a b c", " b c", "b c"), "zab c", false);

	/* Overlapping candidates. */
	CheckCase("overlap, both fail", WORDS("abc", "bc d"), "xabc d", false);
	CheckCase("overlap, first passes", WORDS("abc", "bc d"), "x abc d", true);
	CheckCase("overlap, second passes", WORDS("abc", "bc d"), "a bc d", true);
	CheckCase("partial match hides start", WORDS("abx", "b c"), "ab c", false);
	CheckCase("partial match, spaced", WORDS("abx", "b c"), "a b c", true);
	CheckCase("restart inside partial match", WORDS("aab"), "aaab", false);
	CheckCase("restart inside partial match, spaced", WORDS("aab"), "aa aab", true);
	CheckCase("repeated letters", WORDS("aa"), "aaa aa", true);
	CheckCase("repeated letters, none", WORDS("aa"), "aaa aaaa", false);

	/* All words share the first byte: the memchr() path. */
	CheckCase("common first byte, start", WORDS("ab", "acd"), "ab", true);
	CheckCase("common first byte, inside", WORDS("ab", "acd"), "xxab", false);
	CheckCase("common first byte, spaced", WORDS("ab", "acd"), "xx acd", true);
	CheckCase("common first byte, only first", WORDS("ab", "acd"), "a", false);
	CheckCase("common first byte, after partial", WORDS("ab", "acd"), "aac ab", true);
	CheckCase("common first byte, repeated", WORDS("ab", "acd"), "aaaaab", false);
}

/* A list that uses all 256 byte values leaves no class for other bytes. */
static void
TestAllByteValues(void)
{
	char		bytes[256];
	const char *words[2];
	int			lens[2];
	OlpeWordList *wl;
	static const char text_match[] = "x \x01\x02 y";
	static const char text_inside[] = "x\x01\x02y";

	/* One word with every byte value, and a short word made of two of them. */
	for (int b = 0; b < 256; b++)
		bytes[b] = (char) b;
	words[0] = bytes;
	lens[0] = 256;
	words[1] = "\x01\x02";
	lens[1] = 2;

	wl = TryBuild(words, lens, 2);
	CHECK(wl != NULL, "all byte values: build raised \"%s\"", last_error.message);
	if (wl == NULL)
		return;

	CHECK(MatchExactBuffer(wl, text_match, sizeof(text_match) - 1),
		  "all byte values: spaced short word");
	CHECK(!MatchExactBuffer(wl, text_inside, sizeof(text_inside) - 1),
		  "all byte values: short word between letters");
	CHECK(MatchExactBuffer(wl, bytes, 256), "all byte values: whole long word");
	CHECK(!MatchExactBuffer(wl, bytes + 3, 253), "all byte values: long word minus three bytes");
	ResetShimMemory();
}

/* Texts and words that are not NUL-terminated and contain NUL bytes. */
static void
TestEmbeddedNul(void)
{
	static const char word[] = {'a', '\0', 'b'};
	static const char text_match[] = {'x', ' ', 'a', '\0', 'b'};
	static const char text_inside[] = {'x', 'a', '\0', 'b'};
	const char *words[1] = {word};
	int			lens[1] = {3};
	OlpeWordList *wl = TryBuild(words, lens, 1);

	CHECK(wl != NULL, "embedded NUL: build raised \"%s\"", last_error.message);
	if (wl == NULL)
		return;
	CHECK(MatchExactBuffer(wl, text_match, 5), "embedded NUL: spaced");
	CHECK(!MatchExactBuffer(wl, text_inside, 4), "embedded NUL: after a letter");
	ResetShimMemory();
}

/*
 * Matching allocates nothing, and olpe_wordlist_size() equals the bytes that
 * stay allocated after a build, so the build frees its temporary arrays.
 */
static void
TestMemory(void)
{
	const char *words[3] = {"no brokers", "sublet", "cash only"};
	int			lens[3] = {10, 6, 9};
	static const char text[] = "bright office, sublet possible, cash only please";
	OlpeWordList *wl;
	OlpeWordList *wl_one;
	long		allocations_before;
	Size		size_three;

	ResetShimMemory();
	wl = TryBuild(words, lens, 3);
	CHECK(wl != NULL, "memory: build raised \"%s\"", last_error.message);
	if (wl == NULL)
		return;

	size_three = olpe_wordlist_size(wl);
	CHECK(size_three == shim_live_bytes,
		  "memory: size %zu should equal live bytes %zu", size_three, shim_live_bytes);

	allocations_before = shim_allocations;
	CHECK(olpe_wordlist_match(wl, text, sizeof(text) - 1), "memory: sample text matches");
	CHECK(shim_allocations == allocations_before,
		  "memory: match allocated %ld times", shim_allocations - allocations_before);

	wl_one = TryBuild(words, lens, 1);
	CHECK(wl_one != NULL, "memory: build of one word raised \"%s\"", last_error.message);
	if (wl_one != NULL)
		CHECK(olpe_wordlist_size(wl_one) < size_three,
			  "memory: one word takes %zu bytes, three take %zu",
			  olpe_wordlist_size(wl_one), size_three);
	ResetShimMemory();
	CHECK(shim_live_bytes == 0, "memory: reset left %zu bytes", shim_live_bytes);
}

/*
 * A list needing more than OLPE_WORDLIST_MAX_STATES states raises 54000 with
 * detail and hint, and a list needing exactly that many builds.
 */
static void
TestStateLimit(void)
{
	int			max_word = OLPE_WORDLIST_MAX_STATES - 2;	/* plus two fixed states */
	char	   *long_word = malloc(max_word + 1);
	const char *words[1] = {long_word};
	int			lens[1];
	OlpeWordList *wl;
	char		sqlstate[6];

	memset(long_word, 'a', max_word + 1);

	/* The longest word within the limit needs OLPE_WORDLIST_MAX_STATES states. */
	lens[0] = max_word;
	wl = TryBuild(words, lens, 1);
	CHECK(wl != NULL, "state limit: %d-byte word raised \"%s\"", max_word, last_error.message);
	if (wl != NULL)
	{
		CHECK(olpe_wordlist_match(wl, long_word, max_word), "state limit: word matches itself");
		CHECK(!olpe_wordlist_match(wl, long_word, max_word + 1), "state limit: longer run does not match");
	}
	ResetShimMemory();

	/* One byte more. */
	lens[0] = max_word + 1;
	wl = TryBuild(words, lens, 1);
	CHECK(wl == NULL, "state limit: %d-byte word should raise", max_word + 1);
	UnpackSqlstate(last_error.sqlerrcode, sqlstate);
	CHECK(strcmp(sqlstate, "54000") == 0, "state limit: SQLSTATE %s, expected 54000", sqlstate);
	CHECK(strcmp(last_error.message, "word list is too large") == 0,
		  "state limit: message \"%s\"", last_error.message);
	CHECK(strcmp(last_error.detail, "The list has 1 word with more than 999998 distinct prefixes.") == 0,
		  "state limit: detail \"%s\"", last_error.detail);
	CHECK(strcmp(last_error.hint, "Use fewer or shorter words, or split the list across several contains_any_word conditions.") == 0,
		  "state limit: hint \"%s\"", last_error.hint);
	ResetShimMemory();
	CHECK(shim_live_bytes == 0, "state limit: reset left %zu bytes", shim_live_bytes);

	free(long_word);
}

/* Invalid arguments are internal errors (XX000). */
static void
TestInvalidArguments(void)
{
	const char *words[2] = {"ab", NULL};
	int			negative[1] = {-1};
	int			missing[2] = {2, 3};
	char		sqlstate[6];

	CHECK(TryBuild(words, negative, 1) == NULL, "invalid: negative length should raise");
	UnpackSqlstate(last_error.sqlerrcode, sqlstate);
	CHECK(strcmp(sqlstate, "XX000") == 0, "invalid: negative length SQLSTATE %s", sqlstate);
	CHECK(strcmp(last_error.message, "invalid word 0 of length -1") == 0,
		  "invalid: negative length message \"%s\"", last_error.message);

	CHECK(TryBuild(words, missing, 2) == NULL, "invalid: NULL word should raise");
	CHECK(strcmp(last_error.message, "invalid word 1 of length 3") == 0,
		  "invalid: NULL word message \"%s\"", last_error.message);

	CHECK(TryBuild(words, missing, -1) == NULL, "invalid: negative count should raise");
	CHECK(strcmp(last_error.message, "invalid word count -1") == 0,
		  "invalid: negative count message \"%s\"", last_error.message);
	ResetShimMemory();
}


/*
 * Insert a word at every offset of a long filler text and compare with the
 * reference, so occurrences fall on every seam between the stretches that
 * the four-stream scan gives to each automaton.
 */
static void
CheckEveryOffset(const char *name, const char *const *word_list, int text_len)
{
	const char *words[MAX_CASE_WORDS] = {NULL};
	int			lens[MAX_CASE_WORDS] = {0};
	int			nwords = 0;
	char	   *text = malloc(text_len);
	OlpeWordList *wl;
	int			matches = 0;
	int			checks = 0;
	int			failures_before = tests_failed;

	for (; word_list[nwords] != NULL; nwords++)
	{
		words[nwords] = word_list[nwords];
		lens[nwords] = strlen(word_list[nwords]);
	}
	wl = TryBuild(words, lens, nwords);
	CHECK(wl != NULL, "%s: build raised \"%s\"", name, last_error.message);
	if (wl == NULL)
	{
		free(text);
		return;
	}

	for (int w = 0; w < nwords; w++)
		for (int offset = 0; offset + lens[w] <= text_len; offset++)
		{
			bool		expected;

			/* The filler "ab  ab  ..." alternates word and non-word neighbours. */
			for (int i = 0; i < text_len; i++)
				text[i] = "ab  "[i % 4];
			memcpy(text + offset, words[w], lens[w]);

			expected = ReferenceMatch(words, lens, nwords, text, text_len);
			matches += expected;
			checks++;
			if (tests_failed - failures_before < 5)
				CHECK(MatchExactBuffer(wl, text, text_len) == expected,
					  "%s: text of %d bytes, word %d at offset %d should give %s",
					  name, text_len, w, offset, expected ? "true" : "false");
			else
				CHECK(MatchExactBuffer(wl, text, text_len) == expected, "%s", name);
		}

	/* Only offsets after a space and before a space match. */
	CHECK(matches > 0, "%s: no offset of %d matches", name, checks);
	CHECK(matches < checks, "%s: all %d offsets match", name, checks);
	free(text);
	ResetShimMemory();
}

static void
TestLongTexts(void)
{
	static const int text_lens[] = {255, 256, 300, 331, 600, 1000, 1001, 1003};
	char		long_word[128];

	/* "ab  ab  ... q": 100 bytes whose prefixes match the filler everywhere. */
	for (int i = 0; i < 99; i++)
		long_word[i] = "ab  "[i % 4];
	long_word[99] = 'q';
	long_word[100] = '\0';

	for (int i = 0; i < (int) lengthof(text_lens); i++)
	{
		CheckEveryOffset("long text, short words", WORDS("q z", "x-y"), text_lens[i]);
		CheckEveryOffset("long text, common first byte", WORDS("q z", "qq"), text_lens[i]);
		CheckEveryOffset("long text, 100-byte word", WORDS(long_word, "zz"), text_lens[i]);
		CheckEveryOffset("long text, filler prefixes", WORDS("b  q", "ab  aq"), text_lens[i]);
	}
}


/* ---------- Random cases against the reference ---------- */

static uint64_t rng_state;

/* xorshift64*: small, fast and the same on every platform. */
static uint64_t
NextRandom(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int
RandomBelow(int n)
{
	return (int) (NextRandom() % (uint64_t) n);
}

/* Alphabet of pieces, each one byte or one UTF-8 character. */
typedef struct Alphabet
{
	const char *name;
	const char *const *pieces;
	int			npieces;
} Alphabet;

/*
 * Append min_pieces to max_pieces random pieces to buffer, returning the new
 * length.
 */
static int
AppendRandomPieces(const Alphabet *alphabet, int min_pieces, int max_pieces,
				   char *buffer, int used)
{
	int			npieces = min_pieces + RandomBelow(max_pieces - min_pieces + 1);

	for (int i = 0; i < npieces; i++)
	{
		const char *piece = alphabet->pieces[RandomBelow(alphabet->npieces)];
		int			piece_len = strlen(piece);

		memcpy(buffer + used, piece, piece_len);
		used += piece_len;
	}
	return used;
}

#define RANDOM_MAX_WORDS 40
#define RANDOM_BUFFER 4096

/* Shape of the random lists and texts of one run of RunRandomCases. */
typedef struct RandomShape
{
	int			iterations;		/* number of random lists */
	int			max_words;		/* words per list: 0 to max_words */
	int			min_word_pieces;	/* pieces per word */
	int			max_word_pieces;
	int			texts_per_list;
	int			min_text_pieces;	/* pieces per text, before an embedded
									 * word */
	int			max_text_pieces;
} RandomShape;

/*
 * Build random lists and compare the matcher with the reference on random
 * texts, in the shape given.  A quarter of the texts embed one of the
 * words, half of those between spaces, so matches are common.
 */
static void
RunRandomCases(const Alphabet *alphabet, const RandomShape *shape)
{
	static char word_storage[RANDOM_MAX_WORDS][RANDOM_BUFFER];
	static char text[RANDOM_BUFFER * 3];
	const char *words[RANDOM_MAX_WORDS];
	int			lens[RANDOM_MAX_WORDS];
	int			failures_before = tests_failed;
	long		matches = 0;
	long		comparisons = 0;

	for (int iteration = 0; iteration < shape->iterations; iteration++)
	{
		int			nwords = RandomBelow(shape->max_words + 1);
		OlpeWordList *wl;

		for (int w = 0; w < nwords; w++)
		{
			lens[w] = AppendRandomPieces(alphabet, shape->min_word_pieces,
										 shape->max_word_pieces, word_storage[w], 0);
			words[w] = word_storage[w];
		}

		wl = TryBuild(words, lens, nwords);
		CHECK(wl != NULL, "%s: build raised \"%s\"", alphabet->name, last_error.message);
		if (wl == NULL)
			continue;

		for (int t = 0; t < shape->texts_per_list; t++)
		{
			int			len = AppendRandomPieces(alphabet, shape->min_text_pieces,
												 shape->max_text_pieces, text, 0);
			bool		expected;
			bool		actual;

			if (nwords > 0 && RandomBelow(4) == 0)
			{
				int			w = RandomBelow(nwords);
				bool		spaced = RandomBelow(2) == 0;

				/* Spaces around half the embedded words make them match. */
				if (spaced)
					text[len++] = ' ';
				memcpy(text + len, words[w], lens[w]);
				len += lens[w];
				if (spaced)
					text[len++] = ' ';
				len = AppendRandomPieces(alphabet, 0, shape->max_text_pieces / 2, text, len);
			}

			expected = ReferenceMatch(words, lens, nwords, text, len);
			actual = MatchExactBuffer(wl, text, len);
			matches += expected;
			comparisons++;

			if (actual != expected && tests_failed - failures_before < 10)
			{
				char		shown[1024];

				printf("  %s: text \"%s\", expected %s; words:", alphabet->name,
					   Printable(text, len, shown, sizeof(shown)),
					   expected ? "true" : "false");
				for (int w = 0; w < nwords; w++)
					printf(" \"%s\"", Printable(words[w], lens[w], shown, sizeof(shown)));
				printf("\n");
			}
			CHECK(actual == expected, "%s: random case %d.%d differs from the reference",
				  alphabet->name, iteration, t);
		}
		ResetShimMemory();
	}

	/* Make sure the generator produced both outcomes, each at least 2% of the time. */
	CHECK(matches >= comparisons / 50, "%s: only %ld of %ld comparisons match",
		  alphabet->name, matches, comparisons);
	CHECK(matches <= comparisons * 49 / 50, "%s: %ld of %ld comparisons match, too few do not",
		  alphabet->name, matches, comparisons);
	printf("%s: %ld comparisons, %ld matches\n", alphabet->name, comparisons, matches);
}

static void
TestRandomCases(void)
{
	static const char *const utf8_pieces[] = {"a", "b", " ", "_", "é"};
	static const char *const byte_pieces[] = {"a", "b", " ", "-", "\xc3", "\xa9", "1"};
	static const char *const abc_pieces[] = {"a", "b", "c", " "};
	static const char *const common_start_pieces[] = {"a", "a", "a", "b", " "};
	static char all_bytes[256][2];
	static const char *all_byte_pieces[255];
	const Alphabet utf8 = {"random ab _é", utf8_pieces, lengthof(utf8_pieces)};
	const Alphabet bytes = {"random bytes ab -1", byte_pieces, lengthof(byte_pieces)};
	const Alphabet abc = {"random abc, many words", abc_pieces, lengthof(abc_pieces)};
	const Alphabet common = {"random mostly a", common_start_pieces, lengthof(common_start_pieces)};
	const Alphabet any = {"random any byte", all_byte_pieces, lengthof(all_byte_pieces)};
	const Alphabet utf8_long = {"random long ab _é", utf8_pieces, lengthof(utf8_pieces)};
	const Alphabet abc_long = {"random long abc", abc_pieces, lengthof(abc_pieces)};

	/* Every byte value except NUL, which cannot sit in a C-string piece. */
	for (int b = 1; b < 256; b++)
	{
		all_bytes[b][0] = (char) b;
		all_bytes[b][1] = '\0';
		all_byte_pieces[b - 1] = all_bytes[b];
	}

	/* iterations, words, word pieces, texts per list, text pieces */
	RunRandomCases(&utf8, &(RandomShape) {20000, 6, 0, 4, 8, 0, 24});
	RunRandomCases(&bytes, &(RandomShape) {20000, 6, 0, 4, 8, 0, 24});
	RunRandomCases(&abc, &(RandomShape) {3000, RANDOM_MAX_WORDS, 0, 8, 10, 0, 200});
	RunRandomCases(&common, &(RandomShape) {10000, 4, 0, 4, 8, 0, 30});
	RunRandomCases(&any, &(RandomShape) {3000, 20, 0, 3, 10, 0, 60});

	/* Long texts and long words, which take the four-stream path. */
	RunRandomCases(&utf8_long, &(RandomShape) {2000, 3, 6, 9, 4, 250, 1500});
	RunRandomCases(&abc_long, &(RandomShape) {1000, 8, 8, 60, 4, 300, 1200});
}


/* ---------- Benchmark ---------- */

/* Phrases of the kind a listing policy bans, 20 of them, 9 to 22 bytes. */
static const char *const benchmark_phrases[20] = {
	"wire transfer", "western union", "money order", "no credit check",
	"cash only", "send the deposit", "gift card", "moving overseas",
	"currently abroad", "deposit before viewing", "no background check",
	"pay in bitcoin", "keys by mail", "too good to be true", "email me directly",
	"whatsapp only", "no lease required", "wire the deposit", "missionary work",
	"no viewing possible"
};

#define BENCHMARK_REPEATS 7

static double
Seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec + now.tv_nsec / 1e9;
}

/*
 * Time the matcher for the first nphrases benchmark phrases against one
 * memmem() scan per phrase and text, and print the better of
 * BENCHMARK_REPEATS runs of each.  memmem() checks no word boundaries, so
 * the comparison favours it.
 */
static void
TimeMatchers(const char *label, int nphrases, char **texts, const int *lens,
			 int ntexts, int rounds)
{
	const char *words[lengthof(benchmark_phrases)];
	int			word_lens[lengthof(benchmark_phrases)];
	OlpeWordList *wl;
	double		best_matcher = 1e30;
	double		best_memmem = 1e30;
	long		total_bytes = 0;
	long		matcher_hits = 0;
	long		memmem_hits = 0;

	for (int i = 0; i < nphrases; i++)
	{
		words[i] = benchmark_phrases[i];
		word_lens[i] = strlen(benchmark_phrases[i]);
	}
	wl = TryBuild(words, word_lens, nphrases);
	if (wl == NULL)
	{
		CHECK(false, "benchmark: build raised \"%s\"", last_error.message);
		return;
	}
	for (int t = 0; t < ntexts; t++)
		total_bytes += lens[t];

	/* Alternate the two, so a busy machine slows both alike. */
	for (int repeat = 0; repeat < BENCHMARK_REPEATS; repeat++)
	{
		double		start;

		matcher_hits = 0;
		start = Seconds();
		for (int round = 0; round < rounds; round++)
			for (int t = 0; t < ntexts; t++)
				matcher_hits += olpe_wordlist_match(wl, texts[t], lens[t]);
		best_matcher = Min(best_matcher, Seconds() - start);

		memmem_hits = 0;
		start = Seconds();
		for (int round = 0; round < rounds; round++)
			for (int t = 0; t < ntexts; t++)
				for (int i = 0; i < nphrases; i++)
					if (memmem(texts[t], lens[t], words[i], word_lens[i]) != NULL)
					{
						memmem_hits++;
						break;
					}
		best_memmem = Min(best_memmem, Seconds() - start);
	}

	printf("benchmark %s, %d phrase%s: %d texts of %.0f bytes on average, %zu bytes of tables\n",
		   label, nphrases, nphrases == 1 ? "" : "s", ntexts,
		   (double) total_bytes / ntexts, olpe_wordlist_size(wl));
	printf("  matcher       %6.0f ns per text, %5.0f MB/s, %ld texts match\n",
		   best_matcher * 1e9 / ((double) ntexts * rounds),
		   (double) total_bytes * rounds / best_matcher / 1e6, matcher_hits / rounds);
	printf("  %2d x memmem() %6.0f ns per text, %5.0f MB/s, %ld texts contain a phrase: %.1fx the matcher's time\n",
		   nphrases, best_memmem * 1e9 / ((double) ntexts * rounds),
		   (double) total_bytes * rounds / best_memmem / 1e6, memmem_hits / rounds,
		   best_memmem / best_matcher);
	ResetShimMemory();
}

/*
 * Benchmark on generated texts: 1,000 texts of 1,000 bytes made of listing
 * vocabulary, with none of the phrases, the worst case for both matchers.
 * The vocabulary shares first words and first letters with the phrases, so
 * the automaton often leaves the root.
 */
static void
RunGeneratedBenchmark(void)
{
	static const char *const vocabulary[] = {
		"bright", "office", "space", "downtown", "floor", "meeting", "rooms",
		"kitchen", "parking", "elevator", "reception", "open", "plan", "desks",
		"lease", "monthly", "rent", "includes", "utilities", "internet", "secure",
		"access", "building", "near", "station", "café", "terrasse", "clé", "en",
		"main", "the", "a", "with", "and", "for", "of", "to", "is", "24/7",
		"m²", "fibre", "quiet", "corner", "windows", "storage", "bike", "shower",
		"no", "cash", "money", "wire", "send", "gift", "moving", "keys", "email",
		"deposit", "credit", "pay", "western", "currently", "whatsapp",
	};
	enum
	{
		NTEXTS = 1000, TEXT_LEN = 1000
	};
	char	   *texts[NTEXTS];
	int			lens[NTEXTS];
	const char *words[20];
	int			word_lens[20];

	for (int i = 0; i < 20; i++)
	{
		words[i] = benchmark_phrases[i];
		word_lens[i] = strlen(benchmark_phrases[i]);
	}

	/*
	 * Vocabulary words separated by spaces or commas, cut at TEXT_LEN bytes.
	 * A text that happens to contain a phrase is generated again.
	 */
	for (int t = 0; t < NTEXTS; t++)
	{
		texts[t] = malloc(TEXT_LEN);
		lens[t] = TEXT_LEN;
		do
		{
			int			used = 0;

			while (used < TEXT_LEN)
			{
				const char *word = vocabulary[RandomBelow(lengthof(vocabulary))];
				int			word_len = strlen(word);

				for (int k = 0; k < word_len && used < TEXT_LEN; k++)
					texts[t][used++] = word[k];
				if (used < TEXT_LEN)
					texts[t][used++] = RandomBelow(8) == 0 ? ',' : ' ';
			}
		} while (ReferenceMatch(words, word_lens, 20, texts[t], TEXT_LEN));
	}

	TimeMatchers("generated", 20, texts, lens, NTEXTS, 20);
	TimeMatchers("generated", 1, texts, lens, NTEXTS, 20);

	for (int t = 0; t < NTEXTS; t++)
		free(texts[t]);
}

/*
 * Benchmark on the lines of a file, one text per line, for example the
 * lower-cased bodies of real listings.  Also checks every line against the
 * reference.
 */
static void
RunFileBenchmark(const char *path)
{
	FILE	   *file = fopen(path, "r");
	char	  **texts = NULL;
	int		   *lens = NULL;
	int			ntexts = 0;
	int			capacity = 0;
	char	   *line = NULL;
	size_t		line_capacity = 0;
	ssize_t		line_len;
	const char *words[20];
	int			word_lens[20];
	OlpeWordList *wl;

	if (file == NULL)
	{
		CHECK(false, "benchmark: cannot open %s", path);
		return;
	}
	while ((line_len = getline(&line, &line_capacity, file)) >= 0)
	{
		if (line_len > 0 && line[line_len - 1] == '\n')
			line_len--;
		if (ntexts == capacity)
		{
			capacity = capacity ? capacity * 2 : 1024;
			texts = realloc(texts, capacity * sizeof(char *));
			lens = realloc(lens, capacity * sizeof(int));
		}
		texts[ntexts] = malloc(line_len > 0 ? line_len : 1);
		memcpy(texts[ntexts], line, line_len);
		lens[ntexts] = line_len;
		ntexts++;
	}
	free(line);
	fclose(file);

	/* The file doubles as test data: every line must agree with the reference. */
	for (int i = 0; i < 20; i++)
	{
		words[i] = benchmark_phrases[i];
		word_lens[i] = strlen(benchmark_phrases[i]);
	}
	wl = TryBuild(words, word_lens, 20);
	for (int t = 0; wl != NULL && t < ntexts; t++)
		CHECK(olpe_wordlist_match(wl, texts[t], lens[t]) ==
			  ReferenceMatch(words, word_lens, 20, texts[t], lens[t]),
			  "benchmark: line %d of %s differs from the reference", t + 1, path);
	ResetShimMemory();

	if (ntexts > 0)
	{
		TimeMatchers("file", 20, texts, lens, ntexts, 5);
		TimeMatchers("file", 1, texts, lens, ntexts, 5);
	}

	for (int t = 0; t < ntexts; t++)
		free(texts[t]);
	free(texts);
	free(lens);
}


int
main(int argc, char **argv)
{
	uint64_t	seed = 20240601;
	bool		benchmark = false;
	const char *benchmark_file = NULL;

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "-b") == 0)
			benchmark = true;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			benchmark_file = argv[++i];
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else
		{
			fprintf(stderr, "usage: %s [-s SEED] [-b [-t FILE]]\n", argv[0]);
			return 2;
		}
	}
	rng_state = seed != 0 ? seed : 1;	/* xorshift needs a non-zero state */
	printf("seed: %llu\n", (unsigned long long) seed);

	TestNamedCases();
	TestAllByteValues();
	TestEmbeddedNul();
	TestMemory();
	TestInvalidArguments();
	TestStateLimit();
	TestLongTexts();
	TestRandomCases();
	if (benchmark)
	{
		RunGeneratedBenchmark();
		if (benchmark_file != NULL)
			RunFileBenchmark(benchmark_file);
	}

	printf("wordlist: %d passed, %d failed\n", tests_passed, tests_failed);
	return tests_failed == 0 ? 0 : 1;
}
