/*
 * The Process door (sdk/idl/process.idl, docs/isolation.md): start a
 * program of the boot archive as an untrusted process, granted up to four
 * doors' routines; wait for it; kill it; set harts apart. And the boot
 * option `untrusted`, which sets harts apart at boot. The processes
 * themselves are kernel/process.c's.
 */
#include <lemmings/process.h>

#include "core/hart.h"
#include "core/systab.h"
#include "kernel/bootopt.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/gate.h"
#include "kernel/process.h"
#include "lib/string.h"
#include "services/archive.h"
#include "services/service.h"
#include "arch/uvm.h"

BOOTOPT(untrusted, "harts set apart for untrusted processes, e.g. 3 or 2-3 (default: none)");

/* The Process door (sdk/idl/process.idl). */
static process_start_result door_start(const uint8_t *path, uint64_t quota,
				       const struct process_grants *grants)
{
	struct gate_grant given[4];
	struct process_grants g;
	struct archive_entry e;
	enum lm_err err;
	uint64_t id;

	if (!systab_readable(path, 1) || !quota || !systab_readable(grants, sizeof *grants))
		return LM_ERR_INVAL;
	g = *grants;
	if (g.count > 4)
		return LM_ERR_RANGE;
	{
		const struct process_grant *from[4] = {&g.g0, &g.g1, &g.g2, &g.g3};

		for (uint32_t i = 0; i < g.count; i++) {
			memcpy(given[i].door.bytes, &from[i]->id, sizeof given[i].door.bytes);
			given[i].routines = from[i]->routines;
		}
	}
	if ((err = archive_lookup(services_archive(), (const char *)path, &e)))
		return err;
	if (!e.data || !e.size)
		return LM_ERR_FORMAT;
	err = untrusted_start((const char *)path, e.data, e.size, quota, given, g.count, &id);
	return err ? (process_start_result)err : id;
}

static process_status door_wait(process_process id, process_exit_status *out)
{
	uint32_t status;
	enum lm_err err;

	if (!systab_writable(out, sizeof *out))
		return LM_ERR_INVAL;
	if ((err = untrusted_wait(id, &status)))
		return err;
	*out = status;
	return LM_OK;
}

static process_status door_kill(process_process id)
{
	return untrusted_kill(id);
}

static process_status door_set_apart(uint32_t hart, uint32_t on)
{
	if (on > 1)
		return LM_ERR_INVAL;
	return untrusted_set_apart(hart, on);
}

static const struct process_door process_door = {
	.header = PROCESS_DOOR_HEADER,
	.start = door_start,
	.wait = door_wait,
	.kill = door_kill,
	.set_apart = door_set_apart,
};

void untrusted_boot(void)
{
	const char *opt = bootopt_get("untrusted");
	uint64_t mask = 0;
	char err[96];

	service_register(&process_door, "process");
	gate_start();
	if (!opt)
		return;
	kprintf("untrusted: between two processes on a hart, IBPB: %s; before ring 3, VERW: %s\n",
		uvm_has_ibpb() ? "yes" : "no (the CPU has none)",
		uvm_needs_verw() ? "yes" : "no (MDS does not apply, or no MD_CLEAR)");
	if (cmdline_parse_harts(opt, hart_count, &mask, err, sizeof err) != LM_OK) {
		kprintf("untrusted=: %s; no hart set apart\n", err);
		return;
	}
	for (uint32_t i = 0; i < hart_count; i++)
		if (mask >> i & 1 && untrusted_set_apart(i, true) != LM_OK) {
			kprintf("untrusted: hart %u cannot be set apart (the last of the main "
				"scheduler, or busy)\n", i);
			mask &= ~(1ull << i);
		}
	kprintf("untrusted: harts 0x%llx set apart for untrusted processes\n",
		(unsigned long long)mask);
}
