/*
 * Address spaces, kernel home of the Address space door (sdk/idl/aspace.idl,
 * docs/isolation.md).
 *
 * Owns a table of ASPACE_MAX slots. A live slot holds a space: its page
 * tables (struct uvm, arch/uvm.h), its quota and the pages it holds (its
 * top-level table, the tables below it and every mapped page), a uid that is
 * never reused, a PCID (1 .. 63, from the uid: spaces may share one) and a
 * generation that every unmap and protect advances. A handle names a slot
 * and the slot's generation of use, so a destroyed space's handle is stale
 * (LM_ERR_NOENT), never another space.
 *
 * Every page a space maps is zero-filled and its own: unmap and destroy give
 * each back to pmm. Pages are never shared between spaces.
 *
 * TLB: a space's translations are cached under its PCID on the harts that
 * loaded its tables. Each hart remembers, per PCID, which space (uid) and
 * generation it last loaded; it keeps the PCID's translations on the next
 * load only if both match, else the load flushes them. So an unmap or
 * protect (which advance the generation), or another space with the same
 * PCID, never meets a stale translation; and no shootdown is needed, since
 * a space's tables are loaded only under its slot lock (aspace_run holds it
 * while ring 3 code runs, until the next interrupt or syscall), so nothing
 * changes the space while a hart has it loaded.
 *
 * Side channels: a hart that runs one space's code after another's issues
 * an IBPB first (where the CPU has it), so the first's branch history
 * steers nothing in the second; the way out to ring 3 clears CPU buffers
 * with VERW where MDS applies (arch/uvm.h).
 *
 * Owners: a space made in a gated call (kernel/gate.c) belongs to the
 * calling process, and in its gated calls a process can name only the
 * spaces it made: any other handle is LM_ERR_NOENT to it, as a stale one
 * is. Trusted callers name any space. A process's spaces are destroyed
 * when it ends (aspace_destroy_owned).
 *
 * Locking: slots_lock guards the free list and a slot's use count; each
 * slot's lock (interrupts off) guards the rest of the slot. Every routine
 * does its work under the slot's lock, so destroy cannot race a map.
 */
#include <stddef.h>

#include "arch/fpu.h"
#include "arch/layout.h"
#include "arch/spinlock.h"
#include "arch/trap.h"
#include "arch/uvm.h"
#include "arch/vm.h"
#include "core/elf.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/systab.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/aspace.h"
#include "kernel/gate.h"
#include "kernel/pmm.h"
#include "lib/string.h"
#include "services/service.h"

/* Where load places the first image in a space (the next after it). */
#define LOAD_BASE 0x400000ull

struct slot {
	struct spinlock lock;
	bool live;
	uint32_t use;          /* generation of use, in the handle */
	uint64_t uid, gen;
	unsigned pcid;
	uint64_t quota, pages; /* pages counts the top-level table too */
	uint64_t next_load;
	uint64_t owner;        /* the untrusted process that made it (gate_caller), or 0 */
	struct uvm uvm;
	int next_free;         /* free list, under slots_lock; -1 ends it */
};

static struct slot slots[ASPACE_MAX];
static struct spinlock slots_lock = SPINLOCK_INIT;
static int free_head = -1;
static bool slots_ready;
static uint64_t next_uid = 1;
static unsigned live_count;

/* The space whose code last ran on each hart (uid), and how many times a
 * hart went from one space's code to another's: each time an IBPB. */
static uint64_t last_run[HART_MAX];
static uint64_t space_switches;

/* What each hart last loaded under each PCID. */
static struct {
	uint64_t uid, gen;
} loaded[HART_MAX][UVM_PCID_COUNT];

static void slots_init(void) /* under slots_lock */
{
	for (int i = ASPACE_MAX - 1; i >= 0; i--) {
		slots[i].lock = (struct spinlock)SPINLOCK_INIT;
		slots[i].next_free = free_head;
		free_head = i;
	}
	slots_ready = true;
}

