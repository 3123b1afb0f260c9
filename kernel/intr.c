/*
 * Device interrupts as events (kernel/intr.h): the bindings, the vector
 * pool and the one handler every device vector shares.
 *
 * Owns: the binding table and the vector pool, under irq_lock; each
 * binding's count and generation also under its own lock (the handler's).
 * vector_slot maps a vector to the slot bound to it (or NO_SLOT); it is
 * written under irq_lock and read by the handler without it, which then
 * checks, under the binding's lock, that the binding is live and still
 * has that vector: an interrupt still pending when its binding went away
 * is acknowledged and dropped.
 */
#include "arch/apic.h"
#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "arch/trap.h"
#include "core/handle.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/console.h"
#include "kernel/intr.h"
#include "kernel/ioapic.h"
#include "kernel/msi.h"
#include "kernel/pci.h"
#include "kernel/trap.h"

enum kind { KIND_GSI, KIND_INTX, KIND_MSI, KIND_MSIX };

struct binding {
	struct spinlock lock;
	uint32_t gen;          /* odd while bound, even while free */
	uint8_t kind;          /* enum kind */
	uint8_t vector;
	bool level;            /* masked by the handler, unmasked by intr_unmask */
	uint32_t hart;
	uint32_t gsi;          /* KIND_GSI, KIND_INTX */
	uint32_t func;         /* KIND_INTX, KIND_MSI, KIND_MSIX */
	uint32_t entry;        /* KIND_MSIX: the table entry; KIND_GSI: INTR_GSI_* */
	uint64_t thread, bits;
	uint64_t count;
};

#define NO_SLOT 0xff
#define SLOT_BITS 8

static struct spinlock irq_lock = SPINLOCK_INIT;
static struct binding bindings[INTR_BINDINGS_MAX];
static uint8_t vector_slot[256];
static unsigned vector_next = INTR_VECTOR_FIRST;
static uint32_t hart_next;

/* ---- the handler ---- */

static void device_irq(struct trap_frame *f)
{
	uint8_t slot = __atomic_load_n(&vector_slot[f->vector], __ATOMIC_ACQUIRE);
	uint64_t thread = 0, bits = 0;

	if (slot != NO_SLOT) {
		struct binding *b = &bindings[slot];

		spin_lock(&b->lock);
		if ((b->gen & 1) && b->vector == f->vector) {
			if (b->level)
				ioapic_mask(b->gsi, true);
			b->count++;
			thread = b->thread;
			bits = b->bits;
		}
		spin_unlock(&b->lock);
	}
	/* A thread that ended meanwhile: its handle says so, and the
	 * interrupt goes nowhere (a level line stays masked). */
	if (thread)
		thread_signal_handle(thread, bits);
	apic_eoi();
}

void intr_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		vector_slot[v] = NO_SLOT;
	for (unsigned v = INTR_VECTOR_FIRST; v <= INTR_VECTOR_LAST; v++)
		irq_set_handler((uint8_t)v, device_irq);
	for (unsigned i = 0; i < INTR_BINDINGS_MAX; i++)
		bindings[i].lock = (struct spinlock)SPINLOCK_INIT;
	ioapic_init();
	kprintf("irq: vectors 0x%x-0x%x for devices, %u bindings at most\n", INTR_VECTOR_FIRST,
		INTR_VECTOR_LAST, INTR_BINDINGS_MAX);
}

/* ---- the table (caller holds irq_lock) ---- */

static unsigned vector_alloc(void)
{
	unsigned n = INTR_VECTOR_LAST - INTR_VECTOR_FIRST + 1;

	for (unsigned i = 0; i < n; i++) {
		unsigned v = vector_next;

		vector_next = v == INTR_VECTOR_LAST ? INTR_VECTOR_FIRST : v + 1;
		if (vector_slot[v] == NO_SLOT)
			return v;
	}
	return 0;
}

static struct binding *find(uint32_t id)
{
	struct binding *b;

	if ((id & ((1u << SLOT_BITS) - 1)) >= INTR_BINDINGS_MAX)
		return NULL;
	b = &bindings[id & ((1u << SLOT_BITS) - 1)];
	return (b->gen & 1) && b->gen == id >> SLOT_BITS ? b : NULL;
}

/* The binding id names, with irq_lock held and interrupts off (*irq says
 * how they were), or NULL with nothing held. */
static struct binding *lock_find(uint32_t id, bool *irq)
{
	struct binding *b;

	*irq = plat_spin_lock(&irq_lock);
	b = find(id);
	if (!b)
		plat_spin_unlock(&irq_lock, *irq);
	return b;
}

static void table_unlock(bool irq)
{
	plat_spin_unlock(&irq_lock, irq);
}

