#!/usr/bin/env bash
# The shape of the source tree: no two files depend on each other (judged
# from the symbols their object files define and use), no stage of
# builder/ includes from cli/ (nor pki/ from image/), and no source file
# outside tests and generated code passes 650 lines.
set -u
cd "$(dirname "$0")/../.."
fail=0
obj=$(dirname "$PADDOCK")/obj
[ -d "$obj/builder" ] || { echo "no objects under $obj: build first"; exit 1; }
python3 tools/check-cycles "$obj" || fail=1
# Arrows that must run one way only: main (cli/) drives every stage, so no
# other folder of builder/ includes from cli/; the image build takes the
# files pki makes, so pki/ includes nothing from image/.  What they share
# lives below both (builder/*.h beside the stage folders, or pki/).
# tests/ and fuzz/ drive the stages like main and may include anything.
wrong_way() { # FROM TO: includes of TO/ in FROM (a path under builder/)
	git grep --untracked -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(\.\./)*'"$2"'/' -- "$1" \
		':!builder/'"$2"'/' ':!builder/tests/' ':!builder/fuzz/'
}
up=$(wrong_way builder/ cli; wrong_way builder/pki/ image)
if [ -n "$up" ]; then
	echo "includes that run the wrong way (into cli/ from a stage below it, or into image/ from pki/):"
	echo "$up" | sed 's/^/  /'; fail=1
else
	echo "no include from a stage of builder/ into cli/, nor from pki/ into image/"
fi
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
