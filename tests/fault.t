#!/bin/sh
# End to end: a thread that faults is reported on the console with a
# backtrace naming the faulting function, and the system goes on.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
echo 1..10

boot_until 'kernel run|ok 1 ' 120 --smp 1 --mem 256M --append 'test=trap.faulting_thread_is_stopped_and_recorded'
check "fault reported with the thread's name" log_has 'thread [0-9]+ \(doomed\) stopped on hart 0: page fault: writing unmapped page at 0xffffd0fff0000000'
check "registers printed" log_has 'rip ffffffff8[0-9a-f]+ +rsp'
check "backtrace names the faulting function" log_has '#0 [0-9a-f]+ trap_test_deliberate_fault\+0x'
check "the system went on: the test thread saw the record" log_has '^ok 1 trap.faulting_thread_is_stopped_and_recorded'

boot_until 'system halted' 120 --smp 1 --mem 256M --append 'crash=double'
check "double fault reported from its own stack" log_has '\*\*\* double fault on hart 0'
check "double fault report has a backtrace" log_has '#0 [0-9a-f]+ crash_write_unmapped'
check "double fault panics the kernel" log_has 'PANIC on hart 0: unrecoverable double fault'

# The crasher runs once the boot thread has said the system is idle.
boot_until 'system is idle
crasher\) stopped' 120 --smp 1 --mem 256M --append 'crash=fault'
check "crash=fault: thread stopped, boot goes on to idle" sh -c "grep -q 'crasher) stopped' $LOG && grep -q 'system is idle' $LOG"

boot_until 'watchdog: thread' 120 --smp 2 --mem 256M --append 'crash=spin watchdog=1'
check "crash=spin: the watchdog names the thread that keeps hart 1" \
	log_has 'watchdog: thread [0-9]+ has kept hart 1 for [0-9]+ s while other threads wait there'
check "and the starved thread has not run" sh -c "! grep -q 'starved thread ran' $LOG"
