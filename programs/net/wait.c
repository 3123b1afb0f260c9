/*
 * Waiters on Timer door timers (wait.h says how a wake is never lost).
 *
 * Owns nothing: a waiter lives on its sleeper's stack, its lists belong to
 * whoever waits on them and are guarded by their owners' locks.
 */
#include "programs/net/wait.h"

const struct threads_door *net_threads;
const struct timer_door *net_timer;

uint64_t net_now(void)
{
	return timer_now(net_timer);
}

void net_waiter_init(struct net_waiter *w, uint64_t deadline)
{
	timer_create_result t = timer_create(net_timer);

	w->next = NULL;
	w->woken = 0;
	w->deadline = deadline;
	w->timer = timer_create_result_is_timer(t) ? (timer_timer)t : 0;
	net_waiter_rearm(w);
}

void net_waiter_rearm(struct net_waiter *w)
{
	__atomic_store_n(&w->woken, 0, __ATOMIC_RELAXED);
	if (w->timer)
		timer_set(net_timer, w->timer, w->deadline);
}

bool net_waiter_sleep(struct net_waiter *w)
{
	if (w->timer) {
		timer_wait(net_timer, w->timer);
	} else {
		while (!__atomic_load_n(&w->woken, __ATOMIC_ACQUIRE) &&
		       (!w->deadline || net_now() < w->deadline))
			threads_yield(net_threads);
	}
	return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
}

void net_waiter_done(struct net_waiter *w)
{
	if (w->timer)
		timer_destroy(net_timer, w->timer);
	w->timer = 0;
}

static void wake(struct net_waiter *w)
{
	timer_timer t = w->timer;

	/* Read the timer first: once woken is seen the sleeper may go on,
	 * but it cannot give the timer back before taking the list's lock,
	 * which the waker holds. */
	__atomic_store_n(&w->woken, 1, __ATOMIC_RELEASE);
	if (t)
		timer_set(net_timer, t, 1);
}

void net_wake_all(struct net_waiter **list)
{
	struct net_waiter *w = *list, *next;

	*list = NULL;
	for (; w; w = next) {
		next = w->next;
		w->next = NULL;
		wake(w);
	}
}

bool net_wake_one(struct net_waiter **list)
{
	struct net_waiter *w = *list;

	if (!w)
		return false;
	*list = w->next;
	w->next = NULL;
	wake(w);
	return true;
}

void net_waiter_remove(struct net_waiter **list, struct net_waiter *w)
{
	for (; *list; list = &(*list)->next)
		if (*list == w) {
			*list = w->next;
			w->next = NULL;
			return;
		}
}

void net_waiter_add(struct net_waiter **list, struct net_waiter *w)
{
	while (*list)
		list = &(*list)->next;
	w->next = NULL;
	*list = w;
}
