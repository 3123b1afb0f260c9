#!/bin/bash
# The serial shell's input by interrupt (ISA IRQ 4: console-irqs counts
# them), its threads word (the named threads: the shell itself,
# running, and the kernel's watchdog), then its poweroff on a machine
# without QEMU's isa-debug-exit device (tools/qemu-run --no-debug-exit):
# ACPI soft-off, S5, through the FADT's PM1a control block and the DSDT's
# \_S5 (kernel/poweroff.c). QEMU leaves with status 0 when the guest turns
# itself off. Waits are liveness bounds.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

echo 1..8

FIFO=$(mktemp -u)
mkfifo "$FIFO"
trap 'exec 3>&- 2>/dev/null; rm -f "$LOG" "$FIFO"; [ -n "${QEMU_PID:-}" ] && kill "$QEMU_PID" 2>/dev/null; true' EXIT

tools/qemu-run --no-debug-exit --smp 1 --mem 256M --initrd build/archive.cpio -- -monitor none \
	<"$FIFO" >"$LOG" 2>&1 &
QEMU_PID=$!
exec 3>"$FIFO"

wait_for() {
	end=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -le "$end" ]; do
		grep -Eq -- "$1" "$LOG" && return 0
		kill -0 "$QEMU_PID" 2>/dev/null || { grep -Eq -- "$1" "$LOG"; return; }
		sleep 0.1
	done
	return 1
}

check "the kernel boots into the shell" wait_for '^shell: the console runs the init language' 120
wait_for '^init: [0-9]+ started' 60
check "the console's input comes by interrupt" \
	wait_for '^shell: console input by interrupt \(ISA IRQ 4, vector 0x[0-9a-f]+' 5
printf '." I:" console-irqs 0 > .\n' >&3
check "and the keys typed raised it (console-irqs > 0)" wait_for '^I:-1 ' 30
printf 'threads\n' >&3
check "threads lists the shell's own thread, running on a hart" \
	wait_for '^ +[0-9]+ shell +running +[0-9]+ ' 30
check "and the watchdog, waiting" wait_for '^ +[0-9]+ watchdog +waiting +[0-9]+' 30
check "and counts the named threads" wait_for '^[0-9]+ named threads \(unnamed ones' 30
printf 'poweroff\n' >&3
check "poweroff finds no isa-debug-exit device and turns to ACPI S5" \
	wait_for 'poweroff: no isa-debug-exit device; ACPI soft-off \(S5\)' 30
end=$(( $(date +%s) + 30 ))
while kill -0 "$QEMU_PID" 2>/dev/null && [ "$(date +%s)" -le "$end" ]; do sleep 0.1; done
if kill -0 "$QEMU_PID" 2>/dev/null; then status=running; else wait "$QEMU_PID"; status=$?; fi
QEMU_PID=
check "and QEMU powers off (exits with status 0)" [ "$status" = 0 ]
