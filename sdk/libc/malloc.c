/*
 * A thread-safe memory allocator over an arena in the program's bss.
 *
 * Blocks carry a 16-byte header with their size class. Requests up to 4 KiB
 * round up to a power of two (16 .. 4096) and are recycled through one free
 * list per class, O(1). Larger requests round up to whole pages and go to a
 * first-fit list of freed large blocks, else to the arena's bump pointer.
 * One spinlock guards everything: allocation is short and rare next to the
 * work done with the memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lemmings/systab.h>

/* Every page of the arena is memory the loader allocates and clears when
 * the program is loaded, so it is kept modest. */
#define LM_HEAP_SIZE (256u << 10)
#define CLASSES 9 /* 16 << 0 .. 16 << 8 = 4096 */
#define HEADER 16

struct block {
	size_t size;        /* usable bytes */
	struct block *next; /* while free */
};

static uint8_t arena[LM_HEAP_SIZE] __attribute__((aligned(4096)));
static size_t bump;
static struct block *small_free[CLASSES], *large_free;
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

static int class_of(size_t size)
{
	int c = 0;

	while ((size_t)16 << c < size)
		c++;
	return c;
}

static struct block *carve(size_t usable)
{
	struct block *b;

	if (usable > LM_HEAP_SIZE || LM_HEAP_SIZE - bump < usable + HEADER)
		return NULL;
	b = (struct block *)(arena + bump);
	b->size = usable;
	bump += usable + HEADER;
	return b;
}

void *malloc(size_t size)
{
	struct block *b = NULL, **pp;

	if (size == 0)
		size = 1;
	if (size > LM_HEAP_SIZE)
		return NULL;
	lock();
	if (size <= 4096) {
		int c = class_of(size);

		if ((b = small_free[c]))
			small_free[c] = b->next;
		else
			b = carve((size_t)16 << c);
	} else {
		size = (size + 4095) & ~(size_t)4095;
		for (pp = &large_free; *pp; pp = &(*pp)->next)
			if ((*pp)->size >= size) {
				b = *pp;
				*pp = b->next;
				break;
			}
		if (!b)
			b = carve(size);
	}
	unlock();
	return b ? (uint8_t *)b + HEADER : NULL;
}

void free(void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)((uint8_t *)p - HEADER);
	if ((uint8_t *)b < arena || (uint8_t *)b >= arena + bump)
		lm_panic("free: pointer not from malloc", 29);
	lock();
	if (b->size <= 4096) {
		int c = class_of(b->size);
		b->next = small_free[c];
		small_free[c] = b;
	} else {
		b->next = large_free;
		large_free = b;
	}
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
