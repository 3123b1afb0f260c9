#!/bin/sh
# Adds httpd's files to the boot archive folder $1: its program list
# (/etc/programs.httpd) and the /www tree, whose two larger files are made
# here, the same bytes every time (tests compare what httpd sends with
# them): 4k.txt, 4096 bytes of numbered lines, and 64k.bin, 65536 bytes.
set -e
dir=$1
src=$(dirname "$0")
mkdir -p "$dir/www" "$dir/etc"
cp "$src/httpd.list" "$dir/etc/programs.httpd"
cp "$src/www/index.html" "$dir/www/index.html"
seq -f 'line %04g of a 4 KiB file served by httpd' 1 200 | head -c 4096 >"$dir/www/4k.txt"
seq -f '%06g lemmings' 1 5000 | head -c 65536 >"$dir/www/64k.bin"
mkdir -p "$dir/www/empty-folder"