/* Is the source of want bound already? A GSI is one source whoever asks
 * (no sharing). A function's INTx, MSI and MSI-X exclude each other (the
 * device uses one of them at a time); its MSI-X entries are each their own
 * source. */
static bool taken(const struct binding *want)
{
	for (unsigned i = 0; i < INTR_BINDINGS_MAX; i++) {
		const struct binding *b = &bindings[i];
		bool gsi_a = b->kind == KIND_GSI || b->kind == KIND_INTX;
		bool gsi_b = want->kind == KIND_GSI || want->kind == KIND_INTX;

		if (!(b->gen & 1))
			continue;
		if (gsi_a && gsi_b && b->gsi == want->gsi)
			return true;
		if (b->kind == KIND_GSI || want->kind == KIND_GSI || b->func != want->func)
			continue;
		if (b->kind != want->kind || b->kind != KIND_MSIX || b->entry == want->entry)
			return true;
	}
	return false;
}

/* Another live MSI-X binding of func than b? */
static bool msix_in_use(uint32_t func, const struct binding *b)
{
	for (unsigned i = 0; i < INTR_BINDINGS_MAX; i++)
		if (&bindings[i] != b && (bindings[i].gen & 1) && bindings[i].kind == KIND_MSIX &&
		    bindings[i].func == func)
			return true;
	return false;
}

/* Point the hardware at the binding's vector and hart. */
static enum lm_err program(const struct binding *b)
{
	uint32_t apic = harts[b->hart].apic_id;

	switch (b->kind) {
	case KIND_MSI:
		return msi_enable(b->func, b->vector, apic);
	case KIND_MSIX:
		return msix_enable_entry(b->func, b->entry, b->vector, apic);
	default: {
		bool low = b->kind == KIND_INTX || (b->entry & INTR_GSI_ACTIVE_LOW);

		return ioapic_route(b->gsi, b->vector, apic, b->level, low, false);
	}
	}
}

static void silence(const struct binding *b)
{
	switch (b->kind) {
	case KIND_MSI:
		msi_disable(b->func);
		break;
	case KIND_MSIX:
		msix_mask_entry(b->func, b->entry);
		if (!msix_in_use(b->func, b))
			msix_disable(b->func);
		break;
	default:
		ioapic_mask(b->gsi, true);
	}
}

/* Check what the caller gave, then take a slot and a vector, program the
 * source and publish the binding. want holds the source and thread. */
static enum lm_err bind(struct binding *want, uint8_t bit, uint32_t hart, uint32_t *id)
{
	struct handle_ref ref;
	struct binding *b = NULL;
	unsigned vector;
	enum lm_err err;
	bool irq;

	if (bit > INTR_BIT_MAX || (hart != INTR_HART_ANY && hart >= hart_count))
		return LM_ERR_RANGE;
	err = handle_lock(want->thread, &ref); /* alive now; the handler checks again */
	if (err)
		return err;
	handle_unlock(&ref);
	want->bits = 1ull << bit;

	irq = plat_spin_lock(&irq_lock);
	if (taken(want)) {
		err = LM_ERR_BUSY;
		goto out;
	}
	for (unsigned i = 0; i < INTR_BINDINGS_MAX && !b; i++)
		if (!(bindings[i].gen & 1))
			b = &bindings[i];
	vector = vector_alloc();
	if (!b || !vector) {
		err = LM_ERR_FULL;
		goto out;
	}
	want->vector = (uint8_t)vector;
	want->hart = hart != INTR_HART_ANY ? hart : hart_next++ % hart_count;
	/* Published before the hardware is pointed at it, so that an
	 * interrupt the device sends at once finds its binding. The handler
	 * reads nothing of a free binding but its generation: the fields
	 * first, then the generation under its lock. */
	b->kind = want->kind;
	b->vector = want->vector;
	b->level = want->level;
	b->hart = want->hart;
	b->gsi = want->gsi;
	b->func = want->func;
	b->entry = want->entry;
	b->thread = want->thread;
	b->bits = want->bits;
	b->count = 0;
	spin_lock(&b->lock);
	b->gen++;
	spin_unlock(&b->lock);
	__atomic_store_n(&vector_slot[vector], (uint8_t)(b - bindings), __ATOMIC_RELEASE);
	err = program(b);
	if (err) {
		__atomic_store_n(&vector_slot[vector], NO_SLOT, __ATOMIC_RELEASE);
		spin_lock(&b->lock);
		b->gen++;
		spin_unlock(&b->lock);
		goto out;
	}
	*id = b->gen << SLOT_BITS | (uint32_t)(b - bindings);
out:
	table_unlock(irq);
	return err;
}

