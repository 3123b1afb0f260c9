/*
 * Thread handles: names for threads that can be checked before they are
 * used, for doors whose callers may be wrong, or lying.
 *
 * Kernel code names a thread by its struct thread pointer, which it must
 * know to be alive. A program names one by a handle, a 64-bit value that
 * the Threads door checks before it touches anything:
 *
 *   bits 0-31   the index of a slot in the handle table
 *   bits 32-63  the slot's generation when the handle was made (odd)
 *
 * A slot holds one thread at a time; its generation is odd while it does
 * and even while it is free, and goes up by one at each change, so a handle
 * names its thread until the thread ends, and nothing after. A handle is at
 * least 2^32 (its generation is odd), above the IDL's `thread` floor of
 * 0x1000 and the error codes that share a sum with it. A slot must be
 * reused 2^31 times before a handle of its first thread could name
 * another: a stale handle kept that long is the only way to be wrong.
 *
 * A thread gets a handle only when one is asked for (a spawn through the
 * door, or the thread asking for its own), so threads that the kernel
 * spawns for itself pay nothing; it gives the handle back as it ends
 * (thread_exit), before its page can be freed.
 *
 * Lifetime: handle_lock finds a handle's thread and holds the slot's lock;
 * the thread's handle_detach takes the same lock. So a thread found this
 * way cannot finish ending, and its page cannot be freed, until
 * handle_unlock; whoever holds the lock may signal it, and must not switch.
 *
 * The table only grows, a page of slots at a time (HANDLE_MAX in all), and
 * never moves: a slot's address, once published, stays valid, so a lookup
 * reads it without a table lock.
 */
#ifndef CORE_HANDLE_H
#define CORE_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

struct thread;
struct handle_slot;

/* Handles that may name a thread at once (each costs 16 bytes of table). */
#define HANDLE_MAX (1u << 22)

/* Give t a handle, stored in t->handle: t is a thread being spawned, not
 * yet running, or the calling thread itself. LM_ERR_NOMEM, LM_ERR_FULL. */
enum lm_err handle_attach(struct thread *t);
/* Take t's handle back: t is the calling thread, ending, or a thread whose
 * spawn failed before it ran. From here on the handle names nothing. Waits
 * for whoever holds t's slot. */
void handle_detach(struct thread *t);

/* A locked slot: its thread stays alive until handle_unlock. */
struct handle_ref {
	struct handle_slot *slot;
	struct thread *thread;
	bool irq;
};

/* Find the thread a handle names and lock its slot, with interrupts off.
 * LM_ERR_INVAL: the value was never a handle; LM_ERR_NOENT: its thread has
 * ended (or the value names a slot that never held it). On an error
 * nothing is held. */
enum lm_err handle_lock(uint64_t handle, struct handle_ref *ref);
void handle_unlock(struct handle_ref *ref);

/* Slots made so far (for tests and reports). */
uint32_t handle_slots(void);

#endif
