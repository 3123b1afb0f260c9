/*
 * The page tables of one address space (see arch/uvm.h for the model).
 *
 * Four levels, as the kernel's (arch/x86_64/vm.c), but only 4 KiB leaves,
 * every leaf user-accessible, and only the lower half's slots (0 .. 255)
 * owned: the top-level entry of the entry region is the kernel's, copied,
 * and never freed with the space. Intermediate entries allow everything
 * (present, writable, user); the leaf decides.
 *
 * Calls upward (arch/upcalls.h): pmm_alloc_zeroed_page and pmm_free_page
 * for the tables.
 */
#include <stddef.h>

#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/upcalls.h"
#include "arch/uvm.h"
#include "arch/vm.h"
#include "lib/string.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define CPUID1_ECX_PCID (1u << 17)
#define CR4_PCIDE (1ull << 17)
#define CR3_NOFLUSH (1ull << 63)

/* entry.S: the code in the entry pages. */
extern char __entry_text_start[];
extern uint64_t uvm_entry_probe(uint64_t cr3, uintptr_t va, uint64_t kernel_cr3);

/* Where the entry pages' symbol sym is mapped in every space. */
static uintptr_t entry_alias(const void *sym)
{
	return ENTRY_BASE + ((uintptr_t)sym - (uintptr_t)__entry_text_start);
}

