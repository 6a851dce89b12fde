/*-------------------------------------------------------------------------
 *
 * wordlist.h
 *	  One-pass matching of a list of words and phrases at word boundaries,
 *	  used by the contains_any_word operator of the rule language.
 *
 * The caller lower-cases the text and the words before calling in, so the
 * matcher compares bytes exactly.  See wordlist.c for the algorithm and the
 * precise boundary rule.
 *
 * src/wordlist.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef OLPE_WORDLIST_H
#define OLPE_WORDLIST_H

/* Compiled word list, allocated in the memory context current at build time. */
typedef struct OlpeWordList OlpeWordList;

/*
 * Maximum number of automaton states: two fixed states plus one for every
 * distinct non-empty prefix of the words.
 */
#define OLPE_WORDLIST_MAX_STATES 1000000

/*
 * Build the matcher for nwords words.  Each word is a byte string of lens[i]
 * bytes, not NUL-terminated.  Empty words are ignored, and duplicates are
 * harmless.  Raises ERRCODE_PROGRAM_LIMIT_EXCEEDED when the list needs more
 * than OLPE_WORDLIST_MAX_STATES states.
 */
extern OlpeWordList *olpe_wordlist_build(const char *const *words,
										 const int *lens, int nwords);

/* Return true when some word occurs in text[0..len) at word boundaries. */
extern bool olpe_wordlist_match(const OlpeWordList *wl,
								const char *text, int len);

/* Make the matcher ignore the case of ASCII letters in the text. */
extern void olpe_wordlist_fold_ascii(OlpeWordList *wl);

/* Return the approximate number of bytes that the matcher occupies. */
extern Size olpe_wordlist_size(const OlpeWordList *wl);

#endif							/* OLPE_WORDLIST_H */