static aspace_space handle_of(int i, uint32_t use)
{
	return ((uint64_t)use << 32) | ((uint64_t)(i + 1) << 12);
}

/* The slot h names, locked (*irq for the unlock), or NULL if h is not a
 * live space's handle, or, in a gated call, not a space its caller made
 * (to it, others' spaces do not exist). */
static struct slot *grab(aspace_space h, bool *irq)
{
	uint64_t i = ((h >> 12) & 0xfffff) - 1, caller = gate_caller();
	struct slot *s;

	if ((h & 0xfff) || i >= ASPACE_MAX)
		return NULL;
	s = &slots[i];
	*irq = plat_spin_lock(&s->lock);
	if (s->live && s->use == (uint32_t)(h >> 32) && (!caller || s->owner == caller))
		return s;
	plat_spin_unlock(&s->lock, *irq);
	return NULL;
}

static void drop(struct slot *s, bool irq)
{
	plat_spin_unlock(&s->lock, irq);
}

static void free_leaf(void *ctx, uint64_t phys)
{
	struct slot *s = ctx;

	pmm_free_page(phys);
	s->pages--;
}

static unsigned vm_flags(aspace_prot prot)
{
	return prot == 1 ? VM_WRITE : prot == 2 ? VM_EXEC : VM_READ;
}

/* Is [addr, addr + pages pages) page aligned and inside the lower half? */
static bool range_ok(uintptr_t addr, uint64_t pages)
{
	return !(addr % PAGE_SIZE) && addr >= USER_BASE && addr < USER_END && pages &&
	       pages <= (USER_END - addr) / PAGE_SIZE;
}

static aspace_create_result door_create(uint64_t quota)
{
	struct uvm u;
	struct slot *s;
	bool irq;
	int i;

	if (!quota)
		return LM_ERR_INVAL;
	if (uvm_create(&u))
		return LM_ERR_NOMEM;
	irq = plat_spin_lock(&slots_lock);
	if (!slots_ready)
		slots_init();
	i = free_head;
	if (i >= 0) {
		free_head = slots[i].next_free;
		live_count++;
	}
	plat_spin_unlock(&slots_lock, irq);
	if (i < 0) {
		uvm_destroy(&u, free_leaf, NULL); /* empty: no leaf */
		return LM_ERR_FULL;
	}
	s = &slots[i];
	irq = plat_spin_lock(&s->lock);
	s->use++;
	if (!s->use)
		s->use = 1; /* 0 would make a handle below 0x1000 */
	s->uid = __atomic_fetch_add(&next_uid, 1, __ATOMIC_RELAXED);
	s->gen = 0;
	s->pcid = uvm_pcid_supported() ? 1 + s->uid % (UVM_PCID_COUNT - 1) : 0;
	s->quota = quota;
	s->pages = 1;
	s->next_load = LOAD_BASE;
	s->owner = gate_caller();
	s->uvm = u;
	s->live = true;
	plat_spin_unlock(&s->lock, irq);
	return handle_of(i, s->use);
}

static aspace_status door_destroy(aspace_space h)
{
	struct slot *s;
	bool irq;

	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	s->live = false;
	uvm_destroy(&s->uvm, free_leaf, s);
	drop(s, irq);
	irq = plat_spin_lock(&slots_lock);
	s->next_free = free_head;
	free_head = (int)(s - slots);
	live_count--;
	plat_spin_unlock(&slots_lock, irq);
	return LM_OK;
}

/* Unmap the pages of [addr, addr + pages pages) that are mapped and give
 * them back. Under the slot's lock. */
static void unmap_range(struct slot *s, uintptr_t addr, uint64_t pages)
{
	bool any = false;

	for (uint64_t i = 0; i < pages; i++) {
		uint64_t phys = uvm_unmap(&s->uvm, addr + i * PAGE_SIZE);

		if (phys) {
			pmm_free_page(phys);
			s->pages--;
			any = true;
		}
	}
	if (any)
		s->gen++;
}

