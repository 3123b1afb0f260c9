# kernel/: the kernel proper (generic parts), and the kernel image.

KERNEL_SRCS += kernel/bootopt.c kernel/console.c kernel/firmware.c core/acpi.c core/acpi_tables.c kernel/crash.c kernel/fault.c kernel/ksyms.c \
	kernel/kstack.c kernel/ktest.c kernel/main.c kernel/multiboot.c \
	kernel/panic.c kernel/platform.c kernel/progmem.c kernel/pmm.c kernel/smp.c kernel/systab.c kernel/time.c kernel/tlb.c \
	kernel/pmm_test.c kernel/thread_stress_test.c kernel/systab_test.c \
	kernel/sched_kernel_test.c kernel/smp_test.c
