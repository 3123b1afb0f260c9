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
 * Run ring 3 code in the space with r's registers (interrupts off, IF clear
 * in r->rflags) until it executes `syscall`; r then holds its registers
 * (arch/uvm.h, uvm_run_user). The space's lock is held meanwhile. For tests
 * and benchmarks of the entry path: the code must not fault, nor loop, as
 * nothing in a space handles an interrupt or a fault yet. LM_ERR_NOENT for
 * no such space, LM_ERR_FAULT if r->rip is not mapped executable.
 */
enum lm_err aspace_run_until_syscall(aspace_space space, struct uvm_regs *r);

/* How many spaces exist. */
unsigned aspace_count(void);

#endif
