#!/usr/bin/env bash
# Start-up time of the window as whole processes: the sample project against the 120 chapters
# of the novel with 50,000 spans. Each is opened RUNS times (default 7), alternating, under one
# Xvfb server, with SPANTAG_EXIT_AFTER_FRAMES=1 (the window closes itself after its first
# frame); prints the median wall time of each and their ratio (target: at most 1.3).
#
#   benches/startup.sh [RUNS]
#
# Builds the release binary with the window first (cargo build --release; set
# SPANTAG_NO_BUILD=1 to use target/release/spantag as it is). Needs Xvfb and python3; the
# chapters are read from ../shared/corpus/sanguo (or ../../shared/corpus/sanguo).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}
binary=$root/target/release/spantag

if [[ -z ${SPANTAG_NO_BUILD:-} ]]; then
    (cd "$root" && cargo build --release)
fi
chapters=""
for shared in "$root/../shared/corpus" "$root/../../shared/corpus"; do
    if [[ -d $shared/sanguo ]]; then
        chapters=$shared/sanguo
        break
    fi
done
if [[ -z $chapters ]]; then
    echo "startup bench: no chapters in ../shared/corpus/sanguo" >&2
    exit 1
fi

work=$(mktemp -d)
xvfb_pid=""
cleanup() {
    if [[ -n $xvfb_pid ]]; then
        kill "$xvfb_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

cp "$root/annotations/sample.json" "$work/sample.json"
"$binary" new --text "$chapters"/*.txt -o "$work/chapters.json" >/dev/null
python3 - "$work/chapters.json" 50000 <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, encoding="utf-8") as f:
    data = json.load(f)
labels = [l["name"] for l in data["labels"]][:4]
docs = data["documents"]
total = sum(len(d["text"]) for d in docs)
step = total // n
next_id, at = 1, 0
for d in docs:
    text, spans = d["text"], []
    start = (-at) % step
    while start + 2 <= len(text) and next_id <= n:
        end = min(start + 2 + next_id % 4, len(text))
        spans.append({"id": next_id, "start": start, "end": end,
                      "label": labels[next_id % len(labels)], "text": text[start:end]})
        next_id += 1
        start += step
    at += len(text)
    d["spans"] = spans
data["next_span_id"] = next_id
with open(path, "w", encoding="utf-8") as f:
    json.dump(data, f, ensure_ascii=False, indent=2)
print(f"chapters.json: {len(docs)} documents, {next_id - 1} spans")
PY

# One X server for every run, so that its start-up is not in the times: a free display, and
# its socket waited for.
number=$((90 + RANDOM % 400))
while [[ -e /tmp/.X$number-lock || -e /tmp/.X11-unix/X$number ]]; do
    number=$((number + 1))
done
display=:$number
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
    [[ -S /tmp/.X11-unix/X$number ]] && break
    sleep 0.1
done
if [[ ! -S /tmp/.X11-unix/X$number ]]; then
    echo "startup bench: Xvfb did not start on $display" >&2
    exit 1
fi

SPANTAG_BINARY=$binary DISPLAY=$display HOME=$work/home python3 - "$runs" "$work/sample.json" \
    "$work/chapters.json" <<'PY'
import os, statistics, subprocess, sys, time
runs, projects = int(sys.argv[1]), sys.argv[2:]
env = dict(os.environ, SPANTAG_EXIT_AFTER_FRAMES="1")
os.makedirs(env["HOME"], exist_ok=True)
times = {p: [] for p in projects}
for _ in range(runs):
    for project in projects:
        start = time.perf_counter()
        done = subprocess.run([env["SPANTAG_BINARY"], project], env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0 or "rendered 1 frames" not in done.stderr:
            sys.exit(f"{project}: no first frame (exit {done.returncode}): {done.stderr.strip()}")
        times[project].append(elapsed)
medians = [statistics.median(times[p]) for p in projects]
for p, m in zip(projects, medians):
    runs_text = " ".join(f"{t:.3f}" for t in times[p])
    print(f"{os.path.basename(p):14} median {m:.3f} s  (runs: {runs_text})")
ratio = medians[1] / medians[0]
print(f"ratio {ratio:.2f} (target at most 1.3){'' if ratio <= 1.3 else '  OVER'}")
sys.exit(0 if ratio <= 1.3 else 1)
PY
