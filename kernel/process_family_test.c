/*
 * In-kernel tests of what a personality asks of the process table
 * (kernel/process.c): threads of one process, fork, exec, waiting for
 * children, how each way of ending reaches every thread, and signals
 * (posted to a process, a thread, a group; dropped when ignored; waking a
 * thread blocked in the kernel; bringing back one that spins in ring 3;
 * a child's end told to its parent). The programs
 * are kernel/process_family_test_code.S, answered by a personality made
 * here with Linux's call numbers. Two harts at least (one set apart).
 */
#include <lemmings/aspace.h>

#include "arch/layout.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched_test.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/process.h"
#include "lib/test.h"

#define STACK_TOP 0x7fffffff0000ull

extern const char pf_fork[], pf_fork_end[], pf_threads[], pf_threads_end[];
extern const char pf_group[], pf_group_end[], pf_blocked[], pf_blocked_end[];
extern const char pf_exec[], pf_exec_end[], pf_image[], pf_image_end[];
extern const char pf_bomb[], pf_bomb_end[];

static uint64_t blocked_in, blocked_out; /* threads that entered and left call 35 */
static uint64_t blocked_tid;             /* the last thread to enter it */
static uint64_t fork_refused;            /* forks that failed, and with what */
static enum lm_err fork_error;

/* A space with code at 0x400000 and a 16 KiB stack, as exec needs one. */
static enum lm_err image_space(const char *code, uint64_t len, aspace_space *out)
{
	const struct aspace_door *d = aspace_door_kernel();
	aspace_create_result c = aspace_create(d, 64);
	aspace_space s;

	if (!aspace_create_result_is_space(c))
		return (enum lm_err)c;
	s = c;
	if (aspace_map(d, s, STACK_TOP - 4 * PAGE_SIZE, 4, 1) || aspace_map(d, s, 0x400000, 1, 1) ||
	    aspace_write(s, 0x400000, code, len) || aspace_protect(d, s, 0x400000, 1, 2)) {
		aspace_destroy(d, s);
		return LM_ERR_NOMEM;
	}
	*out = s;
	return LM_OK;
}

static uint64_t neg(enum lm_err err)
{
	return (uint64_t)-(int64_t)err;
}

static enum process_next family_syscall(struct uthread *t, uint32_t *status)
{
	struct uvm_regs *r = &t->regs, c = *r;
	struct process *child;
	struct uthread *n;
	aspace_space s = 0;
	enum lm_err err;
	uint64_t id;
	uint32_t st;

	switch (r->rax) {
	case 39:
		r->rax = t->p->id;
		break;
	case 110:
		r->rax = untrusted_parent(t->p);
		break;
	case 186:
		r->rax = t->tid;
		break;
	case 36:
		r->rax = __atomic_load_n(&t->p->threads, __ATOMIC_ACQUIRE);
		break;
	case 56:
		c.rax = 0;
		c.rip = r->rdi;
		c.rsp = r->rsi;
		c.fs_base = r->rdx;
		err = untrusted_thread_new(t, &c, NULL, &n);
		if (!err) {
			id = n->tid;
			err = untrusted_thread_start(n);
		}
		r->rax = err ? neg(err) : id;
		break;
	case 57:
		c.rax = 0;
		err = untrusted_fork(t, &c, &child);
		if (err) {
			__atomic_fetch_add(&fork_refused, 1, __ATOMIC_RELAXED);
			fork_error = err;
		}
		r->rax = err ? neg(err) : child->id;
		break;
	case 59:
		if (r->rdi != 0) {
			r->rax = neg(LM_ERR_NOENT); /* the old image goes on */
			break;
		}
		if ((err = image_space(pf_image, pf_image_end - pf_image, &s))) {
			r->rax = neg(err);
			break;
		}
		c = (struct uvm_regs){.rip = 0x400000, .rsp = STACK_TOP};
		untrusted_exec(t, s, &c, "pf-image");
		break;
	case 61:
		err = untrusted_wait_child(t, r->rdi, false, &id, &st);
		r->rax = err ? neg(err) : st;
		r->rdx = err ? 0 : id;
		break;
	case 60:
		*status = r->rdi & 0xff;
		return PROCESS_NEXT_THREAD_EXIT;
	case 231:
		*status = r->rdi & 0xff;
		return PROCESS_NEXT_EXIT;
	case 35:
		__atomic_store_n(&blocked_tid, t->tid, __ATOMIC_RELAXED);
		__atomic_fetch_add(&blocked_in, 1, __ATOMIC_RELAXED);
		while (!untrusted_stopping(t) && !untrusted_signalled(t))
			thread_wait(THREAD_EV_SERVICE);
		__atomic_fetch_add(&blocked_out, 1, __ATOMIC_RELAXED);
		r->rax = 0;
		break;
	default:
		r->rax = neg(LM_ERR_UNSUPPORTED);
	}
	return PROCESS_NEXT_RUN;
}