/* Map pages fresh zeroed pages at addr with flags, all or none. Under the
 * slot's lock; the range is checked. */
static enum lm_err map_range(struct slot *s, uintptr_t addr, uint64_t pages, unsigned flags)
{
	enum lm_err err = LM_OK;
	uint64_t done;

	for (uint64_t i = 0; i < pages; i++)
		if (uvm_lookup(&s->uvm, addr + i * PAGE_SIZE, NULL, NULL))
			return LM_ERR_EXIST;
	for (done = 0; done < pages; done++) {
		uint64_t tables_before = s->uvm.table_pages, budget, phys;

		if (s->pages >= s->quota) {
			err = LM_ERR_NOMEM;
			break;
		}
		budget = s->quota - s->pages - 1; /* the page itself comes first */
		if (!(phys = pmm_alloc_zeroed_page())) {
			err = LM_ERR_NOMEM;
			break;
		}
		err = uvm_map(&s->uvm, addr + done * PAGE_SIZE, phys, flags, &budget);
		s->pages += s->uvm.table_pages - tables_before;
		if (err) {
			pmm_free_page(phys);
			break;
		}
		s->pages++;
	}
	if (err && done)
		unmap_range(s, addr, done);
	return err;
}


static enum lm_err protect_range(struct slot *s, uintptr_t addr, uint64_t pages, unsigned flags)
{
	for (uint64_t i = 0; i < pages; i++)
		if (!uvm_lookup(&s->uvm, addr + i * PAGE_SIZE, NULL, NULL))
			return LM_ERR_NOENT;
	for (uint64_t i = 0; i < pages; i++)
		uvm_protect(&s->uvm, addr + i * PAGE_SIZE, flags);
	s->gen++;
	return LM_OK;
}

/* map and protect: check the arguments, then op under the slot's lock. */
static aspace_status with_prot(aspace_space h, uintptr_t addr, uint64_t pages, aspace_prot prot,
			       enum lm_err (*op)(struct slot *, uintptr_t, uint64_t, unsigned))
{
	enum lm_err err;
	struct slot *s;
	bool irq;

	if (prot > ASPACE_PROT_MAX)
		return LM_ERR_INVAL;
	if (!range_ok(addr, pages))
		return LM_ERR_RANGE;
	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	err = op(s, addr, pages, vm_flags(prot));
	drop(s, irq);
	return err;
}

static aspace_status door_map(aspace_space h, uintptr_t addr, uint64_t pages, aspace_prot prot)
{
	return with_prot(h, addr, pages, prot, map_range);
}

static aspace_status door_protect(aspace_space h, uintptr_t addr, uint64_t pages, aspace_prot prot)
{
	return with_prot(h, addr, pages, prot, protect_range);
}

static aspace_status door_unmap(aspace_space h, uintptr_t addr, uint64_t pages)
{
	struct slot *s;
	bool irq;

	if (!range_ok(addr, pages))
		return LM_ERR_RANGE;
	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	unmap_range(s, addr, pages);
	drop(s, irq);
	return LM_OK;
}

/* Every page of [va, va + len) mapped, and writable if need_write: LM_OK,
 * else LM_ERR_FAULT. Under the slot's lock. */
static enum lm_err check_user(struct slot *s, uintptr_t va, uint64_t len, bool need_write)
{
	if (va + len < va || va < USER_BASE || va + len > USER_END)
		return LM_ERR_FAULT;
	for (uintptr_t p = va & ~(uintptr_t)(PAGE_SIZE - 1); p < va + len; p += PAGE_SIZE) {
		unsigned flags;

		if (!uvm_lookup(&s->uvm, p, NULL, &flags) || (need_write && !(flags & VM_WRITE)))
			return LM_ERR_FAULT;
	}
	return LM_OK;
}

