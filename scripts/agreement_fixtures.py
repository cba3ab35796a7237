#!/usr/bin/env python3
"""Write the agreement test fixtures: three annotators of the sample article.

tests/fixtures/agreement/{alice,bob,carol}.json are made from annotations/sample.json with
deterministic perturbations (dropped spans, shifted boundaries, relabels, extra spans,
suggested and rejected spans) and a second, short document all three share; carol's file also
has a document the others lack (it is skipped). Run from the repository root; the output is
committed, so this only needs running again to change the fixtures.
"""

import copy
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "agreement"

SHORT_TEXT = "习近平在北京会见古巴国家主席迪亚斯-卡内尔。\n两国元首在人民大会堂举行会谈。"
ONLY_CAROL_TEXT = "王毅、何立峰等参加上述活动。"


def document(doc_id, text, spans):
    out = []
    for i, (start, end, label, *rest) in enumerate(spans, start=1):
        record = {"id": i, "start": start, "end": end, "label": label, "text": text[start:end]}
        if rest:
            record["status"] = rest[0]
        out.append(record)
    return {
        "id": doc_id,
        "name": doc_id + ".txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "text": text,
        "spans": out,
    }


def project(labels, documents, annotator):
    next_id = 1
    for d in documents:
        d["spans"].sort(key=lambda s: (s["start"], -s["end"], s["id"]))
        for s in d["spans"]:
            s["id"] = next_id
            next_id += 1
            s["annotator"] = annotator
            # Field order as Spantag writes it.
            status = s.pop("status", None)
            if status is not None:
                s["status"] = status
    return {"format": "spantag", "version": 1, "labels": labels, "documents": documents}


def find(text, needle, nth=0):
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return at, at + len(needle)


def main():
    sample = json.loads((ROOT / "annotations" / "sample.json").read_text(encoding="utf-8"))
    labels = sample["labels"]
    article = sample["documents"][0]
    text = article["text"]
    base = [(s["start"], s["end"], s["label"]) for s in article["spans"]]
    short = [
        (*find(SHORT_TEXT, "习近平"), "PER"),
        (*find(SHORT_TEXT, "北京"), "GPE"),
        (*find(SHORT_TEXT, "古巴"), "GPE"),
        (*find(SHORT_TEXT, "迪亚斯-卡内尔"), "PER"),
        (*find(SHORT_TEXT, "人民大会堂"), "FAC"),
    ]

    # alice: the sample as it is, a suggested duplicate of its 中新社 ORG (duplicates match
    # one to one) and one rejected span.
    alice_article = list(base) + [
        (*find(text, "中新社"), "ORG", "suggested"),
        (*find(text, "天安门广场"), "LOC", "rejected"),
    ]
    alice = project(
        copy.deepcopy(labels),
        [document(article["id"], text, alice_article), document("short", SHORT_TEXT, short)],
        "alice",
    )

    # bob: drops spans 2 and 9, shifts 4's start and 11's end, relabels 6, has 中新社 ORG
    # twice (like alice with her suggestion) and suggests the span alice rejected; in the
    # short text he tags 古巴国家主席 (longer) and misses 北京.
    bob_article = []
    for k, (s, e, label) in enumerate(base):
        if k in (2, 9):
            continue
        if k == 4:
            s += 1
        if k == 11:
            e += 1
        if k == 6:
            label = "LOC"
        bob_article.append((s, e, label))
    bob_article.append((*find(text, "中新社"), "ORG"))
    bob_article.append((*find(text, "天安门广场"), "LOC", "suggested"))
    bob_short = [sp for sp in short if sp[2] != "GPE"] + [(*find(SHORT_TEXT, "古巴国家主席"), "PER")]
    bob = project(
        copy.deepcopy(labels),
        [document(article["id"], text, bob_article), document("short", SHORT_TEXT, bob_short)],
        "bob",
    )

    # carol: drops span 0, relabels 13, moves 7's start one earlier, adds two spans; her file
    # also has a document the others lack.
    carol_article = []
    for k, (s, e, label) in enumerate(base):
        if k == 0:
            continue
        if k == 13:
            label = "ORG"
        if k == 7:
            s -= 1
        carol_article.append((s, e, label))
    carol_article.append((*find(text, "彭丽媛"), "PER"))
    carol_article.append((*find(text, "人民大会堂", 1), "FAC"))
    carol_short = list(short) + [(*find(SHORT_TEXT, "国家主席"), "WORK", "suggested")]
    carol = project(
        copy.deepcopy(labels),
        [
            document(article["id"], text, carol_article),
            document("only-carol", ONLY_CAROL_TEXT, [(*find(ONLY_CAROL_TEXT, "王毅"), "PER")]),
            document("short", SHORT_TEXT, carol_short),
        ],
        "carol",
    )

    OUT.mkdir(parents=True, exist_ok=True)
    for name, p in [("alice", alice), ("bob", bob), ("carol", carol)]:
        (OUT / f"{name}.json").write_text(
            json.dumps(p, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
