/*
 * alarm: SIGALRM for a process once its time comes (busybox httpd bounds
 * a slow client's request so).
 *
 * Owns the table of alarms set, one per process at most (LINUX_PROCS),
 * keyed by process id: an exec keeps its alarm, a fork's child has none,
 * a process's end cancels it (linux_alarm_cancel). One kernel thread, the
 * alarm clock (spawned at the first alarm, on a trusted hart; it never
 * ends), sleeps until the earliest and sends SIGALRM to each process whose
 * time has come, as Linux's timer does (si_code SI_KERNEL). A new alarm
 * earlier than the clock's sleep wakes it.
 *
 * Locking: lock (interrupts off) guards the table and the clock's thread
 * pointer.
 */
#include "arch/spinlock.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/proc.h"

#define NS 1000000000ull

static struct {
	uint64_t pid, at; /* pid 0: a free slot */
} alarms[LINUX_PROCS];
static struct spinlock lock = SPINLOCK_INIT;
static struct thread *clock_thread;
static bool clock_starting;

/* The alarm clock: send what is due, sleep until the next. */
static void alarm_clock(void *arg)
{
	for (;;) {
		uint64_t now = plat_now_ns(), next = UINT64_MAX, due[LINUX_PROCS];
		uint32_t n = 0;
		bool irq = plat_spin_lock(&lock);

		for (uint32_t i = 0; i < LINUX_PROCS; i++) {
			if (!alarms[i].pid)
				continue;
			if (alarms[i].at <= now) {
				due[n++] = alarms[i].pid;
				alarms[i].pid = 0;
			} else if (alarms[i].at < next) {
				next = alarms[i].at;
			}
		}
		plat_spin_unlock(&lock, irq);
		for (uint32_t i = 0; i < n; i++) {
			const struct process_siginfo info = {.code = LINUX_SI_KERNEL};

			untrusted_post((int64_t)due[i], &linux_personality, LINUX_SIGALRM, &info);
		}
		if (!n)
			timer_wait_until(THREAD_EV_SERVICE, next); /* UINT64_MAX: none due */
	}
}

/* Start the clock if it is not running (once; a failed spawn is retried
 * at the next alarm). */
static void start_clock(void)
{
	struct thread_opts o = {.entry = alarm_clock, .priority = PRIO_USER, .name = "linux-alarm",
				.hart = -1};
	struct thread *t = NULL;
	bool irq = plat_spin_lock(&lock), start = !clock_thread && !clock_starting;

	clock_starting |= start;
	plat_spin_unlock(&lock, irq);
	if (!start)
		return;
	if (thread_spawn(&o, &t))
		kprintf("linux: no thread for the alarm clock: alarms wait for the next try\n");
	irq = plat_spin_lock(&lock);
	clock_thread = t;
	clock_starting = false;
	plat_spin_unlock(&lock, irq);
}

void linux_alarm_cancel(uint64_t pid)
{
	bool irq = plat_spin_lock(&lock);

	for (uint32_t i = 0; i < LINUX_PROCS; i++)
		if (alarms[i].pid == pid)
			alarms[i].pid = 0;
	plat_spin_unlock(&lock, irq);
}

/* alarm(seconds): SIGALRM that many seconds from now (0: none); the
 * seconds the previous alarm had left, rounded up. */
LINUX_CALL(alarm)
{
	uint64_t now = plat_now_ns(), left = 0;
	uint32_t secs = (uint32_t)a[0], free_slot = LINUX_PROCS, i;
	struct thread *wake;
	bool irq;

	if (secs)
		start_clock();
	irq = plat_spin_lock(&lock);
	for (i = 0; i < LINUX_PROCS && alarms[i].pid != lp->pid; i++)
		if (!alarms[i].pid && free_slot == LINUX_PROCS)
			free_slot = i;
	if (i < LINUX_PROCS) {
		left = alarms[i].at > now ? (alarms[i].at - now + NS - 1) / NS : 1;
		alarms[i].pid = 0;
		free_slot = i;
	}
	/* A slot is always free: one per process. */
	if (secs && free_slot < LINUX_PROCS)
		alarms[free_slot].pid = lp->pid, alarms[free_slot].at = now + secs * NS;
	wake = clock_thread;
	plat_spin_unlock(&lock, irq);
	if (secs && wake)
		thread_signal(wake, THREAD_EV_SERVICE);
	return (long)left;
}
