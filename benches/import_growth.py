#!/usr/bin/env python3
"""Every import is linear and its memory proportional to its input: a growth check.

Runs the release binary (`cargo build --release --no-default-features` first) on generated
inputs of size N and 2N for each case of issue 9, and prints the whole-process wall time and
peak memory (the child's maximum resident set). Fails (exit 1) when doubling the input more
than doubles the time (with 0.5 s and 30% slack for noise), when a 100,000-record case takes
2 s or more, or when peak memory exceeds 20 times the input plus 64 MiB.

    python3 benches/import_growth.py [path/to/spantag]
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/spantag")
ALLOWANCE = lambda input_bytes: 20 * input_bytes + (64 << 20)


def doccano_without_ids(d, n):
    path = os.path.join(d, "records.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for k in range(n):
            f.write(json.dumps({"text": f"习近平在北京{k}", "label": [[0, 3, "PER"]]}, ensure_ascii=False) + "\n")
    return ["--from", "doccano", path]


def doccano_one_id(d, n):
    path = os.path.join(d, "same.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for k in range(n):
            f.write(json.dumps({"id": "same", "text": "abc", "label": [[0, 1, "X"]]}) + "\n")
    return ["--from", "doccano", path]


def doccano_many_labels(d, n):
    path = os.path.join(d, "labels.jsonl")
    spans = [[k % 1000, k % 1000 + 1, f"L{k}"] for k in range(n)]
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "d", "text": "a" * 1001, "label": spans}) + "\n")
    return ["--from", "doccano", path]


def doccano_utf16(d, n):
    # n spans, one on each copy of a short text that starts outside the BMP (two UTF-16 units).
    unit = "𠮷野家在北京会见古巴领导人习近平与古巴共产党"
    units = len(unit.encode("utf-16-le")) // 2
    text = unit * n
    spans = [[units * k + 2, units * k + 5, "X"] for k in range(n)]
    path = os.path.join(d, "utf16.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "d", "text": text, "label": spans}, ensure_ascii=False) + "\n")
    return ["--from", "doccano", "--offsets", "utf16", path]


def brat_fragments(d, n):
    txt = os.path.join(d, "doc.txt")
    with open(txt, "w", encoding="utf-8") as f:
        f.write("ab" * n)
    fragments = ";".join(f"{2 * k} {2 * k + 1}" for k in range(n))
    with open(os.path.join(d, "doc.ann"), "w", encoding="utf-8") as f:
        f.write(f"T1\tPER {fragments}\t{' '.join(['a'] * n)}\n")
        f.write(f"#1\tAnnotatorNotes T1\t{'n' * (5 * n)}\n")
    return ["--from", "brat", txt]


def label_studio_labels(d, n):
    path = os.path.join(d, "ls.json")
    task = {
        "id": 1,
        "data": {"text": "习近平在北京"},
        "annotations": [{"result": [
            {"id": "r1", "type": "labels", "value": {"start": 0, "end": 3, "labels": [f"L{k}" for k in range(n)]}},
            {"id": "r1", "type": "textarea", "value": {"start": 0, "end": 3, "text": ["n" * (5 * n)]}},
        ]}],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump([task], f)
    return ["--from", "label-studio", path]


def conll_tokens(d, n):
    path = os.path.join(d, "tokens.conll")
    with open(path, "w", encoding="utf-8") as f:
        for k in range(n):
            f.write("习\tB-PER\n近\tI-PER\n平\tI-PER\n在\tO\n" if k % 4 == 0 else "北\tO\n")
            if k % 50 == 49:
                f.write("\n")
    return ["--from", "conll", path]


CASES = [
    ("doccano, records without ids", doccano_without_ids, 100_000),
    ("doccano, records sharing one id", doccano_one_id, 100_000),
    ("doccano, one label per span", doccano_many_labels, 100_000),
    ("doccano --offsets utf16", doccano_utf16, 20_000),
    ("brat, fragments of one T line + note", brat_fragments, 20_000),
    ("label-studio, labels of one region + note", label_studio_labels, 20_000),
    ("conll, tokens", conll_tokens, 500_000),
]


def run(args, d):
    inputs = [a for a in args if os.path.exists(a)]
    size = sum(os.path.getsize(p) for p in inputs)
    if args[1] == "brat":
        size += os.path.getsize(inputs[0][:-4] + ".ann")
    out = os.path.join(d, "out.json")
    start = time.perf_counter()
    proc = subprocess.run([BINARY, "import", *args, "-o", out, "--force"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr.strip()}")
    return elapsed, size


def measure(case, n):
    """Generate and import in a child process of its own: RUSAGE_CHILDREN's peak is then the
    import's alone (the generator, Python, never waits on another child)."""
    name, make, _ = case
    code = (
        "import sys, json, resource, subprocess, tempfile, time, os\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "import import_growth as g\n"
        "d = tempfile.mkdtemp()\n"
        f"args = g.{make.__name__}(d, {n})\n"
        "t, size = g.run(args, d)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps([t, size, peak]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{name}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    if not os.path.exists(BINARY):
        raise SystemExit(f"{BINARY} not found: cargo build --release --no-default-features")
    failures = []
    print(f"{'case':44} {'N':>8} {'input':>9} {'time':>8} {'peak':>9} | {'2N time':>8} {'ratio':>6}")
    for case in CASES:
        name, _, n = case
        t1, size1, peak1 = min((measure(case, n) for _ in range(3)), key=lambda r: r[0])
        t2, size2, peak2 = min((measure(case, 2 * n) for _ in range(3)), key=lambda r: r[0])
        ratio = t2 / t1 if t1 > 0 else 0
        print(f"{name:44} {n:>8} {size1 / 1024:>7.0f}KB {t1:>7.2f}s {peak1 / 2**20:>7.1f}MB | {t2:>7.2f}s {ratio:>6.2f}")
        if t2 > 2 * t1 * 1.3 + 0.5:
            failures.append(f"{name}: doubling the input took {ratio:.1f} times as long")
        if n >= 100_000 and t1 >= 2.0:
            failures.append(f"{name}: {n} records took {t1:.2f} s")
        for size, peak in ((size1, peak1), (size2, peak2)):
            if peak > ALLOWANCE(size):
                failures.append(f"{name}: peak {peak >> 20} MB for {size >> 10} KB of input")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