enum lm_err intr_bind_gsi(uint32_t gsi, uint32_t flags, uint64_t thread, uint8_t bit,
			 uint32_t hart, uint32_t *id)
{
	struct binding want = {.kind = KIND_GSI, .gsi = gsi, .entry = flags, .thread = thread,
			       .level = flags & INTR_GSI_LEVEL};

	if (flags & ~(INTR_GSI_LEVEL | INTR_GSI_ACTIVE_LOW))
		return LM_ERR_INVAL;
	if (!ioapic_serves(gsi))
		return LM_ERR_UNSUPPORTED;
	return bind(&want, bit, hart, id);
}

enum lm_err intr_bind_isa(uint8_t isa_irq, uint64_t thread, uint8_t bit, uint32_t hart,
			 uint32_t *id)
{
	uint32_t gsi;
	bool level, low;

	if (isa_irq >= 16)
		return LM_ERR_RANGE;
	ioapic_isa_gsi(isa_irq, &gsi, &level, &low);
	return intr_bind_gsi(gsi, (level ? INTR_GSI_LEVEL : 0) | (low ? INTR_GSI_ACTIVE_LOW : 0),
			    thread, bit, hart, id);
}

/* PCI configuration: interrupt line (firmware's choice) and pin (0: none). */
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

enum lm_err intr_bind_intx(uint32_t func, uint64_t thread, uint8_t bit, uint32_t hart,
			  uint32_t *id)
{
	struct binding want = {.kind = KIND_INTX, .func = func, .thread = thread, .level = true};
	uint32_t line, pin;
	bool level, low;

	if (pci_cfg_read(func, PCI_INTERRUPT_PIN, 1, &pin) ||
	    pci_cfg_read(func, PCI_INTERRUPT_LINE, 1, &line))
		return LM_ERR_INVAL;
	/* No pin, or firmware gave it no line (0xff): nothing to route. */
	if (!pin || pin > 4 || line >= 16)
		return LM_ERR_UNSUPPORTED;
	ioapic_isa_gsi((uint8_t)line, &want.gsi, &level, &low);
	if (!ioapic_serves(want.gsi))
		return LM_ERR_UNSUPPORTED;
	return bind(&want, bit, hart, id);
}

enum lm_err intr_bind_msi(uint32_t func, uint64_t thread, uint8_t bit, uint32_t hart,
			 uint32_t *id)
{
	struct binding want = {.kind = KIND_MSI, .func = func, .thread = thread};

	if (!pci_function_get(func))
		return LM_ERR_INVAL;
	if (!msi_cap_offset(func, PCI_CAP_MSI))
		return LM_ERR_UNSUPPORTED;
	return bind(&want, bit, hart, id);
}

enum lm_err intr_bind_msix(uint32_t func, uint32_t entry, uint64_t thread, uint8_t bit,
			  uint32_t hart, uint32_t *id)
{
	struct binding want = {.kind = KIND_MSIX, .func = func, .entry = entry, .thread = thread};
	uint32_t entries;
	enum lm_err err = msix_table_size(func, &entries);

	if (err)
		return err;
	if (entry >= entries)
		return LM_ERR_RANGE;
	return bind(&want, bit, hart, id);
}

enum lm_err intr_unbind(uint32_t id)
{
	bool irq;
	struct binding *b = lock_find(id, &irq);

	if (!b)
		return LM_ERR_NOENT;
	silence(b);
	spin_lock(&b->lock);
	b->gen++;
	spin_unlock(&b->lock);
	__atomic_store_n(&vector_slot[b->vector], NO_SLOT, __ATOMIC_RELEASE);
	table_unlock(irq);
	return LM_OK;
}

enum lm_err intr_unmask(uint32_t id)
{
	bool irq;
	struct binding *b = lock_find(id, &irq);

	if (!b)
		return LM_ERR_NOENT;
	if (b->level)
		ioapic_mask(b->gsi, false);
	table_unlock(irq);
	return LM_OK;
}

enum lm_err intr_count(uint32_t id, uint64_t *out)
{
	bool irq;
	struct binding *b = lock_find(id, &irq);

	if (!b)
		return LM_ERR_NOENT;
	spin_lock(&b->lock);
	*out = b->count;
	spin_unlock(&b->lock);
	table_unlock(irq);
	return LM_OK;
}

enum lm_err intr_where(uint32_t id, uint8_t *vector, uint32_t *hart)
{
	bool irq;
	struct binding *b = lock_find(id, &irq);

	if (!b)
		return LM_ERR_NOENT;
	*vector = b->vector;
	*hart = b->hart;
	table_unlock(irq);
	return LM_OK;
}
