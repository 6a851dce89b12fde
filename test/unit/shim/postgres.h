/*
 * postgres.h stand-in for the wordlist unit test.
 *
 * Provides the few PostgreSQL types and macros that src/wordlist.c uses, so
 * the file compiles and runs outside the server.  wordlist_test.c defines
 * the functions declared here: palloc() and friends wrap malloc() and count
 * what is live, and ereport()/elog() record the error and jump back to the
 * test that is running.
 */
#ifndef OLPE_TEST_SHIM_POSTGRES_H
#define OLPE_TEST_SHIM_POSTGRES_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef size_t Size;
typedef uint8_t uint8;
typedef int32_t int32;
typedef uint32_t uint32;
typedef int64_t int64;

#define PG_INT32_MAX INT32_MAX
#define Min(x, y) ((x) < (y) ? (x) : (y))
#define Max(x, y) ((x) > (y) ? (x) : (y))
#define likely(x) __builtin_expect((x) != 0, 1)
#define unlikely(x) __builtin_expect((x) != 0, 0)
#define lengthof(array) (sizeof(array) / sizeof((array)[0]))
#define Assert(condition) assert(condition)
#define StaticAssertDecl(condition, errmessage) _Static_assert(condition, errmessage)
#define StaticAssertStmt(condition, errmessage) \
	do { _Static_assert(condition, errmessage); } while (0)

/* Allocation: the server raises an error above MaxAllocSize, the shim aborts. */
extern void *palloc(Size size);
extern void *palloc0(Size size);
extern void *repalloc(void *pointer, Size size);
extern void pfree(void *pointer);

/* Error reporting, with SQLSTATE codes packed as the server packs them. */
#define ERROR 21
#define PGSIXBIT(ch) (((ch) - '0') & 0x3F)
#define PGUNSIXBIT(val) (((val) & 0x3F) + '0')
#define MAKE_SQLSTATE(ch1, ch2, ch3, ch4, ch5) \
	(PGSIXBIT(ch1) + (PGSIXBIT(ch2) << 6) + (PGSIXBIT(ch3) << 12) + \
	 (PGSIXBIT(ch4) << 18) + (PGSIXBIT(ch5) << 24))
#define ERRCODE_PROGRAM_LIMIT_EXCEEDED MAKE_SQLSTATE('5', '4', '0', '0', '0')
#define ERRCODE_INTERNAL_ERROR MAKE_SQLSTATE('X', 'X', '0', '0', '0')

extern void shim_error_start(int elevel);
extern void shim_error_finish(void) __attribute__((noreturn));
extern int	errcode(int sqlerrcode);
extern int	errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int	errmsg_internal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int	errdetail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int	errdetail_plural(const char *fmt_singular, const char *fmt_plural,
							 unsigned long n, ...)
			__attribute__((format(printf, 1, 4))) __attribute__((format(printf, 2, 4)));
extern int	errhint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ereport(elevel, ...) \
	do { \
		shim_error_start(elevel); \
		__VA_ARGS__; \
		shim_error_finish(); \
	} while (0)
#define elog(elevel, ...) \
	do { \
		shim_error_start(elevel); \
		errmsg_internal(__VA_ARGS__); \
		shim_error_finish(); \
	} while (0)

#endif							/* OLPE_TEST_SHIM_POSTGRES_H */
