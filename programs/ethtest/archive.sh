#!/bin/sh
# Adds ethtest's program lists to the boot archive folder $1.
set -e
mkdir -p "$1/etc"
cp "$(dirname "$0")/ethernet.list" "$1/etc/programs.ethernet"
cp "$(dirname "$0")/ethernet-broken.list" "$1/etc/programs.ethernet-broken"
