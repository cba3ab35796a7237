#!/usr/bin/env bash
# Regenerate assets/fonts/NotoSansSC-Subset.otf from Debian's fonts-noto-cjk.
#
# Prerequisites (Debian 12 "bookworm"):
#   apt-get install -y fonts-noto-cjk      # 1:20220127+repack1-1, Noto Sans CJK 2.004
#   pip install fonttools                  # provides pyftsubset (4.68.0 was used)
#
# Usage:
#   assets/fonts/subset.sh [SOURCE_TTC] [CORPUS_FILE...]
#
# Defaults:
#   SOURCE_TTC   /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
#   CORPUS_FILE  /work/shared/corpus/news-xi-diaz-canel-2022-11-25.txt
#                /work/shared/corpus/sanguo-full.txt
#
# The subset keeps these characters:
#   U+0020-00FF  ASCII and Latin-1
#   U+2000-206F  General Punctuation
#   U+3000-303F  CJK Symbols and Punctuation
#   U+FF00-FFEF  Halfwidth and Fullwidth Forms
#   every valid 2-byte GB2312 code, decoded with Python's 'gb2312' codec:
#     7445 characters (all 6763 Hanzi plus GB2312's symbols, pinyin, kana,
#     Greek, Cyrillic and box drawing)
#   every character that occurs in the corpus files
#   U+20BB7 (𠮷), a supplementary-plane test character
# Code points the font has no glyph for are skipped without an error.
#
# Output: a single CFF-flavoured OpenType font (not a collection), without
# hinting and OpenType layout features, keeping the whole name table.
# Only the "Noto Sans CJK SC" face of the collection is used. Its index
# (2 in the Debian 2.004 TTC) is looked up by family name, not hard-coded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
if [ $# -gt 1 ]; then
    shift
    corpus=("$@")
else
    corpus=(/work/shared/corpus/news-xi-diaz-canel-2022-11-25.txt
            /work/shared/corpus/sanguo-full.txt)
fi
out="$here/NotoSansSC-Subset.otf"
family="Noto Sans CJK SC"

command -v pyftsubset >/dev/null || { echo "pyftsubset not found: pip install fonttools" >&2; exit 1; }
[ -f "$src" ] || { echo "source font not found: $src (apt-get install fonts-noto-cjk)" >&2; exit 1; }
for f in "${corpus[@]}"; do
    [ -f "$f" ] || { echo "corpus file not found: $f" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Find the collection index of the SC face.
font_number="$(python3 - "$src" "$family" <<'PY'
import sys
from fontTools.ttLib import TTCollection
src, family = sys.argv[1], sys.argv[2]
hits = [i for i, f in enumerate(TTCollection(src, lazy=True).fonts)
        if f["name"].getDebugName(1) == family]
if len(hits) != 1:
    sys.exit(f"expected exactly one face named {family!r} in {src}, found {hits}")
print(hits[0])
PY
)"
echo "source: $src, face #$font_number ($family)"

# 2. Write the code point list (one hex value per line).
python3 - "$work/unicodes.txt" "${corpus[@]}" <<'PY'
import sys
out, corpus = sys.argv[1], sys.argv[2:]
cps = set()
for lo, hi in [(0x0020, 0x00FF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
    cps.update(range(lo, hi + 1))
gb2312 = set()
for b1 in range(0xA1, 0xFF):
    for b2 in range(0xA1, 0xFF):
        try:
            gb2312.add(ord(bytes((b1, b2)).decode("gb2312")))
        except UnicodeDecodeError:
            pass
cps |= gb2312
for path in corpus:
    with open(path, encoding="utf-8") as f:
        cps.update(ord(c) for c in f.read() if ord(c) >= 0x20)  # skip TAB/LF/CR
cps.add(0x20BB7)
with open(out, "w") as f:
    f.writelines(f"{cp:04X}\n" for cp in sorted(cps))
print(f"GB2312: {len(gb2312)} characters; requested code points: {len(cps)}")
PY

# 3. Subset.
pyftsubset "$src" \
    --font-number="$font_number" \
    --unicodes-file="$work/unicodes.txt" \
    --no-hinting \
    --layout-features='' \
    --name-IDs='*' \
    --name-languages='*' \
    --notdef-outline \
    --output-file="$out"

ls -l "$out"
