# kernel/: the kernel proper (generic parts), and the kernel image.

KERNEL_SRCS += kernel/acpi.c kernel/acpi_tables.c kernel/acpi_s5.c kernel/bootopt.c kernel/cmdline.c kernel/console.c kernel/console_door.c kernel/crash.c kernel/firmware.c kernel/fault.c kernel/ksyms.c \
	kernel/intr.c kernel/ioapic.c kernel/irq_door.c kernel/msi.c \
	kernel/memmap.c kernel/memory_door.c kernel/memory_door_test.c \
	kernel/aspace.c kernel/aspace_test.c kernel/aspace_copy_test.c kernel/aspace_bench.c \
	kernel/process.c kernel/process_door.c kernel/process_test.c kernel/process_family_test.c kernel/process_family_test_code.S kernel/process_bench.c kernel/gate.c kernel/pipe.c kernel/pipe_test.c \
	core/gate_check.c kernel/pci.c kernel/pci_door.c kernel/pci_probe.c kernel/pci_test.c kernel/irq_test.c kernel/virtio_test.c \
	kernel/kstack.c kernel/ktest.c kernel/main.c kernel/multiboot.c \
	kernel/panic.c kernel/platform.c kernel/progmem.c kernel/pmm.c kernel/smp.c kernel/systab.c kernel/time.c kernel/tlb.c \
	kernel/pmm_test.c kernel/pmm_bench.c kernel/vm_test.c kernel/trap_test.c kernel/preempt_test.c kernel/thread_stress_test.c kernel/systab_test.c \
	kernel/sched_kernel_test.c kernel/smp_test.c kernel/trap.c kernel/watchdog.c kernel/watchdog_test.c \
	kernel/lang_hw.c kernel/lang_hw_test.c kernel/lang_kernel.c kernel/lang_kernel_test.c kernel/shell.c \
	kernel/quirk.c kernel/smbios.c kernel/stage.c kernel/poweroff.c

# The virtio library, for kernel/virtio_test.c (the pci suite) only: drivers
# are programs, which link it themselves (sdk/virtio/virtio.mk).
KERNEL_SRCS += sdk/virtio/virtq.c sdk/virtio/virtio_pci.c sdk/virtio/virtio_pci_door.c

HOST_TESTS += cmdline_test
cmdline_test_SRCS := kernel/cmdline.c kernel/cmdline_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += cmdline_fuzz
cmdline_fuzz_SRCS := kernel/cmdline.c kernel/cmdline_fuzz.c lib/fmt.c
cmdline_fuzz_CORPUS := kernel/fuzz-seeds/cmdline

# The shipped quirks and the tests' stage scripts, into the boot archive.
ARCHIVE_COMMANDS += kernel/quirks/archive.sh
ARCHIVE_DEPS += $(wildcard kernel/quirks/*.fs tests/stages/*/*.fs)

HOST_TESTS += quirk_test
quirk_test_SRCS := kernel/quirk.c kernel/smbios.c kernel/quirk_test.c lib/fmt.c lib/test.c lib/glob.c

FUZZERS += quirk_fuzz
quirk_fuzz_SRCS := kernel/quirk.c kernel/smbios.c kernel/quirk_fuzz.c lib/fmt.c lib/glob.c
quirk_fuzz_CORPUS := kernel/fuzz-seeds/quirk

# make check: the quirks on QEMU, a short run of their fuzzer, and the
# shell's poweroff through ACPI S5.
E2E_TESTS += tests/quirks.t tests/quirk-fuzz.t tests/poweroff.t
CHECK_DEPS += $(BUILD)/fuzz/quirk_fuzz
