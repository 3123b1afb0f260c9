/*
 * In-kernel tests of untrusted processes (kernel/process.c): harts set
 * apart, what may run there, each misbehaving program stopped with its
 * cause while trusted threads go on, and no trusted thread seen on the
 * set-apart hart meanwhile. Two harts at least (tests/smp.t); on one, only
 * the refusal to set apart the last hart is checked.
 */
#include <lemmings/aspace.h>
#include <lemmings/harts.h>
#include <lemmings/kvstore.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "arch/trap.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/gate.h"
#include "kernel/pmm.h"
#include "kernel/process.h"
#include "lib/test.h"
#include "services/archive.h"

static void nothing(void *arg)
{
}

TEST(process, set_apart_rules)
{
	uint32_t h = hart_count - 1;
	struct thread_opts trusted = {.entry = nothing, .priority = PRIO_REGULAR, .hart = (int)h};
	struct thread_opts untrusted = {.entry = nothing, .priority = PRIO_REGULAR, .hart = 0,
					.untrusted = true};
	uint64_t id;

	EXPECT_EQ(untrusted_set_apart(hart_count, true), LM_ERR_NOENT);
	if (hart_count == 1) {
		EXPECT_EQ(untrusted_set_apart(0, true), LM_ERR_BUSY); /* the last hart */
		EXPECT_EQ(untrusted_start_code("x", "\x0f\x05", 2, NULL, 0, &id), LM_ERR_BUSY);
		return;
	}
	ASSERT_EQ(untrusted_set_apart(h, true), LM_OK);
	EXPECT(untrusted_harts >> h & 1);
	EXPECT(!(sched_harts >> h & 1));
	EXPECT_EQ(thread_spawn(&trusted, NULL), LM_ERR_BUSY);   /* trusted: never there */
	EXPECT_EQ(thread_spawn(&untrusted, NULL), LM_ERR_INVAL); /* untrusted: only there */
	untrusted.hart = -1;
	EXPECT_EQ(thread_spawn(&untrusted, NULL), LM_ERR_INVAL);
	EXPECT_EQ(untrusted_set_apart(h, false), LM_OK);
	EXPECT(!(untrusted_harts >> h & 1));
	EXPECT(sched_harts >> h & 1);
	EXPECT_EQ(untrusted_start_code("x", "\x0f\x05", 2, NULL, 0, &id), LM_ERR_BUSY); /* none apart */
}

/* The Harts door's set_apart is the Process door's: the same rules, the
 * same state, and describe says so (state 3). */
TEST(process, harts_door_sets_apart_as_the_process_door_does)
{
	const struct harts_door *d = harts_door_find();
	struct thread_opts trusted = {.entry = nothing, .priority = PRIO_REGULAR};
	struct harts_info info;
	uint32_t h = hart_count - 1;

	ASSERT(d != NULL);
	EXPECT_EQ(harts_set_apart(d, hart_count, 1), LM_ERR_NOENT);
	EXPECT_EQ(harts_set_apart(d, 0, 2), LM_ERR_INVAL);
	if (hart_count == 1) {
		EXPECT_EQ(harts_set_apart(d, 0, 1), LM_ERR_BUSY); /* the last hart */
		return;
	}
	ASSERT_EQ(harts_set_apart(d, h, 1), LM_OK);
	EXPECT(untrusted_harts >> h & 1);
	EXPECT(!(sched_harts >> h & 1));
	ASSERT_EQ(harts_describe(d, h, &info), LM_OK);
	EXPECT_EQ(info.state, 3);
	trusted.hart = (int)h;
	EXPECT_EQ(thread_spawn(&trusted, NULL), LM_ERR_BUSY); /* trusted: never there */
	EXPECT_EQ(harts_set_apart(d, h, 1), LM_OK);           /* already: nothing to do */
	ASSERT_EQ(harts_set_apart(d, h, 0), LM_OK);
	EXPECT(!(untrusted_harts >> h & 1));
	ASSERT_EQ(harts_describe(d, h, &info), LM_OK);
	EXPECT_EQ(info.state, 0);
}

/* A trusted thread that counts while the untrusted ones misbehave. */
static volatile uint64_t trusted_count;
static volatile bool trusted_stop;

static void counter(void *arg)
{
	while (!trusted_stop) {
		trusted_count++;
		timer_sleep_ns(1000000);
	}
}

