/*
 * What the portable core needs from the platform it runs on: the kernel
 * (kernel/platform.c) or a Linux process (hosted/platform.c). Each routine
 * is small; the core never reaches around this list.
 */
#ifndef CORE_PLATFORM_H
#define CORE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "arch/spinlock.h"

struct hart;
struct thread;

/* Mask interrupts on this hart; returns whether they were on. Inline, as
 * the scheduler does this a few times per switch: a process has no
 * interrupts, and the kernel needs two instructions. */
#ifdef LM_HOSTED
static inline bool plat_irq_save(void)
{
	return false;
}

static inline void plat_irq_restore(bool on)
{
	(void)on;
}

static inline bool plat_irqs_on(void)
{
	return false;
}

static inline bool plat_irqs_on_noted(void)
{
	return false;
}

static inline void plat_irq_set(bool on)
{
	(void)on;
}
#else
#include "arch/cpu.h"
#include "core/hart.h"

/*
 * The kernel's also keep a note of the flag in the hart's record
 * (hart.irqs_on), for the scheduler's waits and yields, which read it
 * rather than the flag: under QEMU's emulator a read of the flag (pushf)
 * is a call to a helper that works out every arithmetic flag too. The
 * note is set only while interrupts are on: these clear it as they turn
 * them off, and set it as they turn them on. So a thread that has
 * them off through these finds it clear. Code that turns them off itself
 * (arch's irq_save, an interrupt's entry) leaves it set, and must not wait
 * or yield until they are back on: none does (an interrupt handler never
 * waits, and a fault's exit reads the flag). A note cleared while they
 * are on (a handler's save and restore, with them off already, do not
 * touch it; arch's irq_restore after one of these) is only stale: the
 * reader then reads the flag, and sets the note again
 * (plat_irqs_on_noted, below).
 */
static inline bool plat_irq_save(void)
{
	bool on = irq_save();

	if (on)
		hartlocal_store8(HART_IRQS_ON_OFFSET, 0);
	return on;
}

static inline void plat_irq_restore(bool on)
{
	if (on) {
		hartlocal_store8(HART_IRQS_ON_OFFSET, 1);
		irq_enable();
	}
}

/* Are interrupts on? (reads the flag, changes nothing) */
static inline bool plat_irqs_on(void)
{
	return read_rflags() & RFLAGS_IF;
}

/* Turn interrupts on or off. */
static inline void plat_irq_set(bool on)
{
	if (on) {
		hartlocal_store8(HART_IRQS_ON_OFFSET, 1);
		irq_enable();
	} else {
		irq_disable();
		hartlocal_store8(HART_IRQS_ON_OFFSET, 0);
	}
}

/* Are interrupts on, in thread code about to wait or yield? The note says
 * they are without a read of the flag; a note cleared may be stale (they
 * were turned on by other means), so the flag is read then, and the note
 * set again if they are on. (A fault's exit, which may come with them off
 * by the fault's entry, reads the flag: plat_irqs_on.) */
static inline __attribute__((always_inline)) bool plat_irqs_on_noted(void)
{
	if (__builtin_expect(hartlocal_load(bool, HART_IRQS_ON_OFFSET), 1))
		return true;
	if (!plat_irqs_on())
		return false;
	hartlocal_store8(HART_IRQS_ON_OFFSET, 1);
	return true;
}
#endif

/* Take a spinlock that an interrupt handler may also take: interrupts off
 * first, so a handler never spins on a lock its own hart holds. Returns
 * what plat_spin_unlock needs to put them back. */
static inline bool plat_spin_lock(struct spinlock *l)
{
	bool irq = plat_irq_save();

	spin_lock(l);
	return irq;
}

static inline void plat_spin_unlock(struct spinlock *l, bool irq)
{
	spin_unlock(l);
	plat_irq_restore(irq);
}

/*
 * Called by the scheduler after a switch away from a thread that stays
 * ready (a yield or a preemption: what keeps a hart busy without it ever
 * going idle), interrupts off, on the new thread's stack, with the count
 * of switches made on this hart. A
 * kernel learns of I/O by interrupts and needs nothing here; the hosted
 * runtime has none, so every PLAT_POLL_EVERY switches a hart whose sockets
 * wait on it asks epoll, without waiting, which are ready (hosted/net.c;
 * a hart without sockets returns at once from there),
 * so that a hart kept busy by threads that never block still serves them.
 */
#ifdef LM_HOSTED
#define PLAT_POLL_EVERY 64
/* Look at the hart's I/O without waiting (hosted/net.c: its sockets). */
void plat_poll_busy(uint32_t hart);
/* Does plat_switched call anything after this many switches? */
static inline bool plat_switched_calls(uint64_t switches)
{
	/* The common case costs a test of a count just written. */
	return __builtin_expect(switches % PLAT_POLL_EVERY == 0, 0);
}

static inline void plat_switched(uint32_t hart, uint64_t switches)
{
	if (plat_switched_calls(switches))
		plat_poll_busy(hart);
}
#else
static inline bool plat_switched_calls(uint64_t switches)
{
	(void)switches;
	return false;
}

static inline void plat_switched(uint32_t hart, uint64_t switches)
{
	(void)hart;
	(void)switches;
}
#endif

/* Stacks: `pages` mapped pages above an unmapped guard page. 0 on failure. */
uintptr_t plat_stack_alloc(unsigned pages);
void plat_stack_free(uintptr_t base, unsigned pages);

/* Make hart h look at its run queue soon (an IPI, or a futex wake). */
void plat_hart_kick(struct hart *h);

/* Set hart apart for untrusted processes (on) or give it back to the main
 * scheduler (docs/isolation.md): the kernel's untrusted_set_apart; the
 * hosted runtime has no untrusted processes (LM_ERR_UNSUPPORTED). */
enum lm_err plat_hart_set_apart(uint32_t hart, bool on);

/* Wait for an interrupt (kernel: sti; hlt). Called with interrupts off;
 * returns with them off. */
void plat_idle_wait(void);

/* Monotonic nanoseconds since boot. */
uint64_t plat_now_ns(void);
/* Ask for a timer interrupt on this hart at deadline (ns); 0 cancels. */
void plat_timer_arm(uint64_t deadline);

/*
 * Program memory, for the loader (services/loader.c): reserve size bytes
 * (a multiple of 4096) of unused address space, mapped readable, writable
 * and zeroed, at *base (LM_ERR_NOMEM, LM_ERR_NOSPACE); then give parts of it
 * their final protection (PLAT_PROT_* bits); or give it all back.
 */
enum {
	PLAT_PROT_READ = 1,
	PLAT_PROT_WRITE = 2,
	PLAT_PROT_EXEC = 4,
};
enum lm_err plat_program_reserve(uint64_t size, uint64_t *base);
enum lm_err plat_program_protect(uint64_t addr, uint64_t len, unsigned prot);
void plat_program_release(uint64_t base, uint64_t size);

/* One zeroed page for the system's own records (not a stack), or NULL. */
void *plat_page_alloc(void);
void plat_page_free(void *page);


#endif
