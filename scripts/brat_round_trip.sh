#!/bin/sh
# Import each brat corpus, export it again, and compare every .ann's lines as sets: the lines
# brat wrote must all come back, and nothing else. Usage: scripts/brat_round_trip.sh [CORPUS_DIR...]
# (default: the three corpora in ../shared/corpus/brat-examples). Needs target/debug/spantag.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
spantag="$here/target/debug/spantag"
[ $# -gt 0 ] || set -- "$here"/../shared/corpus/brat-examples/*/
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for corpus in "$@"; do
    name=$(basename "$corpus")
    "$spantag" import --from brat -o "$work/$name.json" "$corpus" >"$work/$name.import.txt" 2>&1
    "$spantag" export --to brat -o "$work/$name" "$work/$name.json" >"$work/$name.export.txt" 2>&1
    differ=0
    for ann in "$corpus"/*.ann; do
        out="$work/$name/$(basename "$ann")"
        grep -v '^[[:space:]]*$' "$ann" | LC_ALL=C sort >"$work/a"
        grep -v '^[[:space:]]*$' "$out" | LC_ALL=C sort >"$work/b"
        if ! cmp -s "$work/a" "$work/b"; then
            differ=$((differ + 1))
            diff "$work/a" "$work/b" | head -5
        fi
    done
    count=$(cat "$corpus"/*.ann | grep -c . || true)
    kinds=$(cat "$corpus"/*.ann | cut -c1 | LC_ALL=C sort | uniq -c | tr -s ' ' | tr '\n' ',')
    if [ "$differ" -eq 0 ]; then
        echo "$name: every line back ($count lines:$kinds)"
    else
        echo "$name: $differ .ann files differ"
        status=1
    fi
    grep -i "left out\|warning" "$work/$name.import.txt" || true
done
exit $status