struct case_ {
	const char *name;
	const char *code;
	uint32_t len, status;
};

TEST(process, misbehaving_programs_are_stopped_and_trusted_ones_go_on)
{
	static const struct case_ cases[] = {
		{"good", "\xbf\x07\x00\x00\x00\x31\xc0\x0f\x05", 9, 7}, /* exit(7) */
		{"read-kernel", "\x48\xb8\x00\x00\x00\x80\xff\xff\xff\xff\x48\x8b\x00", 13,
		 PROCESS_FAULTED + VEC_PAGE_FAULT},
		{"write-code", "\x48\x89\x05\xf9\xff\xff\xff", 7, PROCESS_FAULTED + VEC_PAGE_FAULT},
		{"exec-stack", "\x48\x89\xe0\x48\x83\xe8\x10\xff\xe0", 9,
		 PROCESS_FAULTED + VEC_PAGE_FAULT},
		{"ud2", "\x0f\x0b", 2, PROCESS_FAULTED + VEC_INVALID_OPCODE},
		{"divide", "\x31\xc9\xf7\xf1", 4, PROCESS_FAULTED + VEC_DIVIDE},
		{"hlt", "\xf4", 1, PROCESS_FAULTED + VEC_GP},
		/* a door not granted: refused, then exit(the error) */
		{"ungranted", "\xb8\x05\x00\x00\x00\x0f\x05\x48\x89\xc7\x31\xc0\x0f\x05", 14,
		 LM_ERR_NOENT},
	};
	enum { N = sizeof cases / sizeof cases[0] };
	static const char loop[] = "\xeb\xfe";
	uint32_t h = hart_count - 1, status, where;
	uint64_t ids[N], loop_id, tid, seen[64] = {0}, mine[N + 1] = {0}, start, before;
	unsigned nseen = 0, live = aspace_count();
	struct thread_opts c = {.entry = counter, .priority = PRIO_REGULAR, .hart = -1,
				.notify = thread_current(), .notify_bits = 1};

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(untrusted_set_apart(h, true), LM_OK);
	trusted_count = 0;
	trusted_stop = false;
	ASSERT_EQ(thread_spawn(&c, NULL), LM_OK);
	ASSERT_EQ(untrusted_start_code("loop", loop, 2, NULL, 0, &loop_id), LM_OK);
	for (unsigned i = 0; i < N; i++)
		ASSERT_EQ(untrusted_start_code(cases[i].name, cases[i].code, cases[i].len, NULL, 0,
					       &ids[i]),
			  LM_OK);
	/* Watch the set-apart hart for a while: whatever runs there is one of
	 * these processes' threads, or its idle thread. At least 200 ms, and
	 * on until the trusted thread has gone on and the loop has run (a
	 * loaded host may hold back QEMU's harts for longer), within the
	 * liveness bound. */
	start = plat_now_ns();
	before = trusted_count;
	while (plat_now_ns() - start < 200000000ull ||
	       ((trusted_count == before ||
		 untrusted_where(loop_id, &where, &tid) != LM_OK || !tid) &&
		plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)) {
		uint64_t cur = __atomic_load_n(&harts[h].current_id, __ATOMIC_RELAXED);
		bool known = false;

		for (unsigned k = 0; k < nseen; k++)
			known |= seen[k] == cur;
		if (!known && nseen < 64)
			seen[nseen++] = cur;
		thread_yield();
	}
	EXPECT(trusted_count > before); /* the trusted thread went on */
	ASSERT_EQ(untrusted_where(loop_id, &where, &mine[N]), LM_OK);
	EXPECT_EQ(where, h);
	EXPECT(mine[N] != 0); /* the loop runs */
	for (unsigned i = 0; i < N; i++) {
		ASSERT_EQ(untrusted_where(ids[i], &where, &tid), LM_OK);
		mine[i] = tid;
		ASSERT_EQ(untrusted_wait(ids[i], &status), LM_OK);
		if (status != cases[i].status) {
			test_diag("%s: status 0x%x, expected 0x%x", cases[i].name, status,
				  cases[i].status);
			test_failed = true;
		}
	}
	ASSERT_EQ(untrusted_kill(loop_id), LM_OK);
	ASSERT_EQ(untrusted_wait(loop_id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	EXPECT_EQ(untrusted_wait(loop_id, &status), LM_ERR_NOENT);
	for (unsigned k = 0; k < nseen; k++) {
		bool untrusted = seen[k] == 0; /* 0: the idle thread */

		for (unsigned i = 0; i <= N; i++)
			untrusted |= seen[k] == mine[i];
		if (!untrusted) {
			test_diag("thread %llu ran on set-apart hart %u",
				  (unsigned long long)seen[k], h);
			test_failed = true;
		}
	}
	test_diag("threads seen on hart %u: %u, all untrusted or idle", h, nseen);
	trusted_stop = true;
	thread_wait(1);
	EXPECT_EQ(aspace_count(), live);
	EXPECT_EQ(untrusted_set_apart(h, false), LM_OK);
}

/* A trusted program's image, started untrusted: its start code reaches for
 * the system table through GS, which ring 3 does not have: a page fault in
 * page zero, reported, and the process ends. */
TEST(process, trusted_program_started_untrusted_faults_cleanly)
{
	struct archive_entry e;
	uint32_t status;
	uint64_t id;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/hello", &e), LM_OK);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	ASSERT_EQ(untrusted_start("hello", e.data, e.size, 256, NULL, 0, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_FAULTED + VEC_PAGE_FAULT);
	EXPECT_EQ(untrusted_start("junk", "\x7f" "ELF", 4, 256, NULL, 0, &id), LM_ERR_FORMAT);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* What may be granted comes from the IDL files' generated descriptions
 * (<lemmings/catalog.h>), not a list of doors: any door's routines a gate
 * can check (the Address space door's, kvstore's, a program's), refused
 * with the generated reason otherwise. */
TEST(process, grants_come_from_the_idl_catalog)
{
	const struct lm_api_id unknown = {{0x5e, 0xed}};
	struct gate_refusal why;

	EXPECT_EQ(gate_grantable(&(struct gate_grant){harts_api_id, 3}, &why), LM_OK);
	EXPECT(why.why == NULL);
	EXPECT_EQ(gate_grantable(&(struct gate_grant){aspace_api_id, 1}, &why), LM_OK); /* create */
	EXPECT_EQ(gate_grantable(&(struct gate_grant){kvstore_api_id, 7}, &why), LM_OK);
	EXPECT_EQ(gate_grantable(&(struct gate_grant){harts_api_id, 1u << 4 | 1}, &why),
		  LM_ERR_UNSUPPORTED);
	EXPECT_STREQ(why.door, "harts");
	EXPECT_STREQ(why.routine, "dedicate");
	EXPECT_STREQ(why.why, "parameter 2 (entry) is a routine");
	EXPECT_EQ(gate_grantable(&(struct gate_grant){harts_api_id, 1u << 6}, &why), LM_ERR_NOENT);
	EXPECT_STREQ(why.door, "harts");
	EXPECT_EQ(gate_grantable(&(struct gate_grant){unknown, 1}, &why), LM_ERR_UNSUPPORTED);
	EXPECT(why.door == NULL);
	EXPECT_STREQ(why.why, "no IDL file describes this door");
	EXPECT_EQ(gate_grantable(&(struct gate_grant){threads_api_id, 1u << 2}, &why),
		  LM_ERR_UNSUPPORTED); /* yield: would act on the gate's thread */
	EXPECT_STREQ(why.door, "threads");
}

/* A gated call: checked, copied, run by the gate's thread on a trusted
 * hart (never a set-apart one), copied back; refusals for a range, a
 * kernel pointer, its own read-only code and a routine not granted. The
 * program's checks are its exit status (programs/untrusted/u-gate.c). */
TEST(process, gated_calls_are_checked_and_run_on_a_trusted_hart)
{
	const struct gate_grant grants[] = {{harts_api_id, 1u << 0 | 1u << 1}}; /* count, describe */
	const struct gate_grant bad[] = {{harts_api_id, 1u << 4}}; /* dedicate */
	uint64_t calls = gate_calls(), id;
	struct archive_entry e;
	uint32_t status;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-gate", &e), LM_OK);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	EXPECT_EQ(untrusted_start("u-gate", e.data, e.size, 64, bad, 1, &id), LM_ERR_UNSUPPORTED);
	ASSERT_EQ(untrusted_start("u-gate", e.data, e.size, 64, grants, 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0);
	EXPECT(gate_calls() >= calls + 3); /* count, describe, describe */
	EXPECT_EQ(gate_calls_on_untrusted_harts(), 0);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* One process blocked in a long gated call (u-sleep: timer:wait, ten
 * seconds) holds one gate thread, and another's gated calls (u-gate's)
 * all complete meanwhile: each call has a gate thread of its own. With
 * one gate thread for all, u-gate would end only after u-sleep's wait. */
TEST(process, a_blocking_gated_call_delays_no_other_process)
{
	const struct gate_grant sleeper[] = {{timer_api_id, 0x1f}}; /* now .. destroy */
	const struct gate_grant caller[] = {{harts_api_id, 1u << 0 | 1u << 1}}; /* count, describe */
	uint64_t calls = gate_calls(), by, sid, cid;
	struct archive_entry s, c;
	uint32_t status;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-sleep", &s), LM_OK);
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-gate", &c), LM_OK);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	ASSERT_EQ(gate_calls_running(), 0);
	ASSERT_EQ(untrusted_start("u-sleep", s.data, s.size, 64, sleeper, 1, &sid), LM_OK);
	/* The sign that it waits: its three calls before (now, create, set)
	 * done and a fourth running. */
	by = plat_now_ns() + SCHED_TEST_LIVENESS_NS;
	while (!(gate_calls() >= calls + 3 && gate_calls_running() == 1) && plat_now_ns() < by)
		timer_sleep_ns(1000000);
	ASSERT(gate_calls() >= calls + 3 && gate_calls_running() == 1);
	ASSERT_EQ(untrusted_start("u-gate", c.data, c.size, 64, caller, 1, &cid), LM_OK);
	ASSERT_EQ(untrusted_wait(cid, &status), LM_OK);
	EXPECT_EQ(status, 0); /* every gated call it made came back */
	EXPECT_EQ(gate_calls_running(), 1); /* and u-sleep's wait still runs */
	EXPECT(gate_servers() >= 2);
	test_diag("gate threads: %u", gate_servers());
	ASSERT_EQ(untrusted_wait(sid, &status), LM_OK);
	EXPECT_EQ(status, 0);
	EXPECT_EQ(gate_calls_on_untrusted_harts(), 0);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* Handles of the Address space door, to a gated caller, are only those
 * it made: u-aspace finds none of the others (the test's space, its own
 * process's), though it tries every slot and generation they are in; the
 * test still names its space; the space u-aspace leaves is destroyed
 * when it ends. Without the owner check u-aspace ends with status 5. */
static aspace_space passed_over[ASPACE_MAX];

TEST(process, gated_callers_name_only_spaces_they_made)
{
	const struct aspace_door *d = aspace_door_kernel();
	const struct gate_grant grants[] = {{aspace_api_id, 0xf | 1u << 6}}; /* create .. protect, query */
	aspace_create_result t;
	struct aspace_info info;
	struct archive_entry e;
	uint64_t id;
	uint32_t status, made = 0;
	unsigned before;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-aspace", &e), LM_OK);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	/* A space in the generations u-aspace tries: slots the suites before
	 * reused thousands of times are passed over (the free list is LIFO). */
	t = 0;
	while (made < ASPACE_MAX) {
		aspace_create_result r = aspace_create(d, 4);

		if (!aspace_create_result_is_space(r))
			break;
		if (r >> 32 <= 16) {
			t = r;
			break;
		}
		passed_over[made++] = r;
	}
	for (uint32_t i = 0; i < made; i++)
		EXPECT_EQ(aspace_destroy(d, passed_over[i]), LM_OK);
	ASSERT(t != 0);
	before = aspace_count();
	ASSERT_EQ(untrusted_start("u-aspace", e.data, e.size, 64, grants, 1, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0);
	EXPECT_EQ(aspace_count(), before); /* its own, and the one it left: gone */
	EXPECT_EQ(aspace_query(d, t, &info), LM_OK); /* a trusted caller names any */
	EXPECT_EQ(aspace_destroy(d, t), LM_OK);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* Pages free, or holding a freed one-page thread stack in a hart's cache
 * (core/stack.c): a thread's stack goes to the cache of the hart it ends
 * on, which is not the one that spawned it. */
static uint64_t free_or_cached(void)
{
	uint64_t n = pmm_free_pages();

	for (uint32_t i = 0; i < hart_count; i++)
		n += __atomic_load_n(&harts[i].stack_cached, __ATOMIC_RELAXED);
	return n;
}

/* The gate fuzzed: a million random calls (programs/untrusted/u-fuzz.c)
 * from a process granted harmless routines; it runs to its exit, the
 * kernel stays up, and every page comes back. */
TEST(process, gate_survives_a_million_random_calls)
{
	const struct gate_grant grants[] = {
		{harts_api_id, 1u << 0 | 1u << 1}, /* count, describe */
		{timer_api_id, 1u << 0},           /* now */
	};
	uint64_t before, id, calls = gate_calls();
	struct archive_entry e;
	uint32_t status;
	unsigned live = aspace_count();

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(archive_lookup(services_archive(), "/bin/u-fuzz", &e), LM_OK);
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	/* A first run leaves a thread stack in the hart's cache, as the
	 * second will: then the free counts compare. */
	ASSERT_EQ(untrusted_start_code("warm", "\x31\xc0\x31\xff\x0f\x05", 6, NULL, 0, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	before = free_or_cached();
	ASSERT_EQ(untrusted_start("u-fuzz", e.data, e.size, 64, grants, 2, &id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, 0);
	EXPECT_EQ(gate_calls_on_untrusted_harts(), 0);
	test_diag("gated calls that ran: %llu", (unsigned long long)(gate_calls() - calls));
	EXPECT_EQ(aspace_count(), live);
	/* The thread's stack goes back as the thread ends, just after it says
	 * it has, to the cache of the hart it ended on: wait for it (a
	 * liveness bound only). */
	for (uint64_t t0 = plat_now_ns(); free_or_cached() != before &&
	     plat_now_ns() - t0 < SCHED_TEST_LIVENESS_NS;)
		timer_sleep_ns(1000000);
	EXPECT_EQ(free_or_cached(), before);
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

/* Vector registers are a process's own. "keep" puts 0x5a in xmm0 and
 * spins for several time slices, then exits with xmm0's low byte; "look",
 * started beside it on the same hart, runs when keep's thread yields at a
 * slice's end: it exits with xmm0's low byte, then zero, after zeroing xmm0.
 * Kernel code never touches vector registers and a voluntary switch does
 * not save them, so without their save and load around ring 3, look would
 * find keep's value, or keep would find look's zero. */
TEST(process, vector_registers_do_not_pass_between_processes)
{
	static const char keep[] = "\xb8\x5a\x00\x00\x00"         /* mov $0x5a, %eax */
				   "\x66\x48\x0f\x6e\xc0"         /* movq %rax, %xmm0 */
				   "\xb9\x00\x00\x00\x10"         /* mov $0x10000000, %ecx */
				   "\xff\xc9\x75\xfc"             /* 1: dec %ecx; jnz 1b */
				   "\x66\x48\x0f\x7e\xc0"         /* movq %xmm0, %rax */
				   "\x0f\xb6\xf8\x31\xc0\x0f\x05"; /* exit(%al) */
	static const char look[] = "\x66\x48\x0f\x7e\xc0"         /* movq %xmm0, %rax */
				   "\x0f\xb6\xf8"                 /* movzbl %al, %edi */
				   "\x66\x0f\xef\xc0"             /* pxor %xmm0, %xmm0 */
				   "\x31\xc0\x0f\x05";            /* exit(%dil) */
	uint32_t status;
	uint64_t keep_id, look_id;

	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return;
	}
	ASSERT_EQ(untrusted_set_apart(hart_count - 1, true), LM_OK);
	ASSERT_EQ(untrusted_start_code("keep", keep, sizeof keep - 1, NULL, 0, &keep_id), LM_OK);
	ASSERT_EQ(untrusted_start_code("look", look, sizeof look - 1, NULL, 0, &look_id), LM_OK);
	ASSERT_EQ(untrusted_wait(look_id, &status), LM_OK);
	EXPECT_EQ(status, 0);    /* nothing of keep's */
	ASSERT_EQ(untrusted_wait(keep_id, &status), LM_OK);
	EXPECT_EQ(status, 0x5a); /* its own, though look ran in between */
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}
