/*
 * What loading a program costs: /bin/hello from the boot archive, placed,
 * relocated and protected, then given back, many times over. Reported as
 * BENCH <platform>.program_load (the time per load) by whichever runner
 * runs it: the kernel's (test=bench.*) or the hosted one, given an archive.
 */
#include "core/platform.h"
#include "lib/test.h"
#include "services/archive.h"
#include "services/loader.h"

#define LOADS 200

TEST(bench, program_load)
{
	struct archive_entry e;
	struct elf_image img;
	char detail[160];
	uint64_t t0, ns, c0;

	if (archive_lookup(services_archive(), "/bin/hello", &e) != LM_OK) {
		test_diag("program_load: no /bin/hello in the boot archive; skipped");
		return;
	}
	t0 = plat_now_ns();
	c0 = __builtin_ia32_rdtsc();
	for (int i = 0; i < LOADS; i++) {
		ASSERT_EQ(program_load(e.data, (size_t)e.size, &img, detail, sizeof detail), LM_OK);
		plat_program_release(img.base, img.size);
	}
	ns = plat_now_ns() - t0;
	bench_report("program_load", __builtin_ia32_rdtsc() - c0, ns, LOADS);
}
