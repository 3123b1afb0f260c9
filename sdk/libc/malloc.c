/*
 * A thread-safe memory allocator over runs of pages from the Memory door
 * (sdk/idl/memory.idl; docs/memory.md), so a program's heap grows as far as
 * the machine's memory goes.
 *
 * Blocks carry a 16-byte header with their usable size. Requests up to
 * 4 KiB round up to a power of two (16 .. 4096) and are carved from chunks
 * of CHUNK_PAGES pages taken from the door as needed, then recycled through
 * one free list per class, O(1); those chunks are kept for the program's
 * life. A larger request is a run of its own (header included, whole
 * pages), given back to the door by free, so its pages serve others at
 * once. One spinlock guards the small blocks; the door, safe from any
 * thread, is called outside it.
 *
 * The door is published at boot in both homes (kernel and hosted), before
 * any program runs; without one, malloc returns NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/memory.h>
#include <lemmings/systab.h>

#define CLASSES 9 /* 16 << 0 .. 16 << 8 = 4096 */
#define SMALL_MAX 4096
#define HEADER 16
#define PAGE 4096
#define CHUNK_PAGES 64 /* 256 KiB a chunk */

struct block {
	size_t size;        /* usable bytes: a class, or a run's pages less HEADER */
	struct block *next; /* while free (small blocks) */
};

static uint8_t *chunk, *chunk_end; /* where small blocks are carved */
static struct block *small_free[CLASSES];
static uint32_t heap_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&heap_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&heap_lock, __ATOMIC_RELAXED))
			__asm__ volatile("pause");
}

static void unlock(void)
{
	__atomic_store_n(&heap_lock, 0, __ATOMIC_RELEASE);
}

/* The Memory door, found once (doors never go away). */
static const struct memory_door *door(void)
{
	static const struct memory_door *found;
	const struct memory_door *d = __atomic_load_n(&found, __ATOMIC_ACQUIRE);

	if (!d) {
		d = memory_door_find();
		__atomic_store_n(&found, d, __ATOMIC_RELEASE);
	}
	return d;
}

/* A run of pages from the door, or NULL. */
static void *pages_get(size_t pages)
{
	const struct memory_door *d = door();
	struct memory_run run;

	if (!d || memory_alloc(d, pages, 0, 0, &run))
		return NULL;
	return (void *)run.addr;
}

static int class_of(size_t size)
{
	int c = 0;

	while ((size_t)16 << c < size)
		c++;
	return c;
}

/* A new small block of class c, carved from the chunk; a new chunk when the
 * current one is used up (its tail, too small for this block, is left).
 * Caller holds heap_lock. */
static struct block *carve(int c)
{
	size_t need = ((size_t)16 << c) + HEADER;
	struct block *b;

	if (!chunk || (size_t)(chunk_end - chunk) < need) {
		uint8_t *fresh = pages_get(CHUNK_PAGES);

		if (!fresh)
			return NULL;
		chunk = fresh;
		chunk_end = fresh + (size_t)CHUNK_PAGES * PAGE;
	}
	b = (struct block *)chunk;
	b->size = (size_t)16 << c;
	chunk += need;
	return b;
}

static void *large_alloc(size_t size)
{
	size_t pages = (size + HEADER + PAGE - 1) / PAGE;
	struct block *b = pages_get(pages);

	if (!b)
		return NULL;
	b->size = pages * PAGE - HEADER;
	return (uint8_t *)b + HEADER;
}

void *malloc(size_t size)
{
	struct block *b;
	int c;

	if (size == 0)
		size = 1;
	if (size > SMALL_MAX)
		return size > SIZE_MAX - HEADER - PAGE ? NULL : large_alloc(size);
	c = class_of(size);
	lock();
	if ((b = small_free[c]))
		small_free[c] = b->next;
	else
		b = carve(c);
	unlock();
	return b ? (uint8_t *)b + HEADER : NULL;
}

void free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)((uint8_t *)p - HEADER);
	if (b->size > SMALL_MAX) {
		/* The door refuses anything but a run it gave and still counts
		 * out: a bad pointer (or a double free) stops here. */
		if (((uintptr_t)b & (PAGE - 1)) || !door() ||
		    memory_free(door(), (uintptr_t)b, (b->size + HEADER) / PAGE))
			lm_panic("free: pointer not from malloc", 29);
		return;
	}
	if (b->size < 16 || (b->size & (b->size - 1)))
		lm_panic("free: pointer not from malloc", 29);
	lock();
	b->next = small_free[class_of(b->size)];
	small_free[class_of(b->size)] = b;
	unlock();
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t size)
{
	struct block *b;
	void *q;

	if (!p)
		return malloc(size);
	b = (struct block *)((uint8_t *)p - HEADER);
	if (size <= b->size)
		return p;
	q = malloc(size);
	if (q) {
		memcpy(q, p, b->size);
		free(p);
	}
	return q;
}

void abort(void)
{
	lm_panic("abort", 5);
}

long strtol(const char *s, char **end, int base)
{
	long v = 0;
	int neg = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: *s >= 'a' && *s <= 'z' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'Z' ? *s - 'A' + 10 : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)s;
	return neg ? -v : v;
}
