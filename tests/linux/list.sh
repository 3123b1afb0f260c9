#!/bin/sh
# The list init runs for tests/linux.t (/etc/programs.linux): the trusted
# kvstore and kvclient pair, which keep working meanwhile; the tiny Linux
# programs that misbehave and those that check the loader; then every line
# of the command file $1 as `linux /bin/busybox <line>`.
cat <<'LIST'
# tests/linux.t: Linux programs as untrusted processes beside trusted ones
/bin/kvstore
/bin/kvclient
linux /bin/lx-auxv one 'two words' three
linux /bin/lx-auxv-pie one 'two words' three
linux /bin/lx-unknown
linux /bin/lx-badptr
linux /bin/lx-fault
linux /bin/lx-files
linux /bin/lx-glibc-pie one two
linux /bin/lx-net down
linux /bin/lx-fifo devices
LIST
grep -v '^#' "$1" | grep -v '^$' | sed 's|^|linux /bin/busybox |'
