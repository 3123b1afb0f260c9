/*
 * Harts as POSIX threads (see hosted.h).
 *
 * The idle loop of the core (sched_run_idle) calls plat_idle_wait, which
 * here waits on the hart's futex word; plat_hart_kick bumps the word and
 * wakes it. The waiter reads the word before it looks at its run queue, so
 * a kick between the look and the wait makes the wait return at once.
 *
 * Timers: an idle hart's futex wait times out at its earliest sleeper's
 * deadline. A hart busy running threads looks at its timers only when it
 * next goes idle (there are no interrupts in a process); docs/hosted.md.
 *
 * Stacks: the idle thread, and so plat_idle_wait, runs on the pthread's
 * own stack and calls Linux directly; plat_hart_kick may be called by any
 * Lemmings thread, so its futex wake runs on the hart stack
 * (hosted/hart_stack.c). Each hart's pthread sets up its hart stack before
 * it runs a Lemmings thread.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/hart.h"
#include "core/platform.h"
#include "core/systab.h"
#include "core/thread.h"
#include "core/timer.h"
#include "hosted/hosted.h"
#include "hosted/net.h"

#define IDLE_SPIN_NS 50000 /* 50 us */

/* Where an idle hart sleeps, for its kicker to know how to wake it. */
enum { AWAKE, IN_FUTEX, IN_EPOLL };

struct hosted_hart {
	uint32_t kick;        /* futex word */
	uint32_t sleeping;    /* AWAKE, or where it sleeps (or is about to) */
	uint64_t deadline;    /* armed timer, ns; 0 = none */
	struct thread idle;   /* runs on the pthread's own stack */
	pthread_t pthread;
};

static struct hosted_hart hh[HART_MAX];
static void (*main_entry)(void *);
static void *main_arg;
static uint32_t main_done;
static uint32_t harts_ready; /* harts set up, for hosted_run to wait on */

static void set_gs(struct hart *h)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)h)) {
		perror("lemmings-hosted: arch_prctl(ARCH_SET_GS)");
		exit(1);
	}
}

