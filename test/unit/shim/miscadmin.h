/* miscadmin.h stand-in for the wordlist unit test: no interrupts to check. */
#ifndef OLPE_TEST_SHIM_MISCADMIN_H
#define OLPE_TEST_SHIM_MISCADMIN_H

#define CHECK_FOR_INTERRUPTS() ((void) 0)

#endif							/* OLPE_TEST_SHIM_MISCADMIN_H */
