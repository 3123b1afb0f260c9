/*
 * Program memory in the hosted runtime: a failed protect says what Linux
 * said, not "invalid argument" for everything.
 */
#include "core/platform.h"
#include "lib/test.h"

TEST(hosted_progmem, a_failed_protect_keeps_linux_reason)
{
	uint64_t base;

	ASSERT_EQ(plat_program_reserve(3 * 4096, &base), LM_OK);
	EXPECT_EQ(plat_program_protect(base, 4096, PLAT_PROT_READ | PLAT_PROT_EXEC), LM_OK);
	/* Never writable and executable at once. */
	EXPECT_EQ(plat_program_protect(base, 4096, PLAT_PROT_WRITE | PLAT_PROT_EXEC), LM_ERR_INVAL);
	/* Not page-aligned: Linux's EINVAL. */
	EXPECT_EQ(plat_program_protect(base + 1, 4096, PLAT_PROT_READ), LM_ERR_INVAL);
	plat_program_release(base, 3 * 4096);
	/* Unmapped now: Linux's ENOMEM, which is not an invalid argument. */
	EXPECT_EQ(plat_program_protect(base, 4096, PLAT_PROT_READ), LM_ERR_NOMEM);
}
