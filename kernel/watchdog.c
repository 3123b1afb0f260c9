/*
 * The watchdog (see watchdog.h).
 *
 * A hart's switch count (struct hart: switches) goes up each time a thread
 * is made current there. The watchdog remembers, per hart, the count it
 * last saw and since when: a count that has not moved for after_ns while
 * the hart's queue holds threads means the thread running there has kept
 * it all that time. The watchdog runs at regular priority and so preempts
 * nobody: a thread preempted once a second could be stopped for want of
 * stack room to save it (docs/scheduling.md), which a warning must never
 * cause. It needs only one hart that is not held: woken on a held one, it
 * moves to an idle hart, or an idle hart takes it (work stealing).
 *
 * Locking: only the watchdog thread scans (tests call watchdog_scan while
 * it sleeps between looks, which the per-hart records tolerate: at worst a
 * stretch is reported by both). The harts' fields are read atomically.
 */
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/watchdog.h"
#include "lib/fmt.h"
#include "lib/string.h"

BOOTOPT(watchdog, "seconds a thread may keep its hart while others wait there before "
		  "the console says so (default 5; 0: no watchdog)");

#define DEFAULT_SECONDS 5
#define MAX_SECONDS 86400
#define LOOK_NS 1000000000ull

static struct {
	uint64_t switches;  /* the count last seen */
	uint64_t since;     /* when it was first seen (ns) */
	bool reported;      /* this stretch was reported */
} seen[HART_MAX];
static uint64_t reports, last_thread;

unsigned watchdog_scan(uint64_t now, uint64_t after_ns)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < hart_count; i++) {
		struct hart *h = &harts[i];
		uint64_t sw = __atomic_load_n(&h->switches, __ATOMIC_RELAXED);
		/* Queued there, or pushed by other harts and not yet taken in. */
		bool waiting = rq_ready(&h->rq) ||
			       __atomic_load_n(&h->rq.inbox, __ATOMIC_RELAXED);
		uint64_t id;

		if (sw != seen[i].switches || !seen[i].since) {
			seen[i].switches = sw;
			seen[i].since = now;
			seen[i].reported = false;
			continue;
		}
		if (seen[i].reported || !waiting || now - seen[i].since < after_ns ||
		    __atomic_load_n(&h->current_priority, __ATOMIC_RELAXED) == PRIO_IDLE)
			continue;
		/* The id, not *current: the thread may end at any moment. */
		id = __atomic_load_n(&h->current_id, __ATOMIC_RELAXED);
		kprintf("watchdog: thread %llu has kept hart %u for %llu s while other threads "
			"wait there (threads of one priority take turns only when one "
			"blocks or yields)\n",
			(unsigned long long)id, i,
			(unsigned long long)((now - seen[i].since) / 1000000000ull));
		seen[i].reported = true;
		__atomic_store_n(&last_thread, id, __ATOMIC_RELAXED);
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		n++;
	}
	return n;
}

uint64_t watchdog_reports(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}

uint64_t watchdog_last_thread(void)
{
	return __atomic_load_n(&last_thread, __ATOMIC_RELAXED);
}

static void watch(void *arg)
{
	uint64_t after = (uint64_t)(uintptr_t)arg * 1000000000ull;

	for (;;) {
		timer_sleep_ns(LOOK_NS);
		watchdog_scan(plat_now_ns(), after);
	}
}

void watchdog_start(void)
{
	const char *opt = bootopt_get("watchdog");
	uint64_t seconds = DEFAULT_SECONDS;
	struct thread_opts o = {.entry = watch, .priority = PRIO_REGULAR, .hart = -1,
				.name = "watchdog"};

	if (opt) {
		const char *c = opt;

		seconds = 0;
		for (; *c >= '0' && *c <= '9' && seconds <= MAX_SECONDS; c++)
			seconds = seconds * 10 + (uint64_t)(*c - '0');
		if (*c || c == opt || seconds > MAX_SECONDS) {
			char shown[64];

			fmt_escape(shown, sizeof shown, opt, strlen(opt));
			kprintf("watchdog=%s: expected seconds, 0 to %d; using %d\n", shown,
				MAX_SECONDS, DEFAULT_SECONDS);
			seconds = DEFAULT_SECONDS;
		}
	}
	if (!seconds)
		return;
	o.arg = (void *)(uintptr_t)seconds;
	if (thread_spawn(&o, NULL))
		kprintf("watchdog: cannot start its thread; no watchdog\n");
}
