#!/usr/bin/env python3
"""Every export of the novel with 100,000 spans, as whole processes: time and peak memory.

Makes a project of the whole novel (`../shared/corpus/sanguo-full.txt`, or `$SPANTAG_NOVEL`)
as one document with N spans (default 100,000) of 2 to 5 characters, one every few characters,
four labels in turn, then runs `spantag export --to FORMAT` for every format with the release
build (`cargo build --release --no-default-features`, or the build with the window: the export
runs the same code) and prints the median wall time of 3 runs and the peak resident memory of
each (the child's own maximum resident set, from wait4). The project is made by a second Python
process: a forked child starts with its parent's resident pages counted as its own, so a parent
holding the project's 100,000 spans as Python objects (about 55 MB) set a floor under every
figure; this parent stays near 10 MB, below every figure measured. The first row, `spantag validate`,
only loads the project: the floor under every export. Fails (exit 1) when an export takes 1 s or more, or when its peak
memory exceeds 5 times the size of the texts plus 200 bytes per span (the issue's targets).

    python3 benches/export_scaling.py [N] [path/to/spantag]
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKING = len(sys.argv) > 1 and sys.argv[1] == "--make-project"
ARGS = sys.argv[3:] if MAKING else sys.argv[1:]
N = int(ARGS[0]) if len(ARGS) > 0 else 100_000
BINARY = ARGS[1] if len(ARGS) > 1 else os.path.join(ROOT, "target/release/spantag")
FORMATS = ["doccano", "conll", "hf", "spacy", "brat", "label-studio", "docbin"]
LABELS = ["PER", "ORG", "GPE", "LOC"]
RUNS = 3


def novel_path():
    if os.environ.get("SPANTAG_NOVEL"):
        return os.environ["SPANTAG_NOVEL"]
    for shared in ("../shared/corpus", "../../shared/corpus"):
        path = os.path.join(ROOT, shared, "sanguo-full.txt")
        if os.path.exists(path):
            return path
    raise SystemExit("no novel: set SPANTAG_NOVEL to sanguo-full.txt")


def make_project(d, n):
    """`spantag new` over the novel, then n spans added to its file (with their texts)."""
    novel = novel_path()
    project = os.path.join(d, "novel.json")
    subprocess.run([BINARY, "new", "--text", novel, "-o", project], check=True, capture_output=True)
    with open(project, encoding="utf-8") as f:
        data = json.load(f)
    doc = data["documents"][0]
    text = doc["text"]
    step = len(text) // n
    spans = []
    for i in range(n):
        start = i * step
        end = min(start + 2 + i % 4, start + step, len(text))
        if end <= start:
            continue
        spans.append({"id": i + 1, "start": start, "end": end, "label": LABELS[i % 4], "text": text[start:end]})
    doc["spans"] = spans
    data["next_span_id"] = n + 1
    with open(project, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    return project, len(text.encode("utf-8")), len(spans)


def run_once(project, fmt, out):
    if fmt == "(load only)":
        command = [BINARY, "validate", project]
    else:
        command = [BINARY, "export", project, "--to", fmt, "-o", out, "--force"]
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"export to {fmt} failed: {stderr.decode(errors='replace').strip()}")
    return elapsed, usage.ru_maxrss * 1024


def make_project_apart(d, n):
    """make_project in a child Python process, so that this process stays small (see above)."""
    made = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--make-project", d, str(n), BINARY],
        check=True,
        capture_output=True,
        text=True,
    )
    project, text_bytes, spans = made.stdout.split()
    return project, int(text_bytes), int(spans)


def main():
    if not os.path.exists(BINARY):
        raise SystemExit(f"{BINARY} not found: cargo build --release --no-default-features")
    failures = []
    with tempfile.TemporaryDirectory() as d:
        project, text_bytes, spans = make_project_apart(d, N)
        allowance = 5 * text_bytes + 200 * spans
        print(
            f"the novel: {text_bytes / 2**20:.2f} MB of text, {spans} spans, project file "
            f"{os.path.getsize(project) / 2**20:.1f} MB; memory allowed {allowance / 2**20:.1f} MB"
        )
        print(f"{'format':14} {'median':>8} {'peak':>9}  target: < 1 s, < {allowance / 2**20:.1f} MB")
        for fmt in ["(load only)", *FORMATS]:
            out = os.path.join(d, f"out-{fmt}")
            runs = [run_once(project, fmt, out) for _ in range(RUNS)]
            median = statistics.median(t for t, _ in runs)
            peak = max(p for _, p in runs)
            flags = []
            if fmt == "(load only)":
                print(f"{fmt:14} {median:>7.2f}s {peak / 2**20:>7.1f}MB  (spantag validate)")
                continue
            if median >= 1.0:
                flags.append("over 1 s")
                failures.append(f"{fmt}: {median:.2f} s")
            if peak > allowance:
                flags.append("over the memory target")
                failures.append(f"{fmt}: peak {peak / 2**20:.1f} MB")
            print(f"{fmt:14} {median:>7.2f}s {peak / 2**20:>7.1f}MB  {', '.join(flags)}")
    for failure in failures:
        print("FAIL:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if MAKING:
        print(*make_project(sys.argv[2], N))
    else:
        main()
