# The end-to-end checks of programs from the boot archive, shared by the
# kernel (tests/programs.t) and the hosted runtime (tests/hosted.t). Each
# defines run_system PATTERNS SECONDS ARCHIVE [key=value options], which
# runs the system with that archive and those boot options until the output
# in $LOG matches every line of PATTERNS (boot_until in tests/lib.sh) or the
# time is up (a liveness bound: two minutes for what takes a second or two),
# then calls program_checks.
#
# init starts the listed programs; the kvstore/kvclient pair talk through a
# door; a malformed ELF and a missing file are reported with their reasons
# while the rest start; a missing init and a damaged archive get clear
# messages. memtest, alone, checks the heap over the Memory door.

PROGRAM_CHECKS=29

program_checks() {
	archive=build/archive.cpio

	# init does not wait for the programs it starts: each one's output
	# is waited for, the last line it prints.
	run_system 'init: [0-9]+ started
argv\[1\] = first-argument
^kvclient: a call to another process costs
^harts:   hart 0 
^virtio-net: 
^virtio-blk: 
^net: ' 120 $archive
	check "init starts from the archive" log_has 'init: starting the programs listed in /etc/programs'
	check "hello runs with its argument" log_has 'argv\[1\] = first-argument'
	check "init reports each start" log_has 'init: started /bin/kvclient'
	check "the door pair works" log_has 'kvclient: 1000 puts and gets through the kvstore door agree'
	check "a cross-process door call is measured" \
		log_has '^BENCH program.cross_process_door_call [0-9.]+ cycles'
	check "init sums up" log_has 'init: 7 started, 0 failed'
	check "net, with no network card (or beside another Net door), says so and ends" \
		log_has '^net: (no Ethernet door on this system; no network, net ends|this system has a Net door already; net ends)'
	check "the virtio-net driver, with no device (or no Pci door), says so in one line and ends" \
		log_has '^virtio-net: (no virtio network device; the driver ends|no Pci, Irq, Memory, Threads or Timer door here; nothing to drive)'
	check "the block driver finds no disk, says so in one line and ends" \
		sh -c '[ "$(grep -c "^virtio-blk: " "$0")" -eq 1 ] && grep -q "^virtio-blk: no virtio block device" "$0"' "$LOG"
	check "a program lists the harts through the Harts door" \
		log_has '^harts:   hart 0  APIC [0-9]+ +main scheduler'

	run_system 'init: [0-9]+ started
argv\[1\] = one
argv\[1\] = two' 120 $archive programs=/etc/programs.test
	check "a truncated ELF is refused with its reason" \
		log_has 'cannot start /bin/truncated: segment 0: .* runs past the end .*\(malformed\)'
	check "a missing program is reported" \
		log_has 'cannot start /bin/no-such-program: no such file in the boot archive'
	check "programs after the failures still start" log_has 'argv\[1\] = two'
	check "the same program runs twice" [ "$(grep -c 'argv\[0\] = /bin/hello' "$LOG")" -eq 2 ]
	check "init counts the failures" log_has 'init: 4 started, 2 failed'

	# (The kernel's console ends lines with CRLF: one CR may end a line,
	# a second would be the list's.)
	cr=$(printf '\r')
	run_system 'init: [0-9]+ started
argv\[1\] = crlf
argv\[1\] = after-nul' 120 $archive programs=/etc/programs.messy
	check "a CRLF line end is not part of the arguments" log_has "argv\\[1\\] = crlf$cr?\$"
	check "a line with a NUL byte is reported" \
		log_has 'init: /etc/programs.messy:2: the line holds a NUL byte; skipped'
	check "lines after a NUL byte still start" log_has "argv\\[1\\] = after-nul$cr?\$"
	check "init counts the messy list" log_has 'init: 2 started, 1 failed'

	run_system '^memtest: (all ok|[0-9]+ failed)' 120 $archive programs=/etc/programs.memtest
	check "the heap grows past the old 256 KiB arena" \
		log_has '^memtest: 40000 blocks of 100 bytes .*: ok'
	check "a large block is a run of its own from the Memory door" \
		log_has '^memtest: an 8 MiB block takes its own run of pages: ok'
	check "freeing a large block gives its pages back, exactly" \
		log_has '^memtest: freeing it gives every page back: ok'
	check "realloc keeps the contents as a block grows" \
		log_has '^memtest: realloc from 16 bytes to 1 MiB keeps the contents: ok'
	check "threads allocate and free at once" log_has '^memtest: 4 threads .*: ok'
	check "memtest passes as a whole" log_has '^memtest: all ok'

	run_system 'init: cannot start' 120 $archive init=/bin/nothing
	check "a missing init gets a clear message" \
		log_has 'init: cannot start /bin/nothing: no such file in the boot archive'

	cut=$(mktemp)
	head -c 100000 $archive >"$cut"
	run_system 'init: [0-9]+ started|init: cannot start' 120 "$cut"
	rm -f "$cut"
	check "a truncated archive is reported with the entry and offset" \
		log_has 'archive: entry [0-9]+ \(".*"\) at offset 0x[0-9a-f]+: .*runs past the end'
	check "the system carries on with what it could read" log_has 'init: cannot start /init'

	empty=$(mktemp)
	run_system 'init: cannot start' 120 "$empty"
	rm -f "$empty"
	check "an empty archive is called empty, not missing" \
		log_has 'archive: the one given is empty \(0 bytes\)'
}
