# tests/: end-to-end tests that boot the system and check what it prints.

E2E_TESTS += tests/boot.t tests/kernel.t tests/fault.t tests/grub.t tests/smp.t tests/smp-sched.t tests/smp-one.t \
	tests/programs.t tests/hosted.t tests/hosted-smp.t tests/hosted-net-smp.t \
	tests/memory.t tests/memory-hosted-smp.t tests/net-hosted.t \
	tests/pci.t tests/irq.t tests/ethernet.t tests/block.t \
	tests/stress.t tests/stress-smp.t \
	tests/shell-hosted.t tests/shell.t tests/isolation.t
E2E_TESTS += tests/net-kernel.t
E2E_TESTS += tests/net-kernel-client.t
