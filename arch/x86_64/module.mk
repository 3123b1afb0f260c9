# arch/x86_64/: what only x86-64 does. switch.S is shared with the hosted
# runtime; the rest is kernel only.

KERNEL_SRCS += arch/x86_64/boot.S arch/x86_64/ap_boot.S arch/x86_64/apic.c arch/x86_64/context.c \
	arch/x86_64/fpu.c arch/x86_64/gdt.c arch/x86_64/idt.c \
	arch/x86_64/paging.c arch/x86_64/preempt.c arch/x86_64/qemu.c \
	arch/x86_64/serial.c arch/x86_64/switch.S arch/x86_64/trap.c \
	arch/x86_64/trap_entry.S arch/x86_64/trap_test.c \
	arch/x86_64/fpu_probe.S arch/x86_64/preempt_test.c
