/*
 * lwIP's operating system layer on Lemmings (lwIP's sys_arch, NO_SYS=0):
 * semaphores, mutexes, mailboxes, threads and the clock, on the Threads
 * and Timer doors.
 *
 * - A semaphore is a count and a list of waiters (wait.h) under an
 *   lm_lock. A signal adds a unit and wakes the first waiter, which takes
 *   it if no running thread took it first (else it waits again).
 * - A mutex is a semaphore that starts at 1: lwIP's core lock
 *   (LWIP_TCPIP_CORE_LOCKING) is one, held across lwIP calls that may
 *   block (a full transmit ring), so it must sleep, not spin.
 * - A mailbox is a ring of SYS_MBOX_SIZE pointers under an lm_lock and two
 *   semaphores: the items in it and the free slots.
 * - lwIP's threads (tcpip_thread) are Lemmings threads, spawned with the
 *   stack size lwIP asks for, rounded up to pages.
 * - SYS_ARCH_PROTECT is one lock for the whole program, taken again by
 *   the thread holding it (the Threads door's current handle says who).
 *
 * Locking: each object's lm_lock guards its fields; no two are held at
 * once, and none while sleeping.
 */
#include <string.h>

#include "lwip/sys.h"
#include "lwip/err.h"

#include "programs/net/wait.h"

static struct lm_lock protect_lock;
static uint64_t protect_owner;
static int protect_depth;

void sys_init(void)
{
	lm_lock_init(&protect_lock, net_threads, net_timer);
}

u32_t sys_now(void)
{
	return (u32_t)(net_now() / 1000000);
}

uint32_t lm_lwip_rand(void)
{
	static uint64_t state;
	uint32_t lo, hi;
	uint64_t x;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	x = __atomic_add_fetch(&state, ((uint64_t)hi << 32 | lo) | 1, __ATOMIC_RELAXED);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x;
}

sys_prot_t sys_arch_protect(void)
{
	threads_current_result me = threads_current(net_threads);

	if (protect_depth && __atomic_load_n(&protect_owner, __ATOMIC_RELAXED) == me) {
		protect_depth++;
		return 0;
	}
	lm_lock(&protect_lock);
	__atomic_store_n(&protect_owner, me, __ATOMIC_RELAXED);
	protect_depth = 1;
	return 0;
}

void sys_arch_unprotect(sys_prot_t pval)
{
	(void)pval;
	if (--protect_depth == 0) {
		__atomic_store_n(&protect_owner, 0, __ATOMIC_RELAXED);
		lm_unlock(&protect_lock);
	}
}

/* ---------------------------------------------------------------- semaphores */

static err_t sem_init(sys_sem_t *s, u8_t count)
{
	memset(s, 0, sizeof *s);
	lm_lock_init(&s->lock, net_threads, net_timer);
	s->count = count;
	s->valid = 1;
	return ERR_OK;
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	return sem_init(sem, count);
}

void sys_sem_free(sys_sem_t *sem)
{
	sem->valid = 0;
}

void sys_sem_signal(sys_sem_t *s)
{
	lm_lock(&s->lock);
	s->count++;
	net_wake_one(&s->waiters);
	lm_unlock(&s->lock);
}

/* Take a unit: at once if there is one, else after waiting up to
 * timeout_ms (0: for ever). The milliseconds waited, or SYS_ARCH_TIMEOUT.
 * A woken waiter takes the unit only if nobody running took it first: no
 * hand-off, so the core lock never waits for a thread to be scheduled
 * while others that run could use it (a lock convoy). */
