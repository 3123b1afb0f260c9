/*
 * The virtio-net driver's locks (vnet.h). Its routines run in callers'
 * threads of any priority, and the scheduler is strictly by priority with
 * no time slices (docs/scheduling.md): a thread that spins for a lock held
 * by a thread of its own or lower priority on the same hart would spin
 * forever. So a waiter spins a little, then yields (which lets a holder of
 * its own priority run), then sleeps 20 microseconds on a timer (which lets
 * a holder of any priority run), and tries again.
 *
 * Owns: nothing but the lock words it is given (0 free, 1 held).
 * Locking: it is the lock. The critical sections it guards are short and
 * never block.
 */
#include "programs/virtio-net/vnet.h"

#define SPINS 200
#define YIELDS 4
#define SLEEP_NS 20000

static bool try_lock(uint32_t *l)
{
	return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static void nap(void)
{
	timer_create_result t = timer_create(vnet.timer);

	if (!timer_create_result_is_timer(t)) {
		threads_yield(vnet.threads);
		return;
	}
	timer_set(vnet.timer, t, timer_now(vnet.timer) + SLEEP_NS);
	timer_wait(vnet.timer, t);
	timer_destroy(vnet.timer, t);
}

void vnet_lock(uint32_t *l)
{
	for (unsigned round = 0; !try_lock(l); round++) {
		for (unsigned i = 0; i < SPINS && __atomic_load_n(l, __ATOMIC_RELAXED); i++)
			__builtin_ia32_pause();
		if (!__atomic_load_n(l, __ATOMIC_RELAXED))
			continue;
		if (round < YIELDS)
			threads_yield(vnet.threads);
		else
			nap();
	}
}

void vnet_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}
