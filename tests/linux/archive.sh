#!/bin/sh
# Adds what tests/linux.t runs to the boot archive folder $1: Debian's
# busybox-static (/bin/busybox, from the build machine: never committed)
# with a symbolic link per applet the test uses, the tiny Linux programs
# built beside the folder (../linux/lx-*), the input files (/t), and the
# list of Linux command lines (/etc/programs.linux), made from
# tests/linux/commands.
set -e
dir=$1
src=$(dirname "$0")
# Only a static busybox runs (Debian's `busybox` package is dynamically
# linked: it has an interpreter, PT_INTERP).
if [ -x /bin/busybox ] && ! readelf -lW /bin/busybox | grep -q INTERP; then
	cp /bin/busybox "$dir/bin/busybox"
	for a in $(sed -n 's/^\([a-z0-9]*\).*/\1/p' "$src/commands" | sort -u); do
		ln -sf busybox "$dir/bin/$a"
	done
fi
cp "$dir"/../linux/lx-* "$dir/bin/"
mkdir -p "$dir/t"
cp "$src"/t/* "$dir/t/"
"$src/list.sh" "$src/commands" > "$dir/etc/programs.linux"