u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout_ms)
{
	struct net_waiter w;
	uint64_t start;
	u32_t r;

	lm_lock(&s->lock);
	if (s->count) {
		s->count--;
		lm_unlock(&s->lock);
		return 0;
	}
	lm_unlock(&s->lock);
	start = net_now();
	net_waiter_init(&w, timeout_ms ? start + (uint64_t)timeout_ms * 1000000 : 0);
	lm_lock(&s->lock);
	for (;;) {
		if (s->count) {
			s->count--;
			r = (u32_t)((net_now() - start) / 1000000);
			break;
		}
		if (w.deadline && net_now() >= w.deadline) {
			r = SYS_ARCH_TIMEOUT;
			break;
		}
		net_waiter_rearm(&w);
		net_waiter_add(&s->waiters, &w);
		lm_unlock(&s->lock);
		net_waiter_sleep(&w);
		lm_lock(&s->lock);
		if (!__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE))
			net_waiter_remove(&s->waiters, &w);
	}
	lm_unlock(&s->lock);
	net_waiter_done(&w);
	return r;
}

/* A unit if one is free now, without waiting: 0, else SYS_MBOX_EMPTY. */
static u32_t sem_try(sys_sem_t *s)
{
	u32_t r = SYS_MBOX_EMPTY;

	lm_lock(&s->lock);
	if (s->count) {
		s->count--;
		r = 0;
	}
	lm_unlock(&s->lock);
	return r;
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	return sem_init(m, 1);
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = 0;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	sys_arch_sem_wait(m, 0);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	sys_sem_signal(m);
}

/* ---------------------------------------------------------------- mailboxes */

err_t sys_mbox_new(sys_mbox_t *mb, int size)
{
	if (size > SYS_MBOX_SIZE)
		return ERR_MEM;
	lm_lock_init(&mb->lock, net_threads, net_timer);
	sem_init(&mb->items, 0);
	sem_init(&mb->slots, 0);
	mb->slots.count = SYS_MBOX_SIZE;
	mb->head = mb->tail = 0;
	mb->valid = 1;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mb)
{
	mb->valid = 0;
}

static void put(sys_mbox_t *mb, void *msg)
{
	lm_lock(&mb->lock);
	mb->ring[mb->tail++ % SYS_MBOX_SIZE] = msg;
	lm_unlock(&mb->lock);
	sys_sem_signal(&mb->items);
}

static void *take(sys_mbox_t *mb)
{
	void *msg;

	lm_lock(&mb->lock);
	msg = mb->ring[mb->head++ % SYS_MBOX_SIZE];
	lm_unlock(&mb->lock);
	sys_sem_signal(&mb->slots);
	return msg;
}

void sys_mbox_post(sys_mbox_t *mb, void *msg)
{
	sys_arch_sem_wait(&mb->slots, 0);
	put(mb, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mb, void *msg)
{
	if (sem_try(&mb->slots))
		return ERR_MEM;
	put(mb, msg);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mb, void *msg)
{
	return sys_mbox_trypost(mb, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mb, void **msg, u32_t timeout_ms)
{
	u32_t waited = sys_arch_sem_wait(&mb->items, timeout_ms);
	void *m;

	if (waited == SYS_ARCH_TIMEOUT)
		return SYS_ARCH_TIMEOUT;
	m = take(mb);
	if (msg)
		*msg = m;
	return waited;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mb, void **msg)
{
	void *m;

	if (sem_try(&mb->items))
		return SYS_MBOX_EMPTY;
	m = take(mb);
	if (msg)
		*msg = m;
	return 0;
}

/* ---------------------------------------------------------------- threads */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize,
			    int prio)
{
	uint32_t pages = stacksize > 4096 ? (uint32_t)(stacksize + 4095) / 4096 : 1;
	threads_spawn_result t;

	(void)prio;
	t = threads_spawn(net_threads, (threads_entry *)(void *)fn, (uintptr_t)arg, 2, pages,
			  (threads_name)(uintptr_t)name);
	if (!threads_spawn_result_is_thread(t)) {
		printf("net: cannot start lwIP's thread %s: %s\n", name, lm_err_str((enum lm_err)t));
		return 0;
	}
	return (sys_thread_t)t;
}
