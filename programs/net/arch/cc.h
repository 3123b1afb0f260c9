/*
 * lwIP's compiler and platform port for Lemmings programs (lwIP's
 * arch/cc.h): freestanding x86-64, little endian, the SDK's small libc.
 * There is no <inttypes.h>, <ctype.h>, <limits.h> nor <unistd.h> here, so
 * the printf formats are given below and lwIP uses its own character tests
 * and limits.
 */
#ifndef LEMMINGS_LWIP_CC_H
#define LEMMINGS_LWIP_CC_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#if !__STDC_HOSTED__ /* the program build; the hosted test of sys_arch has Linux's headers */
#define LWIP_NO_UNISTD_H 1
#define LWIP_NO_LIMITS_H 1
#endif

#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

#define LWIP_ERR_T int

/* netif_find reads an interface number; the SDK has strtol. */
#define atoi(s) ((int)strtol((s), NULL, 10))

/* Diagnostics go to the system log. An assertion is an internal invariant
 * of lwIP, never a check of outside input (lwIP checks those with
 * LWIP_ERROR and returns): a failed one stops the net program. */
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
	printf("net: lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__, __LINE__); \
	abort(); \
} while (0)

/* Initial sequence numbers, DHCP transaction ids, local ports. */
uint32_t lm_lwip_rand(void);
#define LWIP_RAND() lm_lwip_rand()

#endif
