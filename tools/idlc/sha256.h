/*
 * SHA-256 (FIPS 180-4), for the API IDs of idlc. Portable C, no libc
 * beyond memcpy/memset, no global state.
 */
#ifndef TOOLS_IDLC_SHA256_H
#define TOOLS_IDLC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
	uint32_t h[8];
	uint64_t length;        /* bytes hashed so far */
	uint8_t block[64];
	size_t used;            /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[SHA256_DIGEST_SIZE]);
/* One call: digest of len bytes at data. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

#endif
