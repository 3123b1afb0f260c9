/*
 * Events: every thread's word of event bits, wait and signal, and park and
 * unpark built on them (docs/scheduling.md says why no wake-up is lost).
 *
 * Locking: a thread's event bits, wait mask and waiting state change only
 * under its lock, so they are plain loads and stores, not locked
 * instructions (each of which costs more than the rest of a wait).
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_internal.h"
#include "core/thread.h"

/* Take the bits of mask that are set. Caller holds t->lock. */
static uint64_t take_bits(struct thread *t, uint64_t mask)
{
	uint64_t got = t->events & mask;

	if (got)
		t->events &= ~got;
	return got;
}

uint64_t thread_take(uint64_t mask)
{
	struct thread *cur = thread_current();
	bool irq = plat_irq_save();
	uint64_t got;

	spin_lock(&cur->lock);
	got = take_bits(cur, mask);
	spin_unlock(&cur->lock);
	plat_irq_restore(irq);
	return got;
}

uint64_t thread_wait(uint64_t mask)
{
	struct thread *cur = thread_current();
	uint64_t got;
	bool irq;

	if (!mask)
		return 0;
	irq = plat_irq_save();
	for (;;) {
		spin_lock(&cur->lock);
		/* Under our lock, which every signaller takes too: a signal
		 * either came before (its bits are there) or comes after we
		 * are switched out and sees the mask. */
		cur->wait_mask = mask;
		got = take_bits(cur, mask);
		if (got) {
			cur->wait_mask = 0;
			spin_unlock(&cur->lock);
			break;
		}
		cur->state = THREAD_WAITING;
		cur->flags |= THREAD_LOCK_HELD;
		sched_reschedule(cur);
	}
	plat_irq_restore(irq);
	return got;
}

/*
 * Set bits; make t ready if it waits for one of them. Returns whether it
 * was woken, and if so fills *w. Never switches threads.
 *
 * Everything happens under t's lock, which t's own wait holds while it
 * looks at its bits: so t cannot see the bits, return from its wait and
 * end while this still touches it. After the unlock t is touched only if
 * it was waiting (it stays asleep until sched_make_ready queues it). The
 * caller must know t is alive when it calls: t waits for this signal, or
 * will tell the caller when it ends (notify).
 */
bool sched_signal_bits(struct thread *t, uint64_t bits, struct woken *w)
{
	bool irq = plat_irq_save(), wake = false;

	spin_lock(&t->lock);
	t->events |= bits;
	if (t->state == THREAD_WAITING && (t->events & t->wait_mask)) {
		t->wait_mask = 0;
		wake = true;
	}
	spin_unlock(&t->lock);
	if (wake)
		sched_ready(t, false, w);
	plat_irq_restore(irq);
	return wake;
}

/* A thread just made ready (queued on hart w->hart with w->priority): if
 * it is more urgent than us, on this hart, and we are a thread (not an
 * interrupt handler), let it run now. */
void sched_yield_to(const struct woken *w)
{
	/* Our own priority, whichever hart we are on: most wake-ups stop here,
	 * with no need to mask interrupts. */
	struct thread *cur = this_thread();
	struct hart *h;
	bool irq;

	if (w->priority >= cur->priority)
		return;
	irq = plat_irq_save(); /* the hart we look at stays ours */
	h = this_hart();
	if (w->hart == h->id && !h->in_irq) {
		cur->state = THREAD_READY;
		cur->flags |= THREAD_REQUEUE_HEAD;
		sched_reschedule(cur);
	}
	plat_irq_restore(irq);
}

void thread_signal(struct thread *t, uint64_t bits)
{
	struct woken w;

	if (sched_signal_bits(t, bits, &w))
		sched_yield_to(&w);
}

void thread_park(void)
{
	thread_wait(THREAD_EV_PARK);
}

void thread_unpark(struct thread *t)
{
	thread_signal(t, THREAD_EV_PARK);
}

