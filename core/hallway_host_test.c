/* Hallway under concurrent registration and lookup (host, POSIX threads). */
#include <pthread.h>
#include <stdio.h>

#include "core/hallway.h"
#include "lib/test.h"

#define WORKERS 4
#define PER_WORKER 50

static struct lm_door doors[WORKERS][PER_WORKER];
static struct lm_door shared = {.api_id = {{0x5a, 0x5a}}, .name = "contended"};
static int shared_wins;

static void *worker(void *arg)
{
	int w = (int)(intptr_t)arg;

	for (int i = 0; i < PER_WORKER; i++) {
		struct lm_door *d = &doors[w][i];

		d->api_id.bytes[0] = 0x77;
		d->api_id.bytes[1] = (uint8_t)w;
		d->api_id.bytes[2] = (uint8_t)i;
		d->name = "worker-door";
		if (hallway_register(d) != LM_OK)
			test_fail_bool(__FILE__, __LINE__, "register ok");
		if (hallway_register(&shared) == LM_OK)
			__atomic_fetch_add(&shared_wins, 1, __ATOMIC_RELAXED);
		/* Our own doors are all findable, whatever the others do. */
		for (int j = 0; j <= i; j++)
			if (hallway_find(&doors[w][j].api_id) != &doors[w][j])
				test_fail_bool(__FILE__, __LINE__, "find own door");
	}
	return NULL;
}

TEST(hallway, concurrent_register_and_find)
{
	pthread_t t[WORKERS];

	for (int w = 0; w < WORKERS; w++)
		pthread_create(&t[w], NULL, worker, (void *)(intptr_t)w);
	for (int w = 0; w < WORKERS; w++)
		pthread_join(t[w], NULL);
	EXPECT_EQ(shared_wins, 1);
	EXPECT_EQ(hallway_count(), WORKERS * PER_WORKER + 1);
}