/*
 * Copy len bytes between the space at va and buf (into the space if
 * to_space): every page of [va, va + len) must be mapped, and writable if
 * need_write; else LM_ERR_FAULT and nothing copied. Under the slot's lock.
 */
static enum lm_err copy_user(struct slot *s, uintptr_t va, void *buf, uint64_t len,
			     bool need_write, bool to_space)
{
	uint8_t *b = buf;

	if (check_user(s, va, len, need_write))
		return LM_ERR_FAULT;
	while (len) {
		uint64_t phys, chunk = PAGE_SIZE - (va % PAGE_SIZE);

		if (chunk > len)
			chunk = len;
		uvm_lookup(&s->uvm, va, &phys, NULL);
		if (to_space)
			memcpy(phys_to_virt(phys), b, chunk);
		else
			memcpy(b, phys_to_virt(phys), chunk);
		va += chunk;
		b += chunk;
		len -= chunk;
	}
	return LM_OK;
}

/* Is a page of [addr, addr + pages pages) mapped? Its index, else pages. */
static uint64_t first_mapped(struct slot *s, uint64_t addr, uint64_t pages)
{
	uint64_t i = 0;

	while (i < pages && !uvm_lookup(&s->uvm, addr + i * PAGE_SIZE, NULL, NULL))
		i++;
	return i;
}

/* The loader's view of a space (core/elf.h). A position-independent image
 * goes at next_load, moved past anything mapped in its way (an unmapped
 * page between two); the moves are bounded by the pages the quota allows. */
static enum lm_err load_reserve(void *ctx, uint64_t size, uint64_t *base)
{
	struct slot *s = ctx;
	uint64_t pages = size / PAGE_SIZE, busy;

	for (;;) {
		if (!range_ok(s->next_load, pages))
			return LM_ERR_NOSPACE;
		if ((busy = first_mapped(s, s->next_load, pages)) == pages)
			break;
		s->next_load += (busy + 2) * PAGE_SIZE;
	}
	if (map_range(s, s->next_load, pages, VM_WRITE))
		return LM_ERR_NOMEM;
	*base = s->next_load;
	s->next_load += size + PAGE_SIZE;
	return LM_OK;
}

/* An ET_EXEC image at its own addresses: in the lower half above page zero
 * (LM_ERR_RANGE), over nothing mapped (LM_ERR_EXIST). */
static enum lm_err load_reserve_at(void *ctx, uint64_t base, uint64_t size)
{
	struct slot *s = ctx;
	uint64_t pages = size / PAGE_SIZE;

	if (!range_ok(base, pages))
		return LM_ERR_RANGE;
	return map_range(s, base, pages, VM_WRITE); /* LM_ERR_EXIST, LM_ERR_NOMEM */
}

static enum lm_err load_protect(void *ctx, uint64_t addr, uint64_t len, unsigned prot)
{
	unsigned flags = (prot & ELF_PROT_WRITE ? VM_WRITE : 0) | (prot & ELF_PROT_EXEC ? VM_EXEC : 0);

	return protect_range(ctx, addr, len / PAGE_SIZE, flags);
}

static void load_release(void *ctx, uint64_t base, uint64_t size)
{
	unmap_range(ctx, base, size / PAGE_SIZE);
}

static void load_store(void *ctx, uint64_t addr, const void *src, uint64_t len)
{
	copy_user(ctx, addr, (void *)src, len, false, true); /* reserved: mapped */
}

static aspace_status door_load(aspace_space h, const uint8_t *image, uint64_t size,
			       struct aspace_image *out)
{
	struct elf_env env = {.reserve = load_reserve, .protect = load_protect,
			      .release = load_release, .store = load_store,
			      .reserve_at = load_reserve_at};
	struct elf_image img;
	enum lm_err err;
	struct slot *s;
	bool irq;

	if (!size || !systab_readable(image, size) || !systab_writable(out, sizeof *out))
		return LM_ERR_INVAL;
	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	env.ctx = s;
	err = elf_load(image, size, &env, &img, NULL, 0);
	drop(s, irq);
	if (!err)
		*out = (struct aspace_image){img.base, img.size, img.entry};
	return err;
}

