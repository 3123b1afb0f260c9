/*
 * The handle table (see handle.h): slots that name threads for doors.
 *
 * The table is an array of pages of slots (chunks), made one page at a time
 * as more handles are alive at once than ever before, and never freed or
 * moved. slots_made says how many slots exist; it is published with a
 * release store after the page holding them, so a lookup that finds an
 * index below it (acquire) can read the slot with no table lock.
 *
 * Free slots: each hart keeps a few of its own (a cache, touched only by
 * that hart with interrupts off, so taking and giving one costs no locked
 * instruction beyond the slot's own lock); a hart with none takes a batch
 * from the spare list, and one with too many gives a batch back, both under
 * table_lock, which also guards making a page. A thread may end on another
 * hart than it started on, so without giving back, slots would pile up in
 * the caches of the harts where threads end.
 *
 * Locking: a slot's lock guards its generation and its thread, and is
 * held, with interrupts off, only for a few stores (attach, detach) or for
 * the signal of the thread it names (handle_lock's callers), never across a
 * switch. Lock order: a slot's lock, then the thread's lock (core/thread.c);
 * nothing takes a slot lock while it holds a thread's lock.
 */
#include <stddef.h>

#include "arch/spinlock.h"
#include "core/handle.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/sched.h"

#define PAGE_BYTES 4096
#define CACHE_MAX 64 /* free slots a hart keeps; it gives back half past this */
#define BATCH (CACHE_MAX / 2)

struct handle_slot {
	struct spinlock lock; /* gen and thread */
	uint32_t gen;         /* odd: holds a thread; even: free */
	union {
		struct thread *thread; /* while gen is odd */
		uint32_t next_free;    /* while free: the next free slot's index
					* + 1 in its list (0 ends it); written
					* only by the list's owner */
	};
};

#define SLOTS_PER_CHUNK (PAGE_BYTES / sizeof(struct handle_slot))
#define CHUNK_MAX (HANDLE_MAX / SLOTS_PER_CHUNK)

_Static_assert(sizeof(struct handle_slot) == 16, "a page holds a power of two of slots");
_Static_assert(HANDLE_MAX % SLOTS_PER_CHUNK == 0, "whole chunks");

/* Free slots of one hart: a list linked through next_free (index + 1). */
struct slot_cache {
	uint32_t head;
	uint32_t count;
} __attribute__((aligned(64))); /* no line shared by two harts */

static struct handle_slot *chunks[CHUNK_MAX]; /* written under table_lock */
static uint32_t slots_made;                   /* atomic; see the top comment */
static uint32_t spare;                        /* free slots no hart keeps */
static struct spinlock table_lock = SPINLOCK_INIT;
static struct slot_cache caches[HART_MAX];

static struct handle_slot *slot_at(uint32_t index)
{
	return &chunks[index / SLOTS_PER_CHUNK][index % SLOTS_PER_CHUNK];
}

/* Move one free slot from the list at *from to the list at *to. */
static void move_one(uint32_t *from, uint32_t *to)
{
	uint32_t link = *from;
	struct handle_slot *s = slot_at(link - 1);

	*from = s->next_free;
	s->next_free = *to;
	*to = link;
}

/* A page of new slots onto the spare list. Caller holds table_lock. A
 * zeroed page is a page of free slots: unlocked, generation 0. */
static void grow(void)
{
	uint32_t first = slots_made;
	struct handle_slot *page;

	if (first >= HANDLE_MAX || !(page = plat_page_alloc()))
		return;
	chunks[first / SLOTS_PER_CHUNK] = page;
	for (uint32_t k = SLOTS_PER_CHUNK; k-- > 0;) {
		page[k].next_free = spare;
		spare = first + k + 1;
	}
	__atomic_store_n(&slots_made, first + (uint32_t)SLOTS_PER_CHUNK, __ATOMIC_RELEASE);
}

/* Fill an empty cache from the spare list, making slots if there are none.
 * Interrupts off, on the cache's hart. */
static void refill(struct slot_cache *c)
{
	spin_lock(&table_lock);
	if (!spare)
		grow();
	for (; spare && c->count < BATCH; c->count++)
		move_one(&spare, &c->head);
	spin_unlock(&table_lock);
}

/* Give half of a full cache back to the spare list. */
static void give_back(struct slot_cache *c)
{
	spin_lock(&table_lock);
	for (; c->count > CACHE_MAX - BATCH; c->count--)
		move_one(&c->head, &spare);
	spin_unlock(&table_lock);
}

enum lm_err handle_attach(struct thread *t)
{
	bool irq = plat_irq_save();
	struct slot_cache *c = &caches[this_hart()->id];
	struct handle_slot *s;
	uint32_t index;

	if (!c->head)
		refill(c);
	if (!c->head) {
		plat_irq_restore(irq);
		return __atomic_load_n(&slots_made, __ATOMIC_RELAXED) >= HANDLE_MAX ? LM_ERR_FULL
										  : LM_ERR_NOMEM;
	}
	index = c->head - 1;
	s = slot_at(index);
	c->head = s->next_free;
	c->count--;
	spin_lock(&s->lock);
	s->gen++; /* odd: it holds a thread */
	s->thread = t;
	t->handle = (uint64_t)s->gen << 32 | index;
	spin_unlock(&s->lock);
	plat_irq_restore(irq);
	return LM_OK;
}

void handle_detach(struct thread *t)
{
	uint32_t index = (uint32_t)t->handle;
	struct handle_slot *s = slot_at(index);
	bool irq = plat_irq_save();
	struct slot_cache *c = &caches[this_hart()->id];

	/* Whoever holds the slot is signalling t: wait until it is done. */
	spin_lock(&s->lock);
	s->gen++; /* even: no handle matches it any more */
	s->next_free = c->head;
	spin_unlock(&s->lock);
	t->handle = 0;
	c->head = index + 1;
	if (++c->count > CACHE_MAX)
		give_back(c);
	plat_irq_restore(irq);
}

enum lm_err handle_lock(uint64_t handle, struct handle_ref *ref)
{
	uint32_t index = (uint32_t)handle, gen = (uint32_t)(handle >> 32);
	struct handle_slot *s;

	/* Check before reading anything the value points to: an even
	 * generation is never handed out, and only slots below slots_made
	 * exist. */
	if (!(gen & 1) || index >= __atomic_load_n(&slots_made, __ATOMIC_ACQUIRE))
		return LM_ERR_INVAL;
	s = slot_at(index);
	ref->irq = plat_irq_save();
	spin_lock(&s->lock);
	if (s->gen != gen) {
		spin_unlock(&s->lock);
		plat_irq_restore(ref->irq);
		return LM_ERR_NOENT;
	}
	ref->slot = s;
	ref->thread = s->thread;
	return LM_OK;
}

void handle_unlock(struct handle_ref *ref)
{
	spin_unlock(&ref->slot->lock);
	plat_irq_restore(ref->irq);
}

uint32_t handle_slots(void)
{
	return __atomic_load_n(&slots_made, __ATOMIC_ACQUIRE);
}
