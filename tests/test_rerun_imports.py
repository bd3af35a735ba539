"""A rerun whose results all come from the cache does not load what reads replies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.builder import questionnaire_doc, text_p

# Run the CLI in a fresh interpreter and list the modules it loaded.
SCRIPT = """
import sys
from cuf_extract.cli import main
try:
    main()
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)))
"""
# Reading replies: the Word and PDF readers, the locator's fuzzy matching, python-docx.
# None of it is needed when every result comes from the cache (the locator's module is:
# its `normalise` tells the Company properties a batch shares).
READING = ("cuf_extract.docx_reader", "cuf_extract.pdf_reader", "cuf_extract.pdf_access",
           "cuf_extract.pdf_layout", "rapidfuzz", "pypdfium2", "docx")


def loaded(folder: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "replies"], cwd=folder, capture_output=True,
        text=True, timeout=120, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return {line.strip() for line in done.stdout.splitlines()}


def test_a_cached_rerun_does_not_import_the_readers(tmp_path: Path) -> None:
    replies = tmp_path / "replies"
    replies.mkdir()
    for party in ("Alpha", "Beta"):
        path = replies / f"{party}.docx"
        path.write_bytes(questionnaire_doc({"Q1": [text_p(f"Oui, dit {party}.")]}))
        old = time.time_ns() - 3600 * 1_000_000_000  # hashed once, then trusted
        os.utime(path, ns=(old, old))
    first = loaded(tmp_path)
    assert {"cuf_extract.docx_reader", "cuf_extract.locate", "rapidfuzz"} <= first
    for _ in range(2):  # the first rerun rewrites the outputs, the next one does not
        again = loaded(tmp_path)
        assert not {m for m in again if m.split(".")[0] in READING or m in READING}
