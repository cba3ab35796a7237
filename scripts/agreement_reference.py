#!/usr/bin/env python3
"""Reference agreement figures for tests/fixtures/agreement/, computed independently of Spantag.

Kappa, alpha and Fleiss' kappa come from the standard implementations: scikit-learn's
cohen_kappa_score, the krippendorff package (level_of_measurement="nominal") and statsmodels'
fleiss_kappa. The per-character BIO tags and the span scores are re-implemented here from the
README's definitions. Writes tests/fixtures/agreement/reference.json, which a Rust test checks
to 1e-9; CI never runs this.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn krippendorff statsmodels
    /tmp/venv/bin/python scripts/agreement_reference.py
"""

import hashlib
import itertools
import json
import pathlib

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "agreement"
FILES = ["alice.json", "bob.json", "carol.json"]


def counted(span, include_suggested):
    status = span.get("status", "accepted")
    return status == "accepted" or (include_suggested and status == "suggested")


def char_tags(text, spans):
    """BIO tag per code point; overlapping spans: longest wins, then earliest, then lowest id."""
    tags = ["O"] * len(text)
    kept = []
    for s in sorted(spans, key=lambda s: (-(s["end"] - s["start"]), s["start"], s["id"])):
        if all(s["end"] <= k["start"] or k["end"] <= s["start"] for k in kept):
            kept.append(s)
    for s in kept:
        for i in range(s["start"], s["end"]):
            tags[i] = ("B-" if i == s["start"] else "I-") + s["label"]
    return tags


def prf(b_matched, b_total, a_matched, a_total):
    if a_total == 0 and b_total == 0:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    if a_total == 0 or b_total == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    p, r = b_matched / b_total, a_matched / a_total
    return {"precision": p, "recall": r, "f1": 0.0 if p + r == 0 else 2 * p * r / (p + r)}


def span_counts(a_spans, b_spans):
    """(a, b, exact one-to-one matches, a overlapped, b overlapped) for spans of one label."""
    exact = 0
    remaining = [(s["start"], s["end"]) for s in b_spans]
    for s in a_spans:
        if (s["start"], s["end"]) in remaining:
            remaining.remove((s["start"], s["end"]))
            exact += 1

    def hit(x, ys):
        return any(x["start"] < y["end"] and y["start"] < x["end"] for y in ys)

    return (
        len(a_spans),
        len(b_spans),
        exact,
        sum(hit(s, b_spans) for s in a_spans),
        sum(hit(s, a_spans) for s in b_spans),
    )


def figures(projects, include_suggested):
    by_sha = []
    for p in projects:
        m = {}
        for d in p["documents"]:
            m.setdefault(hashlib.sha256(d["text"].encode("utf-8")).hexdigest(), d)
        by_sha.append(m)
    shared = [s for s in by_sha[0] if all(s in m for m in by_sha)]
    docs = [[m[s] for s in shared] for m in by_sha]
    spans = [
        [[s for s in d["spans"] if counted(s, include_suggested)] for d in file_docs]
        for file_docs in docs
    ]
    tags = [
        sum((char_tags(d["text"], sp) for d, sp in zip(file_docs, file_spans)), [])
        for file_docs, file_spans in zip(docs, spans)
    ]
    names = sorted({t for ts in tags for t in ts})
    number = {t: i for i, t in enumerate(names)}
    coded = np.array([[number[t] for t in ts] for ts in tags])
    labels = sorted({s["label"] for fs in spans for ds in fs for s in ds})

    pairs = []
    for i, j in itertools.combinations(range(len(projects)), 2):
        per_label = {}
        total = [0, 0, 0, 0, 0]
        for label in labels:
            c = [0, 0, 0, 0, 0]
            for da, db in zip(spans[i], spans[j]):
                got = span_counts(
                    [s for s in da if s["label"] == label], [s for s in db if s["label"] == label]
                )
                c = [x + y for x, y in zip(c, got)]
            total = [x + y for x, y in zip(total, c)]
            per_label[label] = {
                "exact": prf(c[2], c[1], c[2], c[0]),
                "overlap": prf(c[4], c[1], c[3], c[0]),
                "a_spans": c[0],
                "b_spans": c[1],
            }
        pairs.append(
            {
                "a": FILES[i].removesuffix(".json"),
                "b": FILES[j].removesuffix(".json"),
                "exact": prf(total[2], total[1], total[2], total[0]),
                "overlap": prf(total[4], total[1], total[3], total[0]),
                "cohen_kappa": float(cohen_kappa_score(coded[i], coded[j])),
                "per_label": per_label,
            }
        )
    table, _ = aggregate_raters(coded.T)
    return {
        "documents_compared": len(shared),
        "characters": int(coded.shape[1]),
        "pairs": pairs,
        "krippendorff_alpha": float(
            krippendorff.alpha(reliability_data=coded, level_of_measurement="nominal")
        ),
        "fleiss_kappa": float(fleiss_kappa(table, method="fleiss")),
    }


def main():
    projects = [json.loads((DIR / f).read_text(encoding="utf-8")) for f in FILES]
    reference = {
        "accepted": figures(projects, include_suggested=False),
        "include_suggested": figures(projects, include_suggested=True),
    }
    (DIR / "reference.json").write_text(json.dumps(reference, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
