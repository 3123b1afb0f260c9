/*
 * Timers: waits with a deadline and sleeps (see timer.h), kept in sleeper
 * lists, one per hart, sorted by deadline (earliest first).
 *
 * Insertion walks in from the end whose deadline is nearer the new one's:
 * O(1) when it is the latest or the earliest, and otherwise O(the sleepers
 * passed), which keeps a short sleep among many long ones (a server's idle
 * connections) from walking past them all. O(n) in the worst case.
 * Equal deadlines keep the order they came in. Expiry pops from the head.
 *
 * Locking: a list is protected by its lock, with interrupts off. The expiry
 * path signals a thread while holding the list lock (order: list lock, then
 * the thread's lock), so a sleeper that finds itself already
 * removed knows its timer bit is set.
 */
#include <stddef.h>

#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"

struct sleepers {
	struct spinlock lock;
	struct thread *head, *tail;
};

static struct sleepers lists[HART_MAX];

static void list_insert(struct sleepers *s, struct thread *t)
{
	struct thread *after; /* t goes after it; NULL: at the head */

	if (!s->head || t->deadline < s->head->deadline) {
		after = NULL;
	} else if (t->deadline >= s->tail->deadline) {
		after = s->tail;
	} else if (t->deadline - s->head->deadline < s->tail->deadline - t->deadline) {
		after = s->head; /* nearer the head's deadline: walk in from there */
		while (after->timer_next && after->timer_next->deadline <= t->deadline)
			after = after->timer_next;
	} else {
		after = s->tail;
		while (after->deadline > t->deadline)
			after = after->timer_prev;
	}
	t->timer_prev = after;
	t->timer_next = after ? after->timer_next : s->head;
	if (t->timer_next)
		t->timer_next->timer_prev = t;
	else
		s->tail = t;
	if (after)
		after->timer_next = t;
	else
		s->head = t;
}

static void list_remove(struct sleepers *s, struct thread *t)
{
	if (t->timer_prev)
		t->timer_prev->timer_next = t->timer_next;
	else
		s->head = t->timer_next;
	if (t->timer_next)
		t->timer_next->timer_prev = t->timer_prev;
	else
		s->tail = t->timer_prev;
	t->timer_next = t->timer_prev = NULL;
}

uint64_t timer_wait_until(uint64_t mask, uint64_t deadline)
{
	struct thread *cur = thread_current();
	struct sleepers *s;
	uint64_t got;
	uint32_t hart;
	bool irq;

	mask &= ~THREAD_EV_TIMER;
	if (deadline <= plat_now_ns())
		return mask ? thread_take(mask) : 0;

	irq = plat_irq_save();
	hart = this_hart()->id;
	s = &lists[hart];
	spin_lock(&s->lock);
	cur->deadline = deadline;
	cur->timer_hart = hart;
	list_insert(s, cur);
	if (s->head == cur)
		plat_timer_arm(deadline);
	spin_unlock(&s->lock);
	plat_irq_restore(irq);

	got = thread_wait(mask | THREAD_EV_TIMER);

	irq = plat_irq_save();
	s = &lists[cur->timer_hart];
	spin_lock(&s->lock);
	if (cur->deadline) {
		list_remove(s, cur);
		cur->deadline = 0;
	}
	spin_unlock(&s->lock);
	plat_irq_restore(irq);
	/* The timer bit may have been set along with a real event. */
	thread_take(THREAD_EV_TIMER);
	return got & mask;
}

void timer_sleep_until(uint64_t deadline)
{
	timer_wait_until(0, deadline);
}

void timer_sleep_ns(uint64_t ns)
{
	timer_wait_until(0, plat_now_ns() + ns);
}

void timer_arm_slice(uint64_t deadline)
{
	struct sleepers *s = &lists[this_hart()->id];

	spin_lock(&s->lock);
	plat_timer_arm(s->head && s->head->deadline < deadline ? s->head->deadline : deadline);
	spin_unlock(&s->lock);
}

void timer_expire(uint64_t now)
{
	struct sleepers *s = &lists[this_hart()->id];
	struct thread *t;

	spin_lock(&s->lock);
	while ((t = s->head) && t->deadline <= now) {
		list_remove(s, t);
		t->deadline = 0;
		thread_signal(t, THREAD_EV_TIMER);
	}
	plat_timer_arm(s->head ? s->head->deadline : 0);
	spin_unlock(&s->lock);
}
