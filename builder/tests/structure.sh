#!/usr/bin/env bash
# The shape of the source tree: no two files depend on each other (judged
# from the symbols their object files define and use), and no source file
# outside tests and generated code passes 650 lines.
set -u
cd "$(dirname "$0")/../.."
fail=0
obj=$(dirname "$PADDOCK")/obj
[ -d "$obj/builder" ] || { echo "no objects under $obj: build first"; exit 1; }
python3 tools/check-cycles "$obj" || fail=1
# generated sources (a "Do not edit." in their first lines) are exempt
long=$(for f in $(git ls-files '*.c' | grep -v '/tests/\|/fuzz/'); do
	head -n 5 "$f" | grep -q 'Do not edit\.' && continue
	n=$(wc -l <"$f")
	[ "$n" -gt 650 ] && echo "  $f ($n lines)"
done)
if [ -n "$long" ]; then
	echo "source files over 650 lines:"; echo "$long"; fail=1
else
	echo "no source file over 650 lines"
fi
exit $fail