static inline unsigned idx(uintptr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static inline uint64_t *table(uint64_t phys)
{
	return phys_to_virt(phys & PTE_ADDR);
}

bool uvm_pcid_supported(void)
{
	static int known = -1; /* every hart finds the same answer */
	uint32_t a, b, c, d;

	if (known < 0) {
		cpuid(1, 0, &a, &b, &c, &d);
		known = (c & CPUID1_ECX_PCID) != 0;
	}
	return known;
}

enum lm_err uvm_create(struct uvm *u)
{
	uint64_t pml4 = pmm_alloc_zeroed_page();

	if (!pml4)
		return LM_ERR_NOMEM;
	table(pml4)[idx(ENTRY_BASE, 3)] = vm_entry_slot();
	*u = (struct uvm){pml4, 0};
	return LM_OK;
}

/* Free the table at phys (level 2, 1 or 0 below it), its leaves first. */
static void free_below(struct uvm *u, uint64_t phys, int level,
		       void (*leaf)(void *, uint64_t), void *ctx)
{
	uint64_t *t = table(phys);

	for (int i = 0; i < 512; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (level == 0)
			leaf(ctx, t[i] & PTE_ADDR);
		else
			free_below(u, t[i] & PTE_ADDR, level - 1, leaf, ctx);
	}
	pmm_free_page(phys & PTE_ADDR);
	u->table_pages--;
}

void uvm_destroy(struct uvm *u, void (*leaf)(void *ctx, uint64_t phys), void *ctx)
{
	uint64_t *top = table(u->pml4);

	for (unsigned i = 0; i < idx(USER_END - 1, 3) + 1; i++)
		if (top[i] & PTE_P)
			free_below(u, top[i], 2, leaf, ctx);
	if (u->table_pages)
		panic("uvm: %llu tables left after destroying a space",
		      (unsigned long long)u->table_pages);
	pmm_free_page(u->pml4);
	u->pml4 = 0;
}

/* The leaf entry for va, creating tables (within *tables_left) if create. */
static uint64_t *walk(struct uvm *u, uintptr_t va, bool create, uint64_t *tables_left,
		      enum lm_err *err)
{
	uint64_t *t = table(u->pml4);

	for (int l = 3; l > 0; l--) {
		uint64_t *e = &t[idx(va, l)];

		if (!(*e & PTE_P)) {
			uint64_t page;

			if (!create) {
				*err = LM_ERR_NOENT;
				return NULL;
			}
			if (!*tables_left || !(page = pmm_alloc_zeroed_page())) {
				*err = LM_ERR_NOMEM;
				return NULL;
			}
			(*tables_left)--;
			u->table_pages++;
			*e = page | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	return &t[idx(va, 0)];
}

static bool user_page(uintptr_t va)
{
	return !(va & (PAGE_SIZE - 1)) && va >= USER_BASE && va < USER_END;
}

static uint64_t leaf_bits(unsigned flags)
{
	uint64_t bits = PTE_P | PTE_U;

	if (flags & VM_WRITE)
		bits |= PTE_W;
	if (!(flags & VM_EXEC) && vm_nx_enabled())
		bits |= PTE_NX;
	return bits;
}

enum lm_err uvm_map(struct uvm *u, uintptr_t va, uint64_t phys, unsigned flags,
		    uint64_t *tables_left)
{
	enum lm_err err = LM_OK;
	uint64_t *e;

	if (!user_page(va))
		return LM_ERR_RANGE;
	e = walk(u, va, true, tables_left, &err);
	if (!e)
		return err;
	if (*e & PTE_P)
		return LM_ERR_EXIST;
	*e = (phys & PTE_ADDR) | leaf_bits(flags);
	return LM_OK;
}

uint64_t uvm_unmap(struct uvm *u, uintptr_t va)
{
	enum lm_err err;
	uint64_t *e, phys;

	if (!user_page(va) || !(e = walk(u, va, false, NULL, &err)) || !(*e & PTE_P))
		return 0;
	phys = *e & PTE_ADDR;
	*e = 0;
	return phys;
}

enum lm_err uvm_protect(struct uvm *u, uintptr_t va, unsigned flags)
{
	enum lm_err err;
	uint64_t *e;

	if (!user_page(va) || !(e = walk(u, va, false, NULL, &err)) || !(*e & PTE_P))
		return LM_ERR_NOENT;
	*e = (*e & PTE_ADDR) | leaf_bits(flags);
	return LM_OK;
}

/* The flags (VM_WRITE, VM_EXEC) of a leaf entry. */
static unsigned leaf_flags(uint64_t e)
{
	return (e & PTE_W ? VM_WRITE : 0) | (e & PTE_NX || !vm_nx_enabled() ? 0 : VM_EXEC);
}

bool uvm_lookup(const struct uvm *u, uintptr_t va, uint64_t *phys, unsigned *flags)
{
	const uint64_t *t = table(u->pml4);
	uint64_t e = 0;

	if (va < USER_BASE || va >= USER_END)
		return false;
	for (int l = 3; l >= 0; l--) {
		e = t[idx(va, l)];
		if (!(e & PTE_P))
			return false;
		t = table(e);
	}
	if (phys)
		*phys = (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
	if (flags)
		*flags = leaf_flags(e);
	return true;
}

/* uvm_each below the table at phys, of the given level, covering va on. */
static enum lm_err each_below(uint64_t phys, int level, uintptr_t va,
			      enum lm_err (*fn)(void *, uintptr_t, uint64_t, unsigned), void *ctx)
{
	const uint64_t *t = table(phys);
	enum lm_err err;

	for (unsigned i = 0; i < 512; i++) {
		uintptr_t at = va + ((uintptr_t)i << (12 + 9 * level));

		if (!(t[i] & PTE_P))
			continue;
		err = level ? each_below(t[i] & PTE_ADDR, level - 1, at, fn, ctx)
			    : fn(ctx, at, t[i] & PTE_ADDR, leaf_flags(t[i]));
		if (err)
			return err;
	}
	return LM_OK;
}

enum lm_err uvm_each(const struct uvm *u,
		     enum lm_err (*fn)(void *ctx, uintptr_t va, uint64_t phys, unsigned flags),
		     void *ctx)
{
	const uint64_t *top = table(u->pml4);
	enum lm_err err;

	for (unsigned i = 0; i < idx(USER_END - 1, 3) + 1; i++)
		if ((top[i] & PTE_P) &&
		    (err = each_below(top[i] & PTE_ADDR, 2, (uintptr_t)i << 39, fn, ctx)))
			return err;
	return LM_OK;
}

/* PCIDs on this hart, if the CPU has them: CR4.PCIDE may be set only while
 * CR3's PCID is 0, which the kernel's tables always have. */
static bool pcid_on(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PCIDE)
		return true;
	if (!uvm_pcid_supported() || (read_cr3() & 0xfff))
		return false;
	write_cr4(cr4 | CR4_PCIDE);
	return true;
}

uint64_t uvm_cr3(const struct uvm *u, unsigned pcid, bool keep)
{
	if (!uvm_pcid_supported())
		return u->pml4;
	return u->pml4 | (pcid & (UVM_PCID_COUNT - 1)) | (keep ? CR3_NOFLUSH : 0);
}

uint64_t uvm_probe_read(uint64_t cr3, uintptr_t va)
{
	uint64_t (*probe)(uint64_t, uintptr_t, uint64_t) =
		(void *)entry_alias((const void *)uvm_entry_probe);
	uint64_t kernel_cr3 = vm_kernel_cr3();

	if (pcid_on())
		kernel_cr3 |= CR3_NOFLUSH;
	else
		cr3 &= PTE_ADDR; /* no PCID bits, no no-flush bit */
	return probe(cr3, va, kernel_cr3);
}

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE 1u
#define FMASK_BITS 0x47700u     /* TF, IF, DF, IOPL, NT, AC cleared on syscall */
#define RFLAGS_USER 0xcd5u      /* CF, PF, AF, ZF, SF, DF, OF: ring 3's own */
#define RFLAGS_FIXED 0x202u     /* bit 1, and IF */

extern char uvm_entry_data[], uvm_user_idt[], uvm_entry_syscall[];
extern const uint64_t uvm_user_stubs[256], uvm_int_stubs[256];
extern void uvm_entry_user(struct uvm_regs *r, uint64_t cr3);

_Static_assert(sizeof(struct uvm_regs) == 22 * 8, "entry.S's R_* offsets");
_Static_assert(UVM_BLOCKS_ALIAS + (UVM_HARTS << BLOCK_SHIFT) <= ENTRY_BASE + ENTRY_SIZE,
	       "entry blocks fit");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline uint64_t *data_word(unsigned offset)
{
	return (uint64_t *)(uvm_entry_data + offset);
}

/* The ring 3 IDT: every vector to its stub in the entry pages, an
 * interrupt gate (interrupts off) on RSP0, the hart's block stack. Built
 * by the first hart that runs ring 3 code; the same every time. */
static void user_idt_build(void)
{
	uint64_t *idt = (uint64_t *)uvm_user_idt;
	struct idt_pointer p = {4096 - 1, ENTRY_DATA_BASE + 4096};

	for (int v = 0; v < 256; v++) {
		uint64_t a = entry_alias((const void *)uvm_user_stubs[v]);

		idt[2 * v] = (a & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
			     ((a >> 16 & 0xffff) << 48);
		idt[2 * v + 1] = a >> 32;
	}
	memcpy(data_word(UVM_DATA_USER_IDTR), &p, sizeof p);
}

/* This hart's syscall MSRs, once; the words the entry code reads, the
 * same on every hart. */
static void entry_on(bool pcid)
{
	static bool idt_built;
	struct idt_pointer kernel_idtr;
	uint64_t efer = rdmsr(MSR_EFER);

	*data_word(UVM_DATA_KERNEL_CR3) = vm_kernel_cr3() | (pcid ? CR3_NOFLUSH : 0);
	__asm__ volatile("sidt %0" : "=m"(kernel_idtr));
	memcpy(data_word(UVM_DATA_KERNEL_IDTR), &kernel_idtr, sizeof kernel_idtr);
	if (!__atomic_load_n(&idt_built, __ATOMIC_ACQUIRE)) {
		user_idt_build(); /* idempotent: two harts may both */
		*data_word(UVM_DATA_VERW) = uvm_needs_verw();
		__atomic_store_n(&idt_built, true, __ATOMIC_RELEASE);
	}
	if (efer & EFER_SCE)
		return;
	/* syscall: CS 0x08, SS 0x10; sysret's base 0x10 (user data 0x18, code 0x20). */
	wrmsr(MSR_STAR, (0x10ull << 48) | (0x08ull << 32));
	wrmsr(MSR_LSTAR, entry_alias(uvm_entry_syscall));
	wrmsr(MSR_FMASK, FMASK_BITS);
	wrmsr(MSR_KERNEL_GS_BASE, 0); /* ring 3's GS base */
	wrmsr(MSR_EFER, efer | EFER_SCE);
}

#define MSR_PRED_CMD 0x49
#define MSR_ARCH_CAPABILITIES 0x10a
#define CPUID7_EDX_MD_CLEAR (1u << 10)
#define CPUID7_EDX_IBPB (1u << 26)      /* IBRS and IBPB */
#define CPUID7_EDX_ARCH_CAP (1u << 29)
#define ARCH_CAP_MDS_NO (1ull << 5)

static uint32_t cpuid7_edx(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	return d;
}

bool uvm_has_ibpb(void)
{
	return cpuid7_edx() & CPUID7_EDX_IBPB;
}

bool uvm_needs_verw(void)
{
	uint32_t d = cpuid7_edx();

	if (!(d & CPUID7_EDX_MD_CLEAR))
		return false;
	return !(d & CPUID7_EDX_ARCH_CAP) || !(rdmsr(MSR_ARCH_CAPABILITIES) & ARCH_CAP_MDS_NO);
}

void uvm_ibpb(void)
{
	static int has = -1;

	if (has < 0)
		has = uvm_has_ibpb();
	if (has)
		wrmsr(MSR_PRED_CMD, 1);
}

void uvm_run_user(struct uvm_regs *r, uint64_t cr3)
{
	void (*enter)(struct uvm_regs *, uint64_t) =
		(void *)entry_alias((const void *)uvm_entry_user);
	bool pcid = pcid_on();

	entry_on(pcid);
	if (!pcid)
		cr3 &= PTE_ADDR;
	r->rflags = (r->rflags & RFLAGS_USER) | RFLAGS_FIXED;
	r->trap = r->error = r->cr2 = 0;
	wrmsr(MSR_FS_BASE, r->fs_base); /* each thread's own: no one else uses FS */
	enter(r, cr3);
	if (r->trap == 14) /* #PF: nothing could fault since */
		r->cr2 = read_cr2();
}

void uvm_deliver(unsigned vector)
{
	((void (*)(void))uvm_int_stubs[vector & 255])();
}
