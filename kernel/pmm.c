/*
 * Physical page allocator (see pmm.h for the model).
 *
 * The RAM ranges come from the boot loader's memory map resolved by
 * memmap_clip (kernel/memmap.c): sorted, non-overlapping, and with every
 * byte that any entry marks reserved, ACPI, NVS or bad left out, so that a
 * firmware map that overlaps costs a warning, never a page handed out twice
 * or a panic. Only memory the direct map can reach (below DIRECT_MAP_SIZE)
 * is used.
 *
 * Invariants, under pmm_lock:
 *  - every page of every range is in exactly one of three states: below the
 *    range's bump pointer and allocated, below it and on the free list, or at
 *    or above the bump pointer (never handed out yet, free);
 *  - the bitmap bit of a page is set exactly when the page is allocated;
 *  - free_count is the number of free pages in all three senses above;
 *  - the free list is doubly linked through the first 16 bytes of its pages
 *    (next, then prev; 0 ends it), so that pmm_alloc_run can take a page
 *    from its middle in O(1); single pages still come and go at its head.
 */
#include <stddef.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/upcalls.h"
#include "core/platform.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/memmap.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "lib/string.h"

#define RANGE_MAX 64
#define RESERVE_MAX 32
#define MAP_MAX MEMMAP_OUT_MAX(BOOT_MEM_MAX)
#define BITMAP_LIMIT (4ull << 30) /* what the boot page tables map */

struct pmm_range {
	uint64_t base, end; /* page aligned, end exclusive */
	uint64_t bump;      /* next never-used page */
};

static struct pmm_range ranges[RANGE_MAX];
static uint32_t range_count;
static uint32_t range_cursor; /* first range whose bump may still have pages */

static struct { uint64_t start, end; } reserved[RESERVE_MAX];
static uint32_t reserved_count;

static uint64_t free_list; /* physical address of first free page, 0 = none */
static uint64_t free_count, total_count;
static uint64_t phys_limit;

static struct memmap_range map[MAP_MAX]; /* the resolved map, set by pmm_init */
static uint32_t map_count;

static uint8_t *bitmap; /* one bit per page, pages 0 .. bitmap_pages-1 */
static uint64_t bitmap_pages;

static struct spinlock pmm_lock = SPINLOCK_INIT;

static inline void *phys_ptr(uint64_t phys)
{
	return (void *)(DIRECT_MAP_BASE + phys);
}

