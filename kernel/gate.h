/*
 * Gates: how an untrusted process calls the doors it was granted (see
 * kernel/gate.c and docs/isolation.md).
 */
#ifndef KERNEL_GATE_H
#define KERNEL_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/aspace.h>
#include <lemmings/door.h>

#include "arch/uvm.h"

#define GATE_GRANTS_MAX 8
#define GATE_BUFFER 4096 /* bytes of pointed-at data and buffers one call may copy */
#define GATE_SERVERS_MAX 64 /* gate threads at most: PROCESS_MAX, one call each */

/* A door, and which of its routines (bit i: routine i) may be called. */
struct gate_grant {
	struct lm_api_id door;
	uint64_t routines;
};

/* A process's side of its gate. */
struct gate {
	struct gate_grant grants[GATE_GRANTS_MAX];
	uint32_t count;
	uint64_t owner; /* the process's id: what gate_caller says during its calls */
	uint8_t buffer[GATE_BUFFER] __attribute__((aligned(16)));
};

/* Why a call was refused, for the process's report (NULL: it was not). */
struct gate_verdict {
	const char *refused;
	uint32_t ran_on; /* the hart the routine ran on, if it ran */
};

/*
 * Answer the syscall in r (rax: LM_GATE_SYS_FIND or a call, lemmings/door.h)
 * of the process whose gate and space these are: check it against the
 * grants and the interface, copy what its pointers point at in, run the
 * routine in a gate thread on a trusted hart, copy back, and put the
 * result in r->rax with the carry flag clear, or the lm_err code of a
 * refusal with it set. Blocks until then.
 */
void gate_answer(struct gate *g, aspace_space space, struct uvm_regs *r,
		 struct gate_verdict *v);

/*
 * Run fn(ctx) in a gate thread, on a trusted hart, and wait for it: for
 * kernel code on a set-apart hart that must call a trusted program's door
 * (the Linux personality's sockets, on the Net door). ctx and what it
 * points at must be kernel memory; owner is what gate_caller says
 * meanwhile. The hart it ran on.
 */
uint32_t gate_run(void (*fn)(void *ctx), void *ctx, uint64_t owner);

/* Why a grant cannot be given: the door's and routine's names where known
 * (else NULL), and the reason, all static strings. */
struct gate_refusal {
	const char *door, *routine, *why;
};

/*
 * Whether a process may be granted g: a door of the IDL files' catalog
 * (else LM_ERR_UNSUPPORTED), each routine granted one the door has (else
 * LM_ERR_NOENT) and one a gate can call (else LM_ERR_UNSUPPORTED, with the
 * generated reason: "parameter 2 (entry) is a routine"). LM_OK, or the
 * error with *why filled.
 */
enum lm_err gate_grantable(const struct gate_grant *g, struct gate_refusal *why);

/* Start the first gate thread (once, at boot); more come as calls need. */
void gate_start(void);

/* Calls the gate's thread has run, and on how many of them the hart was
 * set apart for untrusted work (never, if the placement holds). */
uint64_t gate_calls(void);
uint64_t gate_calls_on_untrusted_harts(void);
/*
 * The process whose gated call the current thread is running (its
 * struct gate's owner), or 0 in any other thread: for doors whose handles
 * a gated caller may only use if it made them (the Address space door,
 * kernel/aspace.c).
 */
uint64_t gate_caller(void);

/* Routines running in gate threads right now; gate threads that exist. */
uint64_t gate_calls_running(void);
uint32_t gate_servers(void);

#endif