static aspace_status door_query(aspace_space h, struct aspace_info *out)
{
	struct aspace_info info;
	struct slot *s;
	bool irq;

	if (!systab_writable(out, sizeof *out))
		return LM_ERR_INVAL;
	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	info = (struct aspace_info){s->quota, s->pages, s->pcid};
	drop(s, irq);
	*out = info;
	return LM_OK;
}

_Static_assert(offsetof(struct hart, id) == HART_ID_OFFSET, "arch/uvm.h's HART_ID_OFFSET");
_Static_assert(HART_MAX <= UVM_HARTS, "an entry block for every hart");

/* Load the space's tables on this hart with its PCID: the TLB's old
 * translations are kept only if this hart last loaded the same space at the
 * same generation. Under the slot's lock (interrupts off). */
static uint64_t cr3_for(struct slot *s)
{
	struct hart *me = this_hart();
	bool keep = loaded[me->id][s->pcid].uid == s->uid && loaded[me->id][s->pcid].gen == s->gen;

	loaded[me->id][s->pcid].uid = s->uid;
	loaded[me->id][s->pcid].gen = s->gen;
	return uvm_cr3(&s->uvm, s->pcid, keep);
}

enum lm_err aspace_probe_read(aspace_space h, uintptr_t va, uint64_t *value)
{
	unsigned flags;
	struct slot *s;
	bool irq;

	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	if ((va & 7) || !uvm_lookup(&s->uvm, va, NULL, &flags)) {
		drop(s, irq);
		return LM_ERR_FAULT;
	}
	*value = uvm_probe_read(cr3_for(s), va); /* interrupts are off: this hart */
	drop(s, irq);
	return LM_OK;
}

enum lm_err aspace_write(aspace_space h, uintptr_t va, const void *src, uint64_t len)
{
	enum lm_err err;
	struct slot *s;
	bool irq;

	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	err = copy_user(s, va, (void *)src, len, true, true);
	drop(s, irq);
	return err;
}

/* An interrupt, not an exception of the code that ran: delivered to its
 * handler, and the code goes on. */
static bool is_interrupt(uint64_t trap)
{
	return trap == VEC_NMI || (trap >= VEC_FIRST_IRQ && trap < UVM_TRAP_SYSCALL);
}

void aspace_fpu_init(void *area)
{
	memset(area, 0, fpu_area_size);
	*(uint16_t *)area = 0x37f;                        /* x87 control word */
	*(uint32_t *)((uint8_t *)area + 24) = 0x1f80;     /* MXCSR: all masked */
}

enum lm_err aspace_run(aspace_space h, struct uvm_regs *r, void *fpu_area)
{
	return aspace_run_until(h, r, fpu_area, NULL, NULL);
}

enum lm_err aspace_run_until(aspace_space h, struct uvm_regs *r, void *fpu_area,
			     bool (*stop)(const void *ctx), const void *ctx)
{
	uint64_t slice_end = plat_now_ns() + ASPACE_SLICE_NS;
	struct slot *s;
	bool irq;

	for (;;) {
		if (!(s = grab(h, &irq)))
			return LM_ERR_NOENT;
		timer_arm_slice(slice_end);
		if (last_run[this_hart()->id] != s->uid) {
			if (last_run[this_hart()->id]) {
				uvm_ibpb(); /* another space's branches steer nothing here */
				__atomic_fetch_add(&space_switches, 1, __ATOMIC_RELAXED);
			}
			last_run[this_hart()->id] = s->uid;
		}
		if (fpu_area)
			fpu_restore(fpu_area);
		uvm_run_user(r, cr3_for(s));
		if (fpu_area)
			fpu_save(fpu_area);
		drop(s, irq);
		if (!is_interrupt(r->trap))
			return LM_OK;
		uvm_deliver((unsigned)r->trap); /* the timer may switch threads here */
		if (stop && stop(ctx)) {
			r->trap = ASPACE_TRAP_STOPPED;
			return LM_OK;
		}
		if (plat_now_ns() >= slice_end) {
			thread_yield(); /* behind the threads of its priority */
			slice_end = plat_now_ns() + ASPACE_SLICE_NS;
		}
	}
}

