/*
 * Tests of the net program's waiting (wait.c) and lwIP's operating system
 * layer on it (sys_arch.c): semaphores, mutexes and mailboxes between
 * Lemmings threads, with and without deadlines. They run in the hosted
 * runtime, on its Threads and Timer doors, as the net program runs on the
 * kernel's.
 */
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "lwip/err.h"
#include "lwip/sys.h"

#include "lib/test.h"
#include "programs/net/wait.h"

#define MS 1000000ull
#define LIVENESS_MS 10000 /* no wait here should come near */

static void setup(void)
{
	net_threads = threads_door_find();
	net_timer = timer_door_find();
	sys_init();
}

static void spawn(threads_entry *fn, void *arg)
{
	threads_spawn_result r = threads_spawn(net_threads, fn, (uintptr_t)arg, 3, 4, 0);

	if (!threads_spawn_result_is_thread(r))
		test_fail_bool(__FILE__, __LINE__, "threads_spawn succeeds");
}

TEST(net_wait, a_wake_before_the_sleep_is_not_lost)
{
	struct net_waiter w, *list = NULL;

	setup();
	net_waiter_init(&w, 0); /* no deadline: only a wake ends the sleep */
	net_waiter_add(&list, &w);
	EXPECT(net_wake_one(&list));
	EXPECT(list == NULL);
	EXPECT(net_waiter_sleep(&w)); /* returns at once, woken */
	net_waiter_done(&w);
	EXPECT(!net_wake_one(&list));
}

TEST(net_wait, a_deadline_ends_a_sleep_not_early)
{
	struct net_waiter w, *list = NULL;
	uint64_t start;

	setup();
	start = net_now();
	net_waiter_init(&w, start + 20 * MS);
	net_waiter_add(&list, &w);
	EXPECT(!net_waiter_sleep(&w));
	EXPECT(net_now() - start >= 20 * MS);
	net_waiter_remove(&list, &w);
	EXPECT(list == NULL);
	net_waiter_done(&w);
}

TEST(net_sys_arch, semaphore_counts_and_times_out)
{
	sys_sem_t s;
	uint64_t start;

	setup();
	ASSERT_EQ(sys_sem_new(&s, 2), ERR_OK);
	EXPECT_EQ(sys_arch_sem_wait(&s, LIVENESS_MS), 0);
	EXPECT_EQ(sys_arch_sem_wait(&s, LIVENESS_MS), 0);
	start = net_now();
	EXPECT_EQ(sys_arch_sem_wait(&s, 30), SYS_ARCH_TIMEOUT);
	EXPECT(net_now() - start >= 30 * MS);
	sys_sem_signal(&s);
	EXPECT_EQ(sys_arch_sem_wait(&s, 30), 0);
	sys_sem_free(&s);
}

static sys_sem_t ping, pong;

static void ponger(uintptr_t rounds)
{
	for (uintptr_t i = 0; i < rounds; i++) {
		sys_arch_sem_wait(&ping, 0);
		sys_sem_signal(&pong);
	}
}

TEST(net_sys_arch, semaphores_wake_a_thread_blocked_without_deadline)
{
	int got = 0;

	setup();
	sys_sem_new(&ping, 0);
	sys_sem_new(&pong, 0);
	spawn(ponger, (void *)1000);
	for (int i = 0; i < 1000; i++) {
		sys_sem_signal(&ping);
		if (sys_arch_sem_wait(&pong, LIVENESS_MS) != SYS_ARCH_TIMEOUT)
			got++;
	}
	EXPECT_EQ(got, 1000);
}

static sys_mutex_t mutex;
static uint64_t counter;
static sys_sem_t done;

#define ADDERS 4
#define ADDS 2000

static void adder(uintptr_t arg)
{
	for (int i = 0; i < ADDS; i++) {
		sys_mutex_lock(&mutex);
		uint64_t v = counter;
		if (i % 16 == 0)
			threads_yield(net_threads); /* hold it across a switch */
		counter = v + 1;
		sys_mutex_unlock(&mutex);
	}
	sys_sem_signal(&done);
}

TEST(net_sys_arch, a_mutex_keeps_its_holders_apart)
{
	setup();
	counter = 0;
	ASSERT_EQ(sys_mutex_new(&mutex), ERR_OK);
	sys_sem_new(&done, 0);
	for (int i = 0; i < ADDERS; i++)
		spawn(adder, NULL);
	for (int i = 0; i < ADDERS; i++)
		EXPECT(sys_arch_sem_wait(&done, LIVENESS_MS) != SYS_ARCH_TIMEOUT);
	EXPECT_EQ(counter, (uint64_t)ADDERS * ADDS);
}

static sys_mbox_t box;

#define MESSAGES 3000

static void producer(uintptr_t arg)
{
	for (uintptr_t i = 1; i <= MESSAGES; i++)
		sys_mbox_post(&box, (void *)i); /* blocks while the box is full */
}

TEST(net_sys_arch, a_mailbox_keeps_order_and_pushes_back)
{
	void *msg = NULL;
	uintptr_t expect = 1;
	int in_order = 1;

	setup();
	ASSERT_EQ(sys_mbox_new(&box, SYS_MBOX_SIZE), ERR_OK);
	EXPECT_EQ(sys_arch_mbox_tryfetch(&box, &msg), SYS_MBOX_EMPTY);
	EXPECT_EQ(sys_arch_mbox_fetch(&box, &msg, 20), SYS_ARCH_TIMEOUT);
	/* Full: trypost refuses the one too many. */
	for (uintptr_t i = 0; i < SYS_MBOX_SIZE; i++)
		EXPECT_EQ(sys_mbox_trypost(&box, (void *)(i + 1)), ERR_OK);
	EXPECT_EQ(sys_mbox_trypost(&box, (void *)1), ERR_MEM);
	for (uintptr_t i = 0; i < SYS_MBOX_SIZE; i++)
		EXPECT_EQ(sys_arch_mbox_tryfetch(&box, &msg), 0);
	/* A producer ten times the box's size ahead of its reader. */
	spawn(producer, NULL);
	for (int i = 0; i < MESSAGES; i++) {
		if (sys_arch_mbox_fetch(&box, &msg, LIVENESS_MS) == SYS_ARCH_TIMEOUT)
			break;
		if ((uintptr_t)msg != expect++)
			in_order = 0;
	}
	EXPECT_EQ(expect, (uintptr_t)MESSAGES + 1);
	EXPECT(in_order);
	EXPECT_EQ(sys_arch_mbox_tryfetch(&box, &msg), SYS_MBOX_EMPTY);
}
