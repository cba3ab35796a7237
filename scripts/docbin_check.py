#!/usr/bin/env python3
"""Check tests/fixtures/docbin/tricky.spacy with spaCy itself (run once after regenerating it
with UPDATE_FIXTURES=1 cargo test --test docbin; CI needs no Python).

    python3 -m venv /tmp/spacy && /tmp/spacy/bin/pip install spacy click
    /tmp/spacy/bin/python scripts/docbin_check.py

Loads the file with DocBin().from_disk, and checks each doc.text byte for byte and that
doc.spans["sc"] holds exactly the expected spans (character offsets and labels), and that
doc.ents are among them and do not overlap.
"""
import json
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

here = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "docbin"
expected = json.loads((here / "tricky.expected.json").read_text(encoding="utf-8"))
nlp = spacy.blank("xx")
docs = list(DocBin().from_disk(here / "tricky.spacy").get_docs(nlp.vocab))
assert len(docs) == len(expected), (len(docs), len(expected))
for doc, (text, spans) in zip(docs, expected):
    assert doc.text == text, (doc.text, text)
    got = sorted([s.start_char, s.end_char, s.label_] for s in doc.spans.get("sc", []))
    assert got == sorted(spans), (got, spans)
    ents = [[e.start_char, e.end_char, e.label_] for e in doc.ents]
    assert all(e in spans for e in ents), ents
    print(f"ok: {len(doc)} tokens, {len(ents)} ents, {len(got)} spans: {text!r}")
print(f"spaCy {spacy.__version__} loads {here / 'tricky.spacy'} as expected")
