#!/bin/sh
# Adds memtest's program list to the boot archive folder $1.
set -e
mkdir -p "$1/etc"
cp "$(dirname "$0")/memtest.list" "$1/etc/programs.memtest"
