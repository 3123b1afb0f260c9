/*
 * What a trap looks like on x86-64, in words: exception names, the saved
 * registers, and backtraces through the frame-pointer chain. What the
 * kernel does with a trap is kernel/trap.c's.
 *
 * Calls upward (arch/upcalls.h): ksyms_lookup and ksyms_format to name
 * code addresses, kprintf to print.
 */
#include <stddef.h>

#include "arch/cpu.h"
#include "arch/trap.h"
#include "arch/upcalls.h"
#include "arch/vm.h"
#include "lib/fmt.h"

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault", "general protection fault",
	"page fault", "reserved (15)", "x87 floating-point error",
	"alignment check", "machine check", "SIMD floating-point error",
	"virtualization exception", "control protection exception",
	"reserved (22)", "reserved (23)", "reserved (24)", "reserved (25)",
	"reserved (26)", "reserved (27)", "hypervisor injection",
	"VMM communication", "security exception", "reserved (31)",
};

const char *trap_name(uint64_t vector)
{
	return vector < 32 ? exception_names[vector] : "interrupt";
}

/* One step of the frame-pointer chain: is rbp a readable frame record? */
static bool frame_ok(uint64_t rbp)
{
	return rbp && !(rbp & 7) && rbp >= DIRECT_MAP_BASE && vm_readable(rbp, 16);
}

/*
 * GCC gives leaf functions no frame (even with -mno-omit-leaf-frame-pointer),
 * and no function has one during its first two instructions. When the
 * faulting function has not pushed rbp, its return address is on top of the
 * stack (perhaps under a few saved registers): take the first of the top
 * words that points into kernel text, marked "?" as a guess.
 */
static uint64_t frameless_caller(uint64_t rip, uint64_t rsp)
{
	uintptr_t off;
	const char *name = ksyms_lookup(rip, &off);
	const uint8_t *start;

	if (!name || !rsp)
		return 0;
	start = (const uint8_t *)(rip - off);
	if (start[0] == 0x55 && off > 1) /* push %rbp done, and mov %rsp, %rbp */
		return 0;
	for (int i = 0; i < 4 && vm_readable(rsp + 8 * (uint64_t)i, 8); i++) {
		uint64_t w = ((uint64_t *)rsp)[i];
		if (ksyms_lookup(w, NULL))
			return w;
	}
	return 0;
}

/* Calls emit(ctx, depth, address, guessed) for each frame. */
static void backtrace_walk(uint64_t rip, uint64_t rbp, uint64_t rsp,
			   void (*emit)(void *, int, uint64_t, bool), void *ctx)
{
	uint64_t guess = frameless_caller(rip, rsp);
	int depth = 0;

	emit(ctx, depth++, rip, false);
	if (guess)
		emit(ctx, depth++, guess, true);
	while (depth < 24 && frame_ok(rbp)) {
		rip = ((uint64_t *)rbp)[1];
		rbp = ((uint64_t *)rbp)[0];
		if (!rip)
			break;
		emit(ctx, depth++, rip, false);
	}
}

struct bt_buf {
	char *buf;
	size_t size, used;
};

static void emit_to_buf(void *ctx, int depth, uint64_t addr, bool guessed)
{
	struct bt_buf *b = ctx;
	char sym[96];

	/* Return addresses point after the call: look up addr - 1. */
	ksyms_format(depth ? addr - 1 : addr, sym, sizeof sym);
	b->used += fmt_snprintf(b->buf + b->used, b->used < b->size ? b->size - b->used : 0,
				"%s%s%s", depth ? " <- " : "", sym, guessed ? "?" : "");
}

static void emit_to_console(void *ctx, int depth, uint64_t addr, bool guessed)
{
	char sym[96];

	ksyms_format(depth ? addr - 1 : addr, sym, sizeof sym);
	kprintf("  #%d %016llx %s%s\n", depth, (unsigned long long)addr, sym,
		guessed ? " (guess: caller of a frameless function)" : "");
}

void backtrace_format(uint64_t rip, uint64_t rbp, uint64_t rsp, char *buf,
		      unsigned long size)
{
	struct bt_buf b = {buf, size, 0};

	buf[0] = 0;
	backtrace_walk(rip, rbp, rsp, emit_to_buf, &b);
}

void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t rsp)
{
	kprintf("backtrace:\n");
	backtrace_walk(rip, rbp, rsp, emit_to_console, NULL);
}

static void emit_to_both(void *ctx, int depth, uint64_t addr, bool guessed)
{
	emit_to_console(NULL, depth, addr, guessed);
	emit_to_buf(ctx, depth, addr, guessed);
}

void backtrace_print_format(uint64_t rip, uint64_t rbp, uint64_t rsp, char *buf,
			    unsigned long size)
{
	struct bt_buf b = {buf, size, 0};

	buf[0] = 0;
	kprintf("backtrace:\n");
	backtrace_walk(rip, rbp, rsp, emit_to_both, &b);
}

void trap_print_frame(const struct trap_frame *f)
{
	trap_print_registers(f);
	backtrace_print(f->rip, f->rbp, f->rsp);
}

void trap_print_registers(const struct trap_frame *f)
{
	kprintf("  rip %016llx  rsp %016llx  rflags %08llx  cs %llx  error %llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->rsp,
		(unsigned long long)f->rflags, (unsigned long long)f->cs,
		(unsigned long long)f->error);
	kprintf("  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx);
	kprintf("  rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx\n",
		(unsigned long long)f->rsi, (unsigned long long)f->rdi,
		(unsigned long long)f->rbp, (unsigned long long)f->r8);
	kprintf("  r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx\n",
		(unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11, (unsigned long long)f->r12);
	kprintf("  r13 %016llx  r14 %016llx  r15 %016llx  cr2 %016llx\n",
		(unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15, (unsigned long long)read_cr2());
}