static const struct process_personality family = {.syscall = family_syscall};

/* The same with signals: each return to ring 3 takes what is pending
 * (noting which), a thread in ring 3 comes back for them (counted), a
 * child's end sends its parent signal 9, signal 17 is dropped. */
static uint64_t sig_taken, sig_ring3;
static struct process_siginfo sig_last;

static void take_signals(struct uthread *t)
{
	struct process_siginfo in;
	uint32_t s;

	while ((s = untrusted_take_signal(t, &in))) {
		sig_last = in;
		__atomic_or_fetch(&sig_taken, 1ull << (s - 1), __ATOMIC_ACQ_REL);
	}
}

static enum process_next signal_syscall(struct uthread *t, uint32_t *status)
{
	enum process_next next = family_syscall(t, status);

	take_signals(t);
	return next;
}

static enum process_next signal_in_ring3(struct uthread *t, uint32_t *status)
{
	__atomic_fetch_add(&sig_ring3, 1, __ATOMIC_ACQ_REL);
	take_signals(t);
	return PROCESS_NEXT_RUN;
}

static const uint64_t family_ignored = 1ull << 16; /* signal 17 */
static const struct process_personality family_signals = {
	.syscall = signal_syscall, .signalled = signal_in_ring3, .child_signal = 9,
	.ignored_at_start = &family_ignored};

/* Run one program to its end under ops; its status. */
static uint32_t run_program(const char *name, const char *code, const char *end,
			    const struct process_personality *ops)
{
	uint32_t status = 0xffffffff;
	uint64_t id;

	if (untrusted_start_code_as(name, code, (uint32_t)(end - code), ops, NULL, &id) ||
	    untrusted_wait(id, &status))
		return 0xffffffff;
	return status;
}

/* Set the last hart apart; false (and a diagnostic) on one hart. */
static bool set_apart(void)
{
	if (hart_count < 2) {
		test_diag("one hart: nothing can be set apart");
		return false;
	}
	return untrusted_set_apart(hart_count - 1, true) == LM_OK;
}

/* Until the process table holds nothing of the tests' programs: orphans
 * free themselves as they end, after their parent was waited for. */
static bool all_gone(unsigned spaces)
{
	uint64_t start = plat_now_ns();

	while (aspace_count() != spaces || untrusted_thread_count()) {
		if (plat_now_ns() - start > 6 * SCHED_TEST_LIVENESS_NS)
			return false;
		timer_sleep_ns(1000000);
	}
	return true;
}

/* Status of run_apart on one hart: nothing ran. */
#define NO_HART 0xfffffffe

/* Run one program under ops with the last hart set apart, check that
 * nothing of it is left after, and give the hart back: its status, or
 * NO_HART. */
static uint32_t run_apart_as(const char *name, const char *code, const char *end,
			     const struct process_personality *ops)
{
	unsigned spaces = aspace_count();
	uint32_t status;

	if (!set_apart())
		return NO_HART;
	status = run_program(name, code, end, ops);
	EXPECT(all_gone(spaces));
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
	return status;
}

static uint32_t run_apart(const char *name, const char *code, const char *end)
{
	return run_apart_as(name, code, end, &family);
}

