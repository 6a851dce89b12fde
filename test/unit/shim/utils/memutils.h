/* utils/memutils.h stand-in for the wordlist unit test. */
#ifndef OLPE_TEST_SHIM_MEMUTILS_H
#define OLPE_TEST_SHIM_MEMUTILS_H

#define MaxAllocSize ((Size) 0x3fffffff)	/* 1 gigabyte - 1, as in the server */

#endif							/* OLPE_TEST_SHIM_MEMUTILS_H */
