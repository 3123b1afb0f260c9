#!/bin/sh
# idlc golden tests: every sdk/idl/*.idl compiles to a header that gcc
# accepts with -Werror; API IDs match tools/idlc/tests/ids.txt and do not
# change with spelling but do with meaning; the example's header matches
# its golden copy; each malformed file in errors/ fails with exit status 1
# and the first stderr line in its .err file; usage errors exit 2; a
# failed run leaves no output file.
cd "$(dirname "$0")/../../.." || exit 1
IDLC=build/tools/idlc
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/lemmings"
n=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# A C file that includes <lemmings/STEM.h> and uses each door's struct,
# header macro, lookup and a wrapper-free member access.
use_c() {
	stem=$1
	echo "#include <lemmings/$stem.h>"
	$IDLC --id "$2" | while read -r door id; do
		cat <<EOC
static const struct ${door}_door ${door}_published = { .header = $(echo "$door" | tr a-z A-Z)_DOOR_HEADER };
const struct ${door}_door *${door}_use(void);
const struct ${door}_door *${door}_use(void)
{
	const struct ${door}_door *d = ${door}_door_find();

	if (!lm_api_id_equal(&${door}_published.header.api_id, &${door}_api_id))
		return 0;
	return d ? d : &${door}_published;
}
EOC
	done
}

files="$(ls sdk/idl/*.idl) tools/idlc/tests/example.idl"
count=$(echo $files | wc -w)
pins=$(grep -c . tools/idlc/tests/ids.txt)
errors=$(ls tools/idlc/tests/errors/*.idl | wc -l)
echo "1..$((count * 2 + pins + 8 + errors * 2))"

for f in $files; do
	stem=$(basename "$f" .idl)
	$IDLC -o "$T/lemmings/$stem.h" "$f"
	ok $? "idlc compiles $f"
	use_c "$stem" "$f" > "$T/use_$stem.c"
	gcc -std=gnu17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Isdk/include -I"$T" -c "$T/use_$stem.c" -o "$T/use_$stem.o"
	ok $? "the header of $f builds with gcc -Werror and its door struct is usable"
done

while read -r f door id; do
	got=$($IDLC --id "$f" | awk -v d="$door" '$1 == d { print $2 }')
	[ "$got" = "$id" ]
	ok $? "API ID of door $door in $f is the pinned $id (got ${got:-nothing})"
done < tools/idlc/tests/ids.txt

cmp -s tools/idlc/tests/golden/example.h "$T/lemmings/example.h"
ok $? "the header of example.idl matches tools/idlc/tests/golden/example.h"

id=$($IDLC --id sdk/idl/threads.idl)
[ -n "$id" ] && [ "$($IDLC --id tools/idlc/tests/same/threads.idl)" = "$id" ]
ok $? "reordered, respelt threads.idl keeps the API ID"
sed 's/--.*//' sdk/idl/threads.idl | tr '\n' ' ' | tr -s ' ' > "$T/threads.idl"
[ "$($IDLC --id "$T/threads.idl")" = "$id" ]
ok $? "threads.idl without comments, on one line, keeps the API ID"
sed 's/u32 0 to 256/u32 0 to 255/' sdk/idl/threads.idl > "$T/threads.idl"
! cmp -s sdk/idl/threads.idl "$T/threads.idl" && [ "$($IDLC --id "$T/threads.idl")" != "$id" ]
ok $? "a one-character range change alters the API ID"
sed 's/stack_pages:/stack_page:/' sdk/idl/threads.idl > "$T/threads.idl"
[ "$($IDLC --id "$T/threads.idl")" != "$id" ]
ok $? "renaming a field alters the API ID"

$IDLC >/dev/null 2>&1
[ $? = 2 ]
ok $? "no input file: exit status 2"
$IDLC --bogus sdk/idl/timer.idl >/dev/null 2>&1
[ $? = 2 ]
ok $? "unknown option: exit status 2"
echo "old" > "$T/out.h"
$IDLC -o "$T/out.h" tools/idlc/tests/errors/cycle.idl 2>/dev/null
[ $? = 1 ] && [ "$(cat "$T/out.h")" = old ] && [ -z "$(ls "$T" | grep tmp)" ]
ok $? "a failed compile leaves the output file as it was, and no temporary"

for f in tools/idlc/tests/errors/*.idl; do
	$IDLC "$f" >"$T/out" 2>"$T/err"
	st=$?
	[ $st = 1 ] && [ ! -s "$T/out" ]
	ok $? "$(basename "$f"): exit status 1 ($st), nothing on stdout"
	first=$(head -n 1 "$T/err")
	[ "$first" = "$(cat "${f%.idl}.err")" ]
	ok $? "$(basename "$f"): $first"
done