/* Until sig_taken has bit sig (within the liveness bound). */
static bool taken(uint32_t sig)
{
	uint64_t start = plat_now_ns();

	while (!(__atomic_load_n(&sig_taken, __ATOMIC_ACQUIRE) & 1ull << (sig - 1))) {
		if (plat_now_ns() - start > SCHED_TEST_LIVENESS_NS)
			return false;
		timer_sleep_ns(1000000);
	}
	return true;
}

TEST(process_family, fork_copies_the_space_and_the_parent_waits)
{
	uint32_t status = run_apart("pf-fork", pf_fork, pf_fork_end);

	if (status != NO_HART)
		EXPECT_EQ(status, 107);
}

TEST(process_family, threads_share_the_space_and_the_last_one_ends_the_process)
{
	uint32_t status = run_apart("pf-threads", pf_threads, pf_threads_end);

	if (status != NO_HART)
		EXPECT_EQ(status, 5);
}

TEST(process_family, exit_group_ends_every_thread_looping_or_blocked)
{
	uint64_t in = __atomic_load_n(&blocked_in, __ATOMIC_RELAXED);
	uint64_t out = __atomic_load_n(&blocked_out, __ATOMIC_RELAXED);
	uint32_t status = run_apart("pf-group", pf_group, pf_group_end);

	if (status == NO_HART)
		return;
	EXPECT_EQ(status, 3);
	/* the blocked thread, if it got as far as blocking, was woken */
	EXPECT_EQ(__atomic_load_n(&blocked_in, __ATOMIC_RELAXED) - in,
		  __atomic_load_n(&blocked_out, __ATOMIC_RELAXED) - out);
}

