#!/usr/bin/env bash
# doc/paddock.1 agrees with the program: every verb of `paddock --help` has
# its section, every option of a verb's --help is in that section and the
# other way round, every audit item is named, and every paddock key of the
# cluster file (builder/config/schema_paddock.txt) is described.  The page
# renders without a groff warning.
set -u
: "${PADDOCK:?PADDOCK must name the paddock binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v groff >/dev/null || { echo "SKIP: groff is not installed"; exit 77; }
page=doc/paddock.1
groff -man -Tutf8 -ww "$page" 2>"$T/warn" >/dev/null || fail "groff failed"
[ ! -s "$T/warn" ] || { cat "$T/warn"; fail "groff warnings"; }
# plain text, no hyphenation or adjustment, one long line per paragraph
groff -man -Tascii -rLL=500n -rHY=0 "$page" 2>/dev/null | col -bx >"$T/page.txt"
"$PADDOCK" --help >"$T/help.txt"
for v in $(sed -n '/^verbs:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$T/help.txt"); do
	"$PADDOCK" "$v" --help >"$T/$v.help" || fail "$v --help"
	# the verb's subsections: from "   paddock VERB" to the next section
	awk -v v="$v" '/^   paddock / { on = index($0, "   paddock " v " ") == 1 } /^[A-Z]/ { on = 0 } on' \
		"$T/page.txt" >"$T/$v.man"
	[ -s "$T/$v.man" ] || fail "no section for verb $v"
	grep -q "^       paddock $v" <(sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' "$T/page.txt") || fail "$v not in SYNOPSIS"
	opts() { grep -oE -- '(^|[^a-z-])(--[a-z][a-z-]*|-[a-z])\b' "$1" | grep -oE -- '-[-a-z]+' | sort -u; }
	# a verb's options: its usage lines and the lines that describe one
	{ sed '/^$/q' "$T/$v.help"; grep -E '^ +-' "$T/$v.help"; } >"$T/$v.opts"
	for o in $(opts "$T/$v.opts"); do
		[ "$o" = --help ] && continue
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$T/$v.man" || fail "$v: $o is in --help, not in the man page"
	done
	for o in $(opts "$T/$v.man" | grep -- '^--'); do
		[ "$o" = --help ] && continue
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$T/$v.help" || fail "$v: $o is in the man page, not in --help"
	done
	echo "ok   $v: $(opts "$T/$v.opts" | grep -vc -- --help) option(s)"
done
for item in $(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$T/audit.help"); do
	grep -qw -- "$item" "$T/audit.man" || fail "audit item $item not in the man page"
done
echo "ok   audit items"
# paddock's keys: nodes[].paddock.*, private_registries[].paddock.* and
# paddock.* (defaults' children are the node keys again)
python3 - builder/config/schema_paddock.txt >"$T/keys" <<'EOF'
import sys
path = []
for line in open(sys.argv[1]):
    if line.startswith('#') or not line.strip():
        continue
    depth = (len(line) - len(line.lstrip(' '))) // 2
    name = line.split(':')[0].strip()
    path = path[:depth] + [name]
    if 'paddock' not in path or path[-1] == 'paddock' or 'defaults' in path[:-1]:
        continue
    where = {'paddock': 'top', 'private_registries': 'registry'}.get(path[0], 'node')
    sub = path[path.index('paddock') + 1:]
    if len(sub) == 1 and line.rstrip().endswith(('PaddockNetwork',)):
        continue
    print(where + ' ' + '.'.join(sub))
EOF
[ -s "$T/keys" ] || fail "no keys read from the schema"
sect() { awk -v s="$1" '/^   [^ ]/ { on = index($0, s) > 0 } /^[A-Z]/ { on = 0 } on' "$T/page.txt"; }
sect "Per node" >"$T/node.man"
sect "Top level" >"$T/top.man"
sect "Per registry" >"$T/registry.man"
while read -r where key; do
	grep -q "^       $key\b" "$T/$where.man" || fail "paddock key $key ($where) not in the man page"
done <"$T/keys"
echo "ok   $(wc -l <"$T/keys") paddock keys"
echo PASS
