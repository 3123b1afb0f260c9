#!/bin/sh
# Isolation end to end (docs/isolation.md), four harts, hart 3 set apart for
# untrusted processes (boot option untrusted=3): init starts the trusted
# kvstore/kvclient pair and, through the Process door, untrusted programs
# that misbehave (programs/untrusted). Each is stopped with one line naming
# it and the cause, or refused; the loop keeps running, preempted every time
# slice; kvclient still completes its thousand door calls; u-gate, granted
# two routines of the Harts door, calls them through the gate, and u-kv the
# kvstore program's door (any door of the IDL files can be granted), u-console
# the Console door's print, whose byte buffer the gate checks and copies. Then the
# in-kernel suites on four harts with hart 3 set apart (the aspace suite:
# ring 3, exceptions, no stale translation; the process suite: what may run
# on a set-apart hart, checked by watching it).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

echo 1..23
boot_until 'init: [0-9]+ started
kvclient: 1000 puts and gets
u-good.: exited with status 0
u-gate.: exited with status
u-kv.: exited with status
u-console.: exited with status
u-privileged.: general protection' 120 --smp 4 --mem 1G --initrd build/archive.cpio \
	--append "untrusted=3 programs=/etc/programs.isolation"
check "hart 3 is set apart at boot" log_has '^untrusted: harts 0x8 set apart for untrusted processes'
check "the boot says which side-channel flushes the CPU allows" \
	log_has '^untrusted: between two processes on a hart, IBPB: (yes|no \(the CPU has none\)); before ring 3, VERW: (yes|no)'
check "init starts untrusted lines through the Process door" \
	log_has '^init: started /bin/u-loop \(untrusted, process 0x[0-9a-f]+\)'
check "reading the kernel: stopped, named, with the cause" \
	log_has "^untrusted process [0-9]+ '/bin/u-readkernel': page fault reading 0xffffffff80100000 \(kernel memory\) at rip 0x[0-9a-f]+; ended"
check "writing another process's memory: stopped" \
	log_has "^untrusted process [0-9]+ '/bin/u-writeother': page fault writing 0xffffd00000000000 \(kernel memory\)"
check "executing its own stack: stopped" \
	log_has "^untrusted process [0-9]+ '/bin/u-execstack': page fault executing 0x7ffffffefff0 \(not permitted\) at rip 0x7ffffffefff0; ended"
check "a door it was not granted: refused" \
	log_has "^untrusted process [0-9]+ '/bin/u-ungranted': call 0x10003 refused: not granted"
check "and it goes on with the error (exit status 4)" \
	log_has "^untrusted process [0-9]+ '/bin/u-ungranted': exited with status 4"
check "a kernel pointer to a door: refused" \
	log_has "^untrusted process [0-9]+ '/bin/u-kptr': call 0x10001 refused: not granted"
check "an invalid instruction: stopped" \
	log_has "^untrusted process [0-9]+ '/bin/u-ud': invalid opcode"
check "a divide error: stopped" log_has "^untrusted process [0-9]+ '/bin/u-divide': divide error"
check "a privileged instruction: stopped" \
	log_has "^untrusted process [0-9]+ '/bin/u-privileged': general protection fault"
check "a well-behaved untrusted program runs to its exit" \
	log_has "^untrusted process [0-9]+ '/bin/u-good': exited with status 0"
check "one C source built untrusted calls its granted routines through the gate; every check in it passes" \
	log_has "^untrusted process [0-9]+ '/bin/u-gate': exited with status 0"
check "init refuses a grant of a routine that does not exist" \
	log_has 'cannot grant harts:nosuch: no such routine'
check "a door no list names (a trusted program's, kvstore) granted from the IDL catalog, called through the gate; every check passes" \
	log_has "^untrusted process [0-9]+ '/bin/u-kv': exited with status 0"
check "a byte buffer through the gate: u-console's line, copied by the gate, on the console" \
	log_has '^u-console: a line through the gate'
check "and the gate refuses its buffers in kernel memory, past its stack, longer than the IDL allows" \
	log_has "^untrusted process [0-9]+ '/bin/u-console': exited with status 0"
check "init refuses a routine no gate can check, saying why" \
	log_has 'cannot grant harts:dedicate: no gate can call it: parameter 2 \(entry\) is a routine'
check "the trusted pair keeps working beside them (and the loop)" \
	log_has 'kvclient: 1000 puts and gets through the kvstore door agree'
check "nothing else went wrong" sh -c '! grep -Eq "panic|\*\*\* |killed" "$0"' "$LOG"

# The in-kernel suites with hart 3 set apart (the boot option after the glob).
KTEST_BOOT=untrusted=3
ktest_suite "the aspace suite on four harts, hart 3 set apart" aspace 12 \
	--timeout 600 --smp 4 --mem 1G --initrd build/archive.cpio
ktest_suite "the process suite on four harts, hart 3 set apart" process 5 \
	--timeout 600 --smp 4 --mem 1G --initrd build/archive.cpio
