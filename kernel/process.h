/*
 * Untrusted processes: code in ring 3, in an address space of its own
 * (kernel/aspace.c), on harts set apart for untrusted work. See
 * kernel/process.c and docs/isolation.md.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "kernel/gate.h"

#define PROCESS_MAX 64
#define PROCESS_NAME_MAX 32
/* Every process's stack: PROCESS_STACK_PAGES pages mapped below this. */
#define PROCESS_STACK_TOP 0x00007fffffff0000ull
#define PROCESS_STACK_PAGES 4

/* How a process ended: its exit code (0 .. 255), or one of these plus the
 * exception's vector, or killed. */
#define PROCESS_FAULTED 0x100
#define PROCESS_KILLED 0x200

/*
 * Give hart to untrusted processes (on) or back to the main scheduler
 * (off). LM_ERR_NOENT past the last hart; LM_ERR_BUSY for the last hart of
 * the main scheduler, a dedicated hart, one with trusted threads ready or
 * running there (set apart idle harts), or one with untrusted processes on
 * it still.
 */
enum lm_err untrusted_set_apart(uint32_t hart, bool on);

/*
 * Start an untrusted process: the ELF image (size bytes, copied) in a new
 * space that may hold quota pages, a 16 KiB stack, on a set-apart hart
 * (round robin), granted the door routines in grants (kernel/gate.h). *id
 * names it for wait and kill. LM_ERR_BUSY if no hart is set apart,
 * LM_ERR_FULL at PROCESS_MAX processes, LM_ERR_INVAL for more than
 * GATE_GRANTS_MAX grants, LM_ERR_UNSUPPORTED for a grant of a door no gate
 * knows, the space's errors (LM_ERR_FORMAT ... for an image the loader
 * refuses).
 */
enum lm_err untrusted_start(const char *name, const void *image, uint64_t size, uint64_t quota,
			    const struct gate_grant *grants, uint32_t ngrants, uint64_t *id);

/* The same with code bytes at 0x400000 instead of an ELF image (tests). */
enum lm_err untrusted_start_code(const char *name, const void *code, uint32_t len,
				 const struct gate_grant *grants, uint32_t ngrants, uint64_t *id);

/*
 * A personality: another system's interface, served in the process's own
 * kernel-side thread instead of the gate (kernel/linux/ is Linux's).
 * setup places the program in the new space (id is the process's) and sets
 * its first registers; syscall answers one syscall in r and returns true
 * when the process ends, its status in *status; ended is called once on
 * the process's thread after its space is destroyed (exit, fault or kill,
 * status as untrusted_wait gives it), to free ctx. If setup fails nothing
 * else is called and the start fails with its error.
 */
struct process_personality {
	enum lm_err (*setup)(void *ctx, uint64_t id, aspace_space space, struct uvm_regs *r);
	bool (*syscall)(void *ctx, struct uvm_regs *r, uint32_t *status);
	void (*ended)(void *ctx, uint32_t status);
};

/* Start a process whose program pers->setup places, in a space that may
 * hold quota pages with the 16 KiB stack below 0x7fffffff0000; its
 * syscalls go to pers. Errors as untrusted_start's, and setup's. */
enum lm_err untrusted_start_personality(const char *name, uint64_t quota,
					const struct process_personality *pers, void *ctx,
					uint64_t *id);

/* Wait for the process to end; its status (above) in *status, and its
 * slot is free again. LM_ERR_NOENT for no such process. */
enum lm_err untrusted_wait(uint64_t id, uint32_t *status);

/* End the process (within a time slice: at its next interrupt). */
enum lm_err untrusted_kill(uint64_t id);

/* The hart the process runs on, and its thread's id (0 until it runs). */
enum lm_err untrusted_where(uint64_t id, uint32_t *hart, uint64_t *thread_id);

/* Publish the Process door (sdk/idl/process.idl) and set apart the harts
 * the boot option `untrusted` names. */
void untrusted_boot(void);

#endif
