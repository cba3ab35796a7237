#!/bin/sh
# The tagger's targets on MSRA (issue 10), measured with the release binary and printed:
#   1. trained on the first 90% of msra-train.bmes, entity-level exact F1 on its last 10%
#      (MSRA's test sentences are not in this repository);  target >= 0.86
#   2. trained on its first 2,000 sentences, F1 on the same last 10%;  target >= 0.50
#   3. the whole `spantag suggest` run on all of msra-train (load, hold out 10% and evaluate,
#      train on everything, tag, save the project and the model);  target < 60 s
#   4. tagging the whole novel (sanguo-full.txt) with that model.
#
# Usage: cargo build --release && nice -n 19 benches/tagger_targets.sh
# $SPANTAG_BIN (default target/release/spantag), $SPANTAG_CORPUS (default ../shared/corpus),
# $EPOCHS (default: spantag's) override.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SPANTAG_BIN:-$here/target/release/spantag}
corpus=${SPANTAG_CORPUS:-$here/../shared/corpus}
epochs=${EPOCHS:+--epochs $EPOCHS}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.1f s", $1 - $2}'; }

# Sentences are blank-line separated; the file has CRLF line ends.
tr -d '\r' < "$corpus/msra/msra-train.bmes" > all.bmes
n=$(awk 'BEGIN { RS = "" } END { print NR }' all.bmes)
cut=$((n - n / 10))
awk -v cut="$cut" 'BEGIN { RS = ""; ORS = "\n\n" } NR <= cut' all.bmes > train90.bmes
awk -v cut="$cut" 'BEGIN { RS = ""; ORS = "\n\n" } NR > cut' all.bmes > test10.bmes
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 2000' all.bmes > first2000.bmes
echo "msra-train.bmes: $n sentences; training on the first $cut, testing on the last $((n - cut))"
for part in all train90 test10 first2000; do
    "$bin" import --from conll --lenient "$part.bmes" -o "$part.json" > /dev/null 2>&1
done

echo
echo "== 1. trained on 90% of msra-train (target F1 >= 0.86)"
t=$(now)
"$bin" suggest $epochs --train train90.json --test test10.json --apply test10.json -o out90.json
echo "train + test + tag: $(since "$t")"

echo
echo "== 2. trained on the first 2,000 sentences (target F1 >= 0.50)"
t=$(now)
"$bin" suggest $epochs --train first2000.json --test test10.json --apply test10.json -o out2k.json
echo "train + test + tag: $(since "$t")"

echo
echo "== 3. the whole suggest run on all of msra-train (target < 60 s)"
t=$(now)
"$bin" suggest $epochs --train all.json --apply all.json -o out-all.json --save-model msra.tagger
echo "whole run (load, evaluate on 10%, train on all, tag, save): $(since "$t")"
echo "model file: $(du -h msra.tagger | cut -f1)"

echo
echo "== 4. tagging the whole novel with that model"
if [ -f "$corpus/sanguo-full.txt" ]; then
    "$bin" new --text "$corpus/sanguo-full.txt" -o novel.json > /dev/null
    t=$(now)
    "$bin" suggest --model msra.tagger --apply novel.json -o novel-out.json
    echo "whole run (load model and novel, tag, save): $(since "$t")"
else
    echo "skipped: $corpus/sanguo-full.txt is not here"
fi