void pmm_reserve(uint64_t start, uint64_t end)
{
	if (reserved_count == RESERVE_MAX)
		panic("pmm: more than %d reserved regions", RESERVE_MAX);
	reserved[reserved_count].start = start & ~(uint64_t)(PAGE_SIZE - 1);
	reserved[reserved_count].end = end > UINT64_MAX - (PAGE_SIZE - 1)
		? UINT64_MAX & ~(uint64_t)(PAGE_SIZE - 1) /* rounding up would wrap */
		: (end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	reserved_count++;
}

/* Add [base, end) minus the reserved regions. */
static void add_range(uint64_t base, uint64_t end)
{
	for (uint32_t i = 0; i < reserved_count && base < end; i++) {
		uint64_t rs = reserved[i].start, re = reserved[i].end;

		if (re <= base || rs >= end)
			continue;
		if (rs > base)
			add_range(base, rs);
		base = re > base ? re : base;
	}
	if (base >= end)
		return;
	if (range_count == RANGE_MAX) {
		kprintf("pmm: more than %d usable ranges; ignoring 0x%llx-0x%llx\n",
			RANGE_MAX, (unsigned long long)base, (unsigned long long)end);
		return;
	}
	ranges[range_count++] = (struct pmm_range){base, end, base};
	total_count += (end - base) / PAGE_SIZE;
}

static void sort_ranges(void)
{
	for (uint32_t i = 1; i < range_count; i++)
		for (uint32_t j = i; j > 0 && ranges[j].base < ranges[j - 1].base; j--) {
			struct pmm_range t = ranges[j];
			ranges[j] = ranges[j - 1];
			ranges[j - 1] = t;
		}
}

/* Carve n contiguous pages for the bitmap from the first range that fits
 * below BITMAP_LIMIT; false if none does. */
static bool steal_contiguous(uint64_t n, uint64_t *phys)
{
	for (uint32_t i = 0; i < range_count; i++) {
		struct pmm_range *r = &ranges[i];

		if ((r->end - r->bump) / PAGE_SIZE >= n && r->bump + n * PAGE_SIZE <= BITMAP_LIMIT) {
			*phys = r->bump;
			r->bump += n * PAGE_SIZE;
			return true;
		}
	}
	return false;
}

static inline void bit_set(uint64_t page)
{
	bitmap[page >> 3] |= (uint8_t)(1u << (page & 7));
}

static inline void bit_clear(uint64_t page)
{
	bitmap[page >> 3] &= (uint8_t)~(1u << (page & 7));
}

static inline bool bit_test(uint64_t page)
{
	return bitmap[page >> 3] & (1u << (page & 7));
}

static void map_warn(void *ctx, const char *message)
{
	kprintf("memory map: %s\n", message);
}

/* The RAM ranges of the resolved map, pages inside them only, minus the
 * reserved regions. */
static void add_map_ranges(void)
{
	map_count = memmap_clip(boot_info.mem, boot_info.mem_count, DIRECT_MAP_SIZE, map,
				MAP_MAX, map_warn, NULL);

	for (uint32_t i = 0; i < map_count; i++) {
		if (map[i].end > phys_limit)
			phys_limit = map[i].end;
		if (map[i].type == BOOT_MEM_RAM)
			add_range((map[i].base + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1),
				  map[i].end & ~(uint64_t)(PAGE_SIZE - 1));
	}
}

void pmm_init(void)
{
	uint64_t bytes, first, bitmap_phys;

	/* Page 0 and the first MiB stay with the firmware. */
	pmm_reserve(0, 1 << 20);
	add_map_ranges();
	sort_ranges();
	for (uint32_t i = 1; i < range_count; i++)
		if (ranges[i].base < ranges[i - 1].end)
			panic("pmm: usable ranges overlap at 0x%llx, though memmap_clip "
			      "resolves every overlap", (unsigned long long)ranges[i].base);
	/*
	 * The bitmap covers every page up to the highest usable one and must
	 * lie below 4 GiB, where the boot page tables reach. A map that claims
	 * more memory than such a bitmap can fit in loses its highest ranges.
	 */
	for (;;) {
		struct pmm_range *top;

		if (!range_count)
			panic("pmm: the memory map leaves no usable memory; the kernel "
			      "cannot run without any");
		top = &ranges[range_count - 1];
		bitmap_pages = top->end / PAGE_SIZE;
		bytes = (bitmap_pages + 7) / 8;
		first = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		if (steal_contiguous(first, &bitmap_phys))
			break;
		kprintf("pmm: no room below 4 GiB for a %llu-page allocation bitmap; "
			"ignoring 0x%llx-0x%llx\n", (unsigned long long)first,
			(unsigned long long)top->base, (unsigned long long)top->end - 1);
		total_count -= (top->end - top->base) / PAGE_SIZE;
		range_count--;
	}
	bitmap = phys_ptr(bitmap_phys);
	memset(bitmap, 0, first * PAGE_SIZE);
	for (uint64_t i = 0; i < first; i++)
		bit_set(bitmap_phys / PAGE_SIZE + i);
	free_count = total_count - first;
}

/* The links of a page on the free list: [0] next, [1] prev. */
static inline uint64_t *links(uint64_t phys)
{
	return phys_ptr(phys);
}

static void list_push(uint64_t page)
{
	links(page)[0] = free_list;
	links(page)[1] = 0;
	if (free_list)
		links(free_list)[1] = page;
	free_list = page;
}

static void list_unlink(uint64_t page)
{
	uint64_t next = links(page)[0], prev = links(page)[1];

	if (prev)
		links(prev)[0] = next;
	else
		free_list = next;
	if (next)
		links(next)[1] = prev;
}

uint64_t pmm_alloc_page(void)
{
	uint64_t page = 0;
	bool irq = plat_spin_lock(&pmm_lock);

	if (free_list) {
		page = free_list;
		list_unlink(page);
	} else {
		while (range_cursor < range_count &&
		       ranges[range_cursor].bump == ranges[range_cursor].end)
			range_cursor++;
		if (range_cursor < range_count) {
			page = ranges[range_cursor].bump;
			ranges[range_cursor].bump += PAGE_SIZE;
		}
	}
	if (page) {
		if (bit_test(page / PAGE_SIZE))
			panic("pmm: page 0x%llx handed out twice", (unsigned long long)page);
		bit_set(page / PAGE_SIZE);
		free_count--;
	}
	plat_spin_unlock(&pmm_lock, irq);
	return page;
}

uint64_t pmm_alloc_zeroed_page(void)
{
	uint64_t page = pmm_alloc_page();

	if (page)
		memset(phys_ptr(page), 0, PAGE_SIZE);
	return page;
}

void pmm_free_page(uint64_t phys)
{
	bool irq;

	if (phys & (PAGE_SIZE - 1) || phys / PAGE_SIZE >= bitmap_pages)
		panic("pmm: freeing bad address 0x%llx", (unsigned long long)phys);
	irq = plat_spin_lock(&pmm_lock);
	if (!bit_test(phys / PAGE_SIZE))
		panic("pmm: freeing page 0x%llx, which is not allocated",
		      (unsigned long long)phys);
	bit_clear(phys / PAGE_SIZE);
	list_push(phys);
	free_count++;
	plat_spin_unlock(&pmm_lock, irq);
}

/* Is the page at phys, in range r, free? At or above the bump pointer every
 * page is; below it, the bitmap says. */
static inline bool page_free(const struct pmm_range *r, uint64_t phys)
{
	return phys >= r->bump || !bit_test(phys / PAGE_SIZE);
}

/*
 * The first run of n free pages in [r->base, top), or 0. Where the bitmap
 * has a whole byte of allocated pages the scan steps over the byte at once.
 */
static uint64_t find_run(const struct pmm_range *r, uint64_t n, uint64_t top)
{
	uint64_t start = r->base, p = r->base;

	while (p < top) {
		if (p + PAGE_SIZE * 8 <= r->bump && (p / PAGE_SIZE) % 8 == 0 &&
		    bitmap[p / PAGE_SIZE / 8] == 0xff) {
			p += PAGE_SIZE * 8;
			start = p;
			continue;
		}
		if (!page_free(r, p)) {
			p += PAGE_SIZE;
			start = p;
			continue;
		}
		p += PAGE_SIZE;
		if ((p - start) / PAGE_SIZE == n)
			return start;
	}
	return 0;
}

/* Take [start, start + n pages) of range r, every page of it free. */
static void take_run(struct pmm_range *r, uint64_t start, uint64_t n)
{
	uint64_t end = start + n * PAGE_SIZE;

	for (uint64_t p = start; p < end; p += PAGE_SIZE) {
		if (p < r->bump)
			list_unlink(p);
		bit_set(p / PAGE_SIZE);
	}
	if (end > r->bump)
		r->bump = end;
	free_count -= n;
}

uint64_t pmm_alloc_run(uint64_t n, uint64_t limit)
{
	bool irq;
	uint64_t start = 0;

	if (!n || n > total_count)
		return 0;
	irq = plat_spin_lock(&pmm_lock);
	/* The untouched tail of a range first: no scan, and the holes freed
	 * pages left stay for single pages. */
	for (uint32_t i = 0; i < range_count && !start; i++) {
		struct pmm_range *r = &ranges[i];
		uint64_t top = limit && limit < r->end ? limit & ~(uint64_t)(PAGE_SIZE - 1) : r->end;

		if (top > r->bump && (top - r->bump) / PAGE_SIZE >= n) {
			start = r->bump;
			take_run(r, start, n);
		}
	}
	for (uint32_t i = 0; i < range_count && !start; i++) {
		struct pmm_range *r = &ranges[i];
		uint64_t top = limit && limit < r->end ? limit & ~(uint64_t)(PAGE_SIZE - 1) : r->end;

		if (top > r->base && (top - r->base) / PAGE_SIZE >= n &&
		    (start = find_run(r, n, top)))
			take_run(r, start, n);
	}
	plat_spin_unlock(&pmm_lock, irq);
	return start;
}

void pmm_free_run(uint64_t phys, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		pmm_free_page(phys + i * PAGE_SIZE);
}

uint64_t pmm_page_limit(void)
{
	return bitmap_pages;
}

bool pmm_is_allocated(uint64_t phys)
{
	return phys / PAGE_SIZE < bitmap_pages && bit_test(phys / PAGE_SIZE);
}

uint64_t pmm_free_pages(void)
{
	return __atomic_load_n(&free_count, __ATOMIC_RELAXED);
}

uint64_t pmm_total_pages(void)
{
	return total_count;
}

uint32_t pmm_memory_map(const struct memmap_range **ranges_out)
{
	*ranges_out = map;
	return map_count;
}

uint64_t pmm_phys_limit(void)
{
	return phys_limit;
}