TEST(process_family, kill_ends_a_thread_blocked_in_the_kernel)
{
	unsigned spaces = aspace_count();
	uint64_t in = __atomic_load_n(&blocked_in, __ATOMIC_RELAXED);
	uint64_t out = __atomic_load_n(&blocked_out, __ATOMIC_RELAXED), start, id;
	uint32_t status;

	if (!set_apart())
		return;
	ASSERT_EQ(untrusted_start_code_as("pf-blocked", pf_blocked,
					  (uint32_t)(pf_blocked_end - pf_blocked), &family, NULL,
					  &id),
		  LM_OK);
	start = plat_now_ns();
	while (__atomic_load_n(&blocked_in, __ATOMIC_RELAXED) == in &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000000);
	EXPECT(__atomic_load_n(&blocked_in, __ATOMIC_RELAXED) == in + 1); /* it blocks */
	EXPECT_EQ(untrusted_kill(id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	EXPECT_EQ(__atomic_load_n(&blocked_out, __ATOMIC_RELAXED), out + 1);
	EXPECT(all_gone(spaces));
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

TEST(process_family, exec_replaces_the_image_and_ends_the_other_threads)
{
	uint32_t status = run_apart("pf-exec", pf_exec, pf_exec_end);

	/* 42: the new image ran, its only thread's exit is the process's,
	 * so the looping thread of the old image had ended. */
	if (status != NO_HART)
		EXPECT_EQ(status, 42);
}

TEST(process_family, fork_bomb_gets_an_error_and_everything_comes_back)
{
	uint64_t refused = __atomic_load_n(&fork_refused, __ATOMIC_RELAXED);
	uint32_t status = run_apart("pf-bomb", pf_bomb, pf_bomb_end);

	if (status == NO_HART)
		return;
	EXPECT_EQ(status, 1);
	EXPECT(__atomic_load_n(&fork_refused, __ATOMIC_RELAXED) > refused);
	EXPECT(fork_error == LM_ERR_FULL || fork_error == LM_ERR_NOMEM);
	test_diag("forks refused: %llu, the last with %s",
		  (unsigned long long)(__atomic_load_n(&fork_refused, __ATOMIC_RELAXED) - refused),
		  lm_err_str(fork_error));
}

TEST(process_family, signals_reach_blocked_and_spinning_threads_and_groups)
{
	struct process_siginfo info = {1, 42, 0};
	unsigned spaces = aspace_count();
	uint64_t in = __atomic_load_n(&blocked_in, __ATOMIC_RELAXED), start, id, tid, out;
	uint32_t status;

	if (!set_apart())
		return;
	__atomic_store_n(&sig_taken, 0, __ATOMIC_RELAXED);
	ASSERT_EQ(untrusted_start_code_as("pf-signals", pf_blocked,
					  (uint32_t)(pf_blocked_end - pf_blocked), &family_signals,
					  NULL, &id),
		  LM_OK);
	start = plat_now_ns();
	while (__atomic_load_n(&blocked_in, __ATOMIC_RELAXED) == in &&
	       plat_now_ns() - start < SCHED_TEST_LIVENESS_NS)
		timer_sleep_ns(1000000);
	ASSERT(__atomic_load_n(&blocked_in, __ATOMIC_RELAXED) > in); /* its thread blocks */
	tid = __atomic_load_n(&blocked_tid, __ATOMIC_RELAXED);
	out = __atomic_load_n(&blocked_out, __ATOMIC_RELAXED);
	/* Only its own personality's signals reach it; no such group. */
	EXPECT_EQ(untrusted_post((int64_t)id, &family, 5, &info), LM_ERR_NOENT);
	EXPECT_EQ(untrusted_post(-0x7fffffff, &family_signals, 5, &info), LM_ERR_NOENT);
	EXPECT_EQ(untrusted_post_thread(id, 0x7fffffff, &family_signals, 5, &info), LM_ERR_NOENT);
	EXPECT_EQ(untrusted_post((int64_t)id, &family_signals, 65, &info), LM_ERR_INVAL);
	/* Ignored: dropped at the sending (it would be taken first after 5). */
	EXPECT_EQ(untrusted_post((int64_t)id, &family_signals, 17, &info), LM_OK);
	/* To the blocked thread: its wait ends. */
	EXPECT_EQ(untrusted_post_thread(id, tid, &family_signals, 5, &info), LM_OK);
	EXPECT(taken(5));
	EXPECT(__atomic_load_n(&blocked_out, __ATOMIC_RELAXED) > out);
	EXPECT_EQ(sig_last.pid, 42u);
	/* To the first thread, which spins in ring 3: it comes back for it. */
	EXPECT_EQ(untrusted_post_thread(id, id, &family_signals, 6, &info), LM_OK);
	EXPECT(taken(6));
	EXPECT(__atomic_load_n(&sig_ring3, __ATOMIC_ACQUIRE) > 0);
	/* To its group (its own id), and signal 0 only checks. */
	EXPECT_EQ(untrusted_post(-(int64_t)id, &family_signals, 7, &info), LM_OK);
	EXPECT(taken(7));
	EXPECT_EQ(untrusted_post((int64_t)id, &family_signals, 0, &info), LM_OK);
	EXPECT_EQ(__atomic_load_n(&sig_taken, __ATOMIC_ACQUIRE), 0x70u); /* 5, 6, 7: no 17 */
	EXPECT_EQ(untrusted_kill(id), LM_OK);
	ASSERT_EQ(untrusted_wait(id, &status), LM_OK);
	EXPECT_EQ(status, PROCESS_KILLED);
	EXPECT(all_gone(spaces));
	EXPECT_EQ(untrusted_set_apart(hart_count - 1, false), LM_OK);
}

TEST(process_family, a_childs_end_signals_its_parent)
{
	uint32_t status;

	__atomic_store_n(&sig_taken, 0, __ATOMIC_RELAXED);
	status = run_apart_as("pf-fork", pf_fork, pf_fork_end, &family_signals);
	if (status == NO_HART)
		return;
	EXPECT_EQ(status, 107);
	EXPECT_EQ(__atomic_load_n(&sig_taken, __ATOMIC_ACQUIRE), 1u << 8); /* signal 9 */
	EXPECT_EQ(sig_last.code, PROCESS_SI_CHILD);
	EXPECT_EQ(sig_last.status, 7u);
	EXPECT(sig_last.pid != 0);
}