/* One page of a copy: a fresh page with the same bytes and protection, in
 * the copy's quota. */
static enum lm_err copy_page(void *ctx, uintptr_t va, uint64_t phys, unsigned flags)
{
	struct slot *to = ctx;
	uint64_t tables_before = to->uvm.table_pages, budget, page;
	enum lm_err err;

	if (to->pages >= to->quota)
		return LM_ERR_NOMEM;
	budget = to->quota - to->pages - 1;
	if (!(page = pmm_alloc_page()))
		return LM_ERR_NOMEM;
	memcpy(phys_to_virt(page), phys_to_virt(phys), PAGE_SIZE);
	err = uvm_map(&to->uvm, va, page, flags, &budget);
	to->pages += to->uvm.table_pages - tables_before;
	if (err) {
		pmm_free_page(page);
		return err;
	}
	to->pages++;
	return LM_OK;
}

enum lm_err aspace_copy(aspace_space from, uint64_t quota, aspace_space *out)
{
	aspace_create_result c = door_create(quota);
	struct slot *s, *to;
	bool irq, irq_to;
	enum lm_err err;

	if (!aspace_create_result_is_space(c))
		return (enum lm_err)c;
	/* The copy's handle is known to no one else yet: taking its lock
	 * inside the original's cannot meet the opposite order. */
	if (!(s = grab(from, &irq))) {
		door_destroy(c);
		return LM_ERR_NOENT;
	}
	to = grab(c, &irq_to);
	err = uvm_each(&s->uvm, copy_page, to);
	to->next_load = s->next_load;
	drop(to, irq_to);
	drop(s, irq);
	if (err) {
		door_destroy(c);
		return err;
	}
	*out = c;
	return LM_OK;
}

uint64_t aspace_switches(void)
{
	return __atomic_load_n(&space_switches, __ATOMIC_RELAXED);
}

enum lm_err aspace_read(aspace_space h, uintptr_t va, void *dst, uint64_t len, bool need_write)
{
	enum lm_err err;
	struct slot *s;
	bool irq;

	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	err = copy_user(s, va, dst, len, need_write, false);
	drop(s, irq);
	return err;
}

enum lm_err aspace_check(aspace_space h, uintptr_t va, uint64_t len, bool need_write)
{
	enum lm_err err;
	struct slot *s;
	bool irq;

	if (!(s = grab(h, &irq)))
		return LM_ERR_NOENT;
	err = check_user(s, va, len, need_write);
	drop(s, irq);
	return err;
}

unsigned aspace_count(void)
{
	return __atomic_load_n(&live_count, __ATOMIC_RELAXED);
}

void aspace_destroy_owned(uint64_t owner)
{
	for (int i = 0; owner && i < ASPACE_MAX; i++) {
		struct slot *s = &slots[i];
		bool irq = plat_spin_lock(&s->lock);
		aspace_space h = s->live && s->owner == owner ? handle_of(i, s->use) : 0;

		plat_spin_unlock(&s->lock, irq);
		if (h)
			door_destroy(h); /* LM_ERR_NOENT if destroyed meanwhile */
	}
}

static const struct aspace_door aspace_door = {
	.header = ASPACE_DOOR_HEADER,
	.create = door_create,
	.destroy = door_destroy,
	.map = door_map,
	.protect = door_protect,
	.unmap = door_unmap,
	.load = door_load,
	.query = door_query,
};

const struct aspace_door *aspace_door_kernel(void)
{
	return &aspace_door;
}

void aspace_door_publish(void)
{
	service_register(&aspace_door, "aspace");
}