static void pin(unsigned cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(cpu % (unsigned)(n > 0 ? n : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void futex_wait(uint32_t *word, uint32_t seen, uint64_t deadline)
{
	struct timespec ts, *tsp = NULL;

	if (deadline) {
		uint64_t now = plat_now_ns(), left = deadline > now ? deadline - now : 0;
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		tsp = &ts;
	}
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, tsp, NULL, 0);
}

/* Wake the threads whose sockets are ready here, as an interrupt handler
 * would: without switching to them (hosted/net.c). */
static void net_wait(struct hart *h, uint64_t deadline)
{
	bool was = hart_irq_enter(h);

	hosted_net_wait(deadline);
	hart_irq_leave(h, was);
}

void plat_idle_wait(void)
{
	struct hart *h = this_hart();
	struct hosted_hart *me = &hh[h->id];
	uint32_t seen = __atomic_load_n(&me->kick, __ATOMIC_ACQUIRE);
	uint64_t deadline = me->deadline;
	bool net = hosted_net_active(h->id);

	if (deadline && deadline <= plat_now_ns()) {
		/* Like an interrupt handler: wake sleepers without switching. */
		bool was = hart_irq_enter(h);

		timer_expire(plat_now_ns());
		hart_irq_leave(h, was);
		return;
	}
	if (sched_hart_has_work())
		return;
	/* Spin a little before sleeping: waking a hart asleep in the kernel
	 * costs a futex wake and, if its CPU went idle, the tens of
	 * microseconds the machine takes to wake a CPU. Work that comes
	 * within IDLE_SPIN_NS (a kick, or a thread to take, or a socket
	 * ready here) is picked up at once; after that the hart sleeps, so
	 * an idle system still does not burn its CPUs. */
	for (uint64_t end = plat_now_ns() + IDLE_SPIN_NS; plat_now_ns() < end;) {
		if (__atomic_load_n(&me->kick, __ATOMIC_ACQUIRE) != seen || sched_hart_has_work())
			return;
		if (net) {
			net_wait(h, 1); /* a deadline past: no wait */
			continue;
		}
		for (int i = 0; i < 64; i++)
			__builtin_ia32_pause();
	}
	/* The spin's last look at the sockets may have woken threads (it can
	 * outlast the spin): run them, rather than sleep beside them. */
	if (sched_hart_has_work())
		return;
	/* A kicker bumps the word, then looks at sleeping; we set sleeping,
	 * then the kernel compares the word with seen (the futex), or we do
	 * (epoll): one of us sees the other, so a kick never goes unanswered
	 * for lack of a wake. */
	if (net) {
		__atomic_store_n(&me->sleeping, IN_EPOLL, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&me->kick, __ATOMIC_SEQ_CST) == seen)
			net_wait(h, deadline);
	} else {
		__atomic_store_n(&me->sleeping, IN_FUTEX, __ATOMIC_SEQ_CST);
		futex_wait(&me->kick, seen, deadline);
	}
	__atomic_store_n(&me->sleeping, AWAKE, __ATOMIC_RELAXED);
}

static void futex_wake_on_hart(void *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void plat_hart_kick(struct hart *h)
{
	struct hosted_hart *target = &hh[h->id];

	__atomic_fetch_add(&target->kick, 1, __ATOMIC_SEQ_CST);
	/* A hart that is running or spinning sees the word change by itself;
	 * only one asleep needs the system call. */
	switch (__atomic_load_n(&target->sleeping, __ATOMIC_SEQ_CST)) {
	case IN_FUTEX:
		hosted_on_hart_stack(futex_wake_on_hart, &target->kick);
		break;
	case IN_EPOLL:
		hosted_net_kick(h->id); /* one system call, no libc */
		break;
	}
}

/* A Linux process has no ring 3 of its own to give untrusted programs. */
enum lm_err plat_hart_set_apart(uint32_t hart, bool on)
{
	(void)hart;
	(void)on;
	return LM_ERR_UNSUPPORTED;
}

void plat_timer_arm(uint64_t deadline)
{
	hh[this_hart()->id].deadline = deadline;
}

static void hart_setup(uint32_t id)
{
	struct hart *h = &harts[id];

	h->self = h;
	h->id = id;
	h->apic_id = id; /* the CPU it is pinned to (modulo the CPU count) */
	systab_install(h);
	hosted_hart_stack_init();
	hosted_fault_init_hart();
	hosted_net_init_hart(id);
	set_gs(h);
	pin(id);
	hh[id].idle.flags = THREAD_STATIC;
	snprintf(hh[id].idle.name, sizeof hh[id].idle.name, "idle%u", id);
	sched_init_hart(id, &hh[id].idle, &hh[id].idle);
	__atomic_fetch_add(&harts_ready, 1, __ATOMIC_RELEASE);
}

static void *hart_main(void *arg)
{
	hart_setup((uint32_t)(uintptr_t)arg);
	sched_run_idle();
}

static void main_thread(void *arg)
{
	main_entry(main_arg);
	__atomic_store_n(&main_done, 1, __ATOMIC_RELEASE);
	plat_hart_kick(&harts[0]);
}

void hosted_run(unsigned n, void (*fn)(void *), void *arg)
{
	struct thread_opts o = {.entry = main_thread, .priority = PRIO_REGULAR,
				.stack_pages = 16, .name = "main", .hart = 0};

	if (n < 1 || n > HART_MAX) {
		fprintf(stderr, "lemmings-hosted: %u harts: must be 1 to %d\n", n, HART_MAX);
		exit(2);
	}
	hart_count = n;
	sched_harts = n == 64 ? ~0ull : (1ull << n) - 1;
	main_entry = fn;
	main_arg = arg;
	hart_setup(0);
	for (unsigned i = 1; i < n; i++)
		pthread_create(&hh[i].pthread, NULL, hart_main, (void *)(uintptr_t)i);
	/* Every hart set up before any thread may be sent to one. */
	while (__atomic_load_n(&harts_ready, __ATOMIC_ACQUIRE) < n)
		sched_yield();
	if (thread_spawn(&o, NULL) != LM_OK) {
		fprintf(stderr, "lemmings-hosted: cannot start the main thread\n");
		exit(1);
	}
	/* Hart 0's idle loop, until the main thread is done. */
	while (!__atomic_load_n(&main_done, __ATOMIC_ACQUIRE))
		sched_idle_step();
}
