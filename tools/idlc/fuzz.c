/*
 * idlc_fuzz: the whole compiler (lexer, parser, checker, canonical form,
 * generator) on arbitrary bytes, into memory, in every output mode. An
 * input must either compile or fail with one well-formed message; either
 * way nothing may leak or read out of bounds (AddressSanitizer).
 */
#include <stdlib.h>
#include <string.h>

#include "tools/idlc/idlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect_message(const char *err)
{
	/* "fuzz.idl:L:C: error: ..." */
	if (strncmp(err, "fuzz.idl:", 9) || !strstr(err, ": error: "))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct idl_buf out = {0};
	char err[IDL_ERR_MAX];
	int rc;

	rc = idlc_compile((const char *)data, size, "fuzz.idl", "fuzz", IDLC_HEADER, &out,
			  err, sizeof err);
	if (rc) {
		expect_message(err);
		if (out.data)
			abort();
	} else if (!out.data || !strstr(out.data, "#endif")) {
		abort();
	}
	buf_free(&out);
	for (int mode = IDLC_IDS; mode <= IDLC_CANONICAL; mode++) {
		rc = idlc_compile((const char *)data, size, "fuzz.idl", "fuzz",
				  (enum idlc_mode)mode, &out, err, sizeof err);
		if (rc)
			expect_message(err);
		buf_free(&out);
	}
	return 0;
}
