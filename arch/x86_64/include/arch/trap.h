/*
 * Traps: exceptions and interrupts.
 *
 * Every vector enters through a stub in trap_entry.S that saves the general
 * registers into a struct trap_frame on an IST stack (never on the thread's
 * own stack: a 4 KiB thread has no room for interrupt frames) and calls
 * trap_dispatch (kernel/trap.c, declared in arch/upcalls.h), which returns
 * the frame to resume.
 *
 * IST assignment: each class of entry has its own stack, so that one class
 * may interrupt another without overwriting its frame.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include <stdbool.h>
#include <stdint.h>

enum {
	IST_DOUBLE_FAULT = 1,
	IST_NMI = 2,
	IST_MACHINE_CHECK = 3,
	IST_EXCEPTION = 4,
	IST_IRQ = 5,
	IST_COUNT = 5,
};

enum {
	VEC_DIVIDE = 0,
	VEC_DEBUG = 1,
	VEC_NMI = 2,
	VEC_BREAKPOINT = 3,
	VEC_INVALID_OPCODE = 6,
	VEC_DEVICE_NA = 7,
	VEC_DOUBLE_FAULT = 8,
	VEC_GP = 13,
	VEC_PAGE_FAULT = 14,
	VEC_MACHINE_CHECK = 18,
	VEC_FIRST_IRQ = 32,
	VEC_TIMER = 0xf0,   /* local APIC timer */
	VEC_WAKE = 0xf1,    /* IPI: reschedule */
	VEC_STOP = 0xf2,    /* IPI: stop (panic) */
	VEC_TLB = 0xf3,     /* IPI: TLB shootdown */
	VEC_SPURIOUS = 0xff,
};

/* Layout fixed by trap_entry.S: general registers, then vector and error
 * code pushed by the stub, then what the CPU pushed. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap frame layout");

void idt_init(void);
void idt_load(void);
/* Mark a gate present or not (tests provoke double faults with it). */
void idt_set_present(uint8_t vector, bool present);

/* Print the frame's registers and a symbolized backtrace; or the
 * registers alone. */
void trap_print_frame(const struct trap_frame *f);
void trap_print_registers(const struct trap_frame *f);
/* Write "fn+0x.. <- fn+0x.. <- ..." for the frame-pointer chain at (rip,
 * rbp); rsp (or 0) helps when the innermost function has no frame. */
void backtrace_format(uint64_t rip, uint64_t rbp, uint64_t rsp, char *buf,
		      unsigned long size);
void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t rsp);
/* Both from one walk of the stack: print it as backtrace_print does and
 * write buf as backtrace_format does. */
void backtrace_print_format(uint64_t rip, uint64_t rbp, uint64_t rsp, char *buf,
			    unsigned long size);

const char *trap_name(uint64_t vector);

#endif
