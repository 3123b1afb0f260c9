/*
 * Address spaces: the Address space door (sdk/idl/aspace.idl) and what the
 * rest of the kernel asks of a space. See kernel/aspace.c.
 */
#ifndef KERNEL_ASPACE_H
#define KERNEL_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/aspace.h>

#include "arch/uvm.h"

/* The most spaces that exist at once. */
#define ASPACE_MAX 256

const struct aspace_door *aspace_door_kernel(void);
void aspace_door_publish(void);

/*
 * Read the eight bytes at va as the MMU sees them with the space's tables
 * loaded on this hart (uvm_probe_read), with its PCID; the TLB is trusted
 * only as far as this hart last loaded the same space at the same
 * generation. LM_ERR_NOENT for no such space, LM_ERR_FAULT if va is not
 * mapped in it or not 8-byte aligned (nothing is loaded then).
 */
enum lm_err aspace_probe_read(aspace_space space, uintptr_t va, uint64_t *value);

/* Write len bytes from src into the space at va, through the direct map;
 * LM_ERR_FAULT (nothing written) unless every byte is mapped writable. */
enum lm_err aspace_write(aspace_space space, uintptr_t va, const void *src, uint64_t len);

/*
 * Run ring 3 code in the space with r's registers until it executes
 * `syscall` or raises an exception (r->trap: UVM_TRAP_SYSCALL or the
 * vector; r->error, and the fault address in *cr2 for a page fault);
 * interrupts that come meanwhile are delivered and the code goes on, so the
 * timer may switch threads in between; after each ASPACE_SLICE_NS of it
 * the thread yields. The space's lock is held while the
 * code runs (another hart's call on the same space waits at most until the
 * next interrupt). LM_ERR_NOENT for no such space (or if it was destroyed
 * in between).
 *
 * fpu_area, if not NULL, holds the code's vector registers (arch/fpu.h,
 * fpu_area_size bytes, 64-byte aligned): loaded before each entry to ring
 * 3 and saved after each return, so that they are never left in the
 * registers for the next thread (threads that switch voluntarily do not
 * save them: the calling convention does not keep them). Start it with
 * aspace_fpu_init.
 */
enum lm_err aspace_run(aspace_space space, struct uvm_regs *r, void *fpu_area);

/*
 * aspace_run, but after each interrupt it delivered, it also comes back if
 * stop(ctx) is true (stop may be NULL): r->trap is then ASPACE_TRAP_STOPPED
 * and r holds the code's registers where the interrupt came (for a Linux
 * signal to a thread that makes no calls). stop runs with interrupts on,
 * on the thread's kernel side; it must not block.
 */
#define ASPACE_TRAP_STOPPED (UVM_TRAP_SYSCALL + 1)
enum lm_err aspace_run_until(aspace_space space, struct uvm_regs *r, void *fpu_area,
			     bool (*stop)(const void *ctx), const void *ctx);

/* How long ring 3 code runs before its thread yields to the others of its
 * priority (threads are not time-sliced otherwise: docs/scheduling.md). */
#define ASPACE_SLICE_NS 10000000ull

/* Read len bytes of the space at va into dst, through the direct map;
 * LM_ERR_FAULT (nothing read) unless every byte is mapped (and writable too,
 * if need_write: for what the caller will write back). */
enum lm_err aspace_read(aspace_space space, uintptr_t va, void *dst, uint64_t len, bool need_write);

/* Whether every byte of [va, va + len) is mapped (and writable, if
 * need_write): LM_OK, LM_ERR_FAULT, or LM_ERR_NOENT for no such space. */
enum lm_err aspace_check(aspace_space space, uintptr_t va, uint64_t len, bool need_write);

/* How many times a hart went from one space's code to another's (each an
 * IBPB where the CPU has one). */
uint64_t aspace_switches(void);

/* Make area the vector state of a fresh start: every register zero, x87
 * and MXCSR at their defaults. */
void aspace_fpu_init(void *area);

/*
 * A new space holding a copy of every page mapped in from, at the same
 * addresses with the same protection (fork: the copy is eager, page by
 * page, under from's lock), within quota pages (tables included).
 * LM_ERR_NOENT for no such space, LM_ERR_NOMEM (nothing kept) if the quota
 * or memory runs out, LM_ERR_FULL at ASPACE_MAX spaces.
 */
enum lm_err aspace_copy(aspace_space from, uint64_t quota, aspace_space *out);

/* How many spaces exist. */
unsigned aspace_count(void);

/* Destroy every space the untrusted process owner made through its gate
 * (kernel/process.c, when it ends). Not from a gate thread. */
void aspace_destroy_owned(uint64_t owner);

#endif
