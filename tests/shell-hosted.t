#!/bin/sh
# The init language's shell in lemmings-hosted (hosted/shell.c,
# docs/init.md): from a pipe (--shell), the lines' results, an error that
# leaves the shell usable, a definition over several lines, the editing
# keys, history and completion, help and bye; then on a terminal (a pty,
# through python3): raw mode, the prompt, the echo of edited lines, and
# Ctrl-D.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

echo 1..12

# \033[A is the up arrow, \033[D left, \177 Backspace, \025 Ctrl-U, \t Tab.
printf '%b' '1 2 + .\n: sq\ndup * ;\n7 sq .\nfoo 1\n3 sq .\n' \
	'12\01773 .\ngarbage\00255 .\n: unique-name 42 ;\nuniq\t.\n\033[A\n' \
	'2 .\033[D\033[D\033[D1\n.s\nhelp\nbye\n." not reached"\n' |
	timeout 60 build/lemmings-hosted --harts 1 --init /bin/hello --shell build/archive.cpio \
	>"$LOG" 2>&1
status=$?
# The shell's own lines, in order, without the programs' output.
grep -Ev '^(archive|hello|  argv|/init)' "$LOG" > "$LOG.shell"
check "the shell ends at bye, with status 0" [ "$status" -eq 0 ]
check "a line runs: 1 2 + . prints 3" sh -c "sed -n 1p '$LOG.shell' | grep -qx '3 '"
check "a definition over two lines, then used" sh -c "sed -n 2p '$LOG.shell' | grep -qx '49 '"
check "an unknown word is a positioned error" \
	sh -c "sed -n 3p '$LOG.shell' | grep -qx 'stdin:5:1: error: unknown word: foo'"
check "the shell is usable after the error, its stack empty" \
	sh -c "sed -n 4p '$LOG.shell' | grep -qx '9 '"
check "Backspace and Ctrl-U edit the line" \
	sh -c "sed -n 5,6p '$LOG.shell' | tr '\n' '|' | grep -qx '13 |5 |'"
check "Tab completes a word; up repeats the last line" \
	sh -c "sed -n 7,8p '$LOG.shell' | tr '\n' '|' | grep -qx '42 |42 |'"
check "left arrow moves the cursor: '2 .' becomes '12 .'" \
	sh -c "sed -n 9,10p '$LOG.shell' | tr '\n' '|' | grep -qx '12 |<0> |'"
check "help lists the words and keys; nothing runs after bye" \
	sh -c "grep -q '^Keys: left/right' '$LOG.shell' && ! grep -q 'not reached' '$LOG.shell'"
rm -f "$LOG.shell"

# On a terminal. python3's pty module gives the shell a terminal; the
# script waits (at most 30 s) for each thing it expects.
if ! command -v python3 >/dev/null; then
	for d in "prompt and echo on a terminal" "completion redraws the line" "Ctrl-D ends the shell"; do
		n=$((n + 1)); echo "ok $n - # SKIP python3 missing: $d"
	done
	exit 0
fi
python3 - >"$LOG" 2>&1 <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv("build/lemmings-hosted", ["lemmings-hosted", "--harts", "1", "--init",
             "/bin/hello", "build/archive.cpio"])
seen = b""
def expect(what, secs=30):
    global seen
    end = time.time() + secs
    while what not in seen and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    ok = what in seen
    print(("found " if ok else "missing ") + repr(what))
    return ok
expect(b"> ")
# hello (init here) prints beside the prompt; type once it has ended, so
# that its lines cannot fall between the echo and the result.
expect(b"argv[1] = /etc/programs\r\n")
os.write(fd, b"6 7 * .\r")
# The line as typed (each byte at the end of the line echoes as itself),
# Enter, the result, a new prompt. (The editor ends a line with CR LF; the
# terminal's output processing, kept on, makes the LF CR LF too.)
print("RESULT prompt_echo", expect(b"6 7 * .\r\r\n42 \r\n\r> "))
os.write(fd, b"wor\t")
print("RESULT completion", expect(b"\r> words \x1b[K"))
os.write(fd, b"\x15\x04")
_, status = os.waitpid(pid, 0)
print("RESULT ctrl_d", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
print(repr(seen))
PY
check "prompt and echo on a terminal" log_has 'RESULT prompt_echo True'
check "completion redraws the line" log_has 'RESULT completion True'
check "Ctrl-D ends the shell" log_has 'RESULT ctrl_d True'
