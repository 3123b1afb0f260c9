/*
 * Hart-local loads: every hart's GS segment base points at its own record
 * (struct hart, core/hart.h), so one %gs-relative load reads a field of the
 * running hart's record. One instruction, which no preemption can split:
 * a thread moved to another hart between two such loads reads each from
 * the hart it was on at the time, never half of one.
 *
 * offset must be a compile-time constant (it is encoded in the instruction).
 */
#ifndef ARCH_X86_64_HARTLOCAL_H
#define ARCH_X86_64_HARTLOCAL_H

#define hartlocal_load(type, offset)                                              \
	({                                                                        \
		type hartlocal_v_;                                                \
		__asm__ volatile("mov %%gs:%c1, %0" : "=r"(hartlocal_v_) : "i"(offset)); \
		hartlocal_v_;                                                     \
	})

/* Add one to, or take one from, a 32-bit field of this hart's record: one
 * instruction, so atomic against this hart's interrupts, and not a locked
 * one (no other hart writes the field). hartlocal_dec returns whether the
 * field is now zero. add and sub, not inc and dec: these keep the carry
 * flag, so QEMU's emulator must work out the carry the code before left
 * (a call to a helper where nothing in the same block set the flags, as
 * at a function's entry), which costs more than the rest of the add. */
#define hartlocal_inc32(offset) __asm__ volatile("addl $1, %%gs:%c0" : : "i"(offset) : "memory", "cc")

#define hartlocal_dec32(offset)                                                   \
	({                                                                        \
		bool hartlocal_z_;                                                \
		__asm__ volatile("subl $1, %%gs:%c1" : "=@ccz"(hartlocal_z_) : "i"(offset) : "memory"); \
		hartlocal_z_;                                                     \
	})

/* Store a byte of this hart's record. */
#define hartlocal_store8(offset, v)                                               \
	__asm__ volatile("movb %1, %%gs:%c0" : : "i"(offset), "qi"((uint8_t)(v)) : "memory")

/* Clear bits of a 32-bit field of this hart's record: one instruction, as
 * above. */
#define hartlocal_and32(offset, mask)                                             \
	__asm__ volatile("andl %1, %%gs:%c0" : : "i"(offset), "i"(mask) : "memory", "cc")

#endif
