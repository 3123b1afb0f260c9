/*
 * Spinlocks for short critical sections, in the kernel and in the hosted
 * runtime alike. A lock is one word; 0 means free. Acquire spins on a plain
 * load (so that waiting harts share the cache line) and only then tries the
 * atomic exchange. In the kernel, code that can also run in an interrupt
 * handler must take the lock with interrupts disabled (see kernel/irq use).
 */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t locked;
};

#define SPINLOCK_INIT {0}

static inline void spin_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			spin_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED);
}

#endif
