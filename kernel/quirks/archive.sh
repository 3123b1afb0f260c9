#!/bin/sh
# Adds the shipped quirks (/etc/quirks) and the end-to-end tests' stage
# scripts (/etc/stages.test, chosen with the boot option
# stages=/etc/stages.test) to the boot archive folder $1.
set -e
here=$(dirname "$0")
mkdir -p "$1/etc/quirks"
cp "$here"/*.fs "$1/etc/quirks/"
for s in acpi harts sched programs; do
	mkdir -p "$1/etc/stages.test/$s"
	cp "$here"/../../tests/stages/$s/*.fs "$1/etc/stages.test/$s/"
done
