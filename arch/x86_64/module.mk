# arch/x86_64/: what only x86-64 does. Its headers are in include/arch/ and
# are included as "arch/name.h" (the Makefile puts include/ on the path).
# switch.S and call_on_stack.S are shared with the hosted runtime; the rest is
# kernel only.

ARCH_HOSTED_SRCS := arch/x86_64/switch.S arch/x86_64/call_on_stack.S

KERNEL_SRCS += $(ARCH_HOSTED_SRCS) arch/x86_64/boot.S arch/x86_64/ap_boot.S \
	arch/x86_64/apic.c arch/x86_64/fpu.c arch/x86_64/ioapic.c arch/x86_64/fpu_probe.S arch/x86_64/gdt.c \
	arch/x86_64/idt.c arch/x86_64/vm.c arch/x86_64/preempt.c arch/x86_64/qemu.c \
	arch/x86_64/serial.c arch/x86_64/trap.c arch/x86_64/trap_entry.S \
	arch/x86_64/uvm.c arch/x86_64/entry.S
