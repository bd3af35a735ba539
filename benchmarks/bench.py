"""Benchmark of cuf-extract against bare python-docx and docx2python text extraction.

Run from anywhere (not part of the test suite)::

    .venv/bin/python benchmarks/bench.py [-n 1000] [--repeat 3] [--scales 100,1000,5000]
                                         [--workdir DIR] [--jobs N] [--profile 200]
                                         [--rerun 600] [--rerun-only]

What it does, in one run (see benchmarks/README.md for the meaning of each row):

1. Generates N replies with the test fixture builder (``tests.fixtures``): every .docx
   variant in turn, each file made unique (a token appended to its answers, the party
   name replaced by a per-file organisation), one file in five written from scratch
   with ``questionnaire_doc`` and fresh answers, and one file in fifty broken
   (truncated zip, empty file, HTML renamed .docx). A folder that already holds the
   same set (see its ``.manifest.json`` beside it) is reused.
2. Times, each in a fresh child process whose peak memory is reported by a tiny
   launcher: (a) ``cuf-extract DIR -o out.xlsx --json out.json`` (and with ``--jobs``
   when the CLI has that option); (b) a bare python-docx loop; (c) docx2python (when
   installed). Median of ``--repeat`` runs. Start-up time of ``--help``/``--version``.
3. Scaling: (a) at each size of ``--scales``; documents whose answers are 10x and
   100x longer.
4. Correctness: the JSON of ``--jobs 1`` and of the default are compared (or, without
   ``--jobs``, two default runs: determinism).
5. Optionally a cProfile of one cuf-extract run (top functions by cumulative time).
6. The rerun case (``--rerun``, 600 replies): a first run, then two reruns on the
   unchanged folder, and their cost as a share of the first run (``--rerun-only``
   measures nothing else).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 4  # bump when the generated files change
BROKEN_EVERY = 50  # one file in 50 (2 %) is broken
FRESH_EVERY = 5  # one file in 5 is written from scratch with questionnaire_doc
DOC_SIZE_FILES = 60  # files per size in the document-size check
DOC_SIZE_FACTORS = (1, 10, 100)
STARTUP_REPEAT = 10
RERUN_FILES = 600  # the rerun case: a campaign's folder, run again with nothing changed

TARGETS = {
    "a/b": 1.0,
    "a/c": 0.35,
    "peak_mb": 250.0,
    "startup_s": 0.2,
    "rerun": 0.3,
}

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# --------------------------------------------------------------------------- corpus


def _org_name(i: int) -> str:
    """A unique, plausible organisation name for file number `i`."""
    syllables = ["ba", "ko", "ri", "du", "me", "sa", "lo", "ti", "na", "ve", "zu", "pe"]
    kinds = ["Parti", "Mouvement", "Union", "Alliance", "Rassemblement", "Fédération"]
    digits = []
    rest = i
    for _ in range(4):
        rest, d = divmod(rest, len(syllables))
        digits.append(syllables[d])
    word1 = (digits[0] + digits[2]).capitalize()
    word2 = (digits[1] + digits[3]).capitalize()
    suffix = f" {rest}" if rest else ""
    return f"{kinds[i % len(kinds)]} {word1} {word2}{suffix}"


def _answer_suffixes(answers: dict[str, str | None]) -> list[str]:
    """Ends of the expected answer lines: a paragraph containing one holds an answer."""
    out = []
    for text in answers.values():
        for raw in (text or "").split("\n"):
            line = raw.strip().lstrip("-0123456789. ").strip()
            if len(line) >= 8 and "\t" not in line:
                out.append(line[-20:])
    return out


def _owner_paragraph(node: object) -> object:
    parent = node.getparent()  # type: ignore[attr-defined]
    while parent is not None and parent.tag != W + "p":
        parent = parent.getparent()
    return parent


def _patch_part(xml: bytes, suffixes: Sequence[str], party: str, org: str,
                token: str) -> tuple[bytes, int]:
    """Append `token` to every answer paragraph; replace the party name by `org`."""
    from lxml import etree

    root = etree.fromstring(xml)
    patched = 0
    for para in root.iter(W + "p"):
        texts = [t for t in para.iter(W + "t") if _owner_paragraph(t) is para]
        if not texts:
            continue
        text = "".join(t.text or "" for t in texts)
        if party in text:
            texts[0].text = text.replace(party, org)
            texts[0].set(XML_SPACE, "preserve")
            for t in texts[1:]:
                t.text = ""
            patched += 1
        elif any(s in text for s in suffixes):
            texts[-1].text = (texts[-1].text or "") + token
            texts[-1].set(XML_SPACE, "preserve")
            patched += 1
    if not patched:
        return xml, 0
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), patched


def _modified(i: int) -> bytes:
    """A per-file "last modified" date, so that even unanswered forms differ."""
    day, minute = divmod(i, 24 * 60)
    return (f"2020-{2 + day // 28 % 10:02d}-{1 + day % 28:02d}T"
            f"{minute // 60:02d}:{minute % 60:02d}:00Z").encode()


def _rewrite_docx(data: bytes, suffixes: Sequence[str], party: str, org: str,
                  token: str, i: int) -> tuple[bytes, int]:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    total = 0
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                content, n = _patch_part(content, suffixes, party, org, token)
                total += n
            elif info.filename.startswith("docProps/"):
                content = content.replace(party.encode(), org.encode())
                if info.filename == "docProps/core.xml":
                    content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + _modified(i),
                                     content)
            dst.writestr(info, content)
    return out.getvalue(), total


SENTENCES = [
    "Notre parti encourage ses candidats à inscrire l’action internationale dans leur "
    "programme municipal.",
    "Les jumelages existants seront renforcés et ouverts aux associations locales.",
    "Nous proposerons une délégation dédiée dans les communes de plus de 20 000 habitants.",
    "Un module de formation à la coopération décentralisée sera proposé aux élus.",
    "Les habitants seront associés aux choix des partenariats internationaux.",
    "Un budget participatif consacrera une part à des projets de solidarité.",
    "L’évaluation des politiques locales associera des citoyens tirés au sort.",
    "Les résultats seront publiés chaque année et débattus en conseil municipal.",
    "Nous soutenons l’adhésion des collectivités aux réseaux européens de villes.",
    "Les projets seront construits avec les diasporas présentes sur le territoire.",
]


class Corpus:
    """Deterministic replies: file `i` is always the same bytes under the same name."""

    def __init__(self) -> None:
        from tests.fixtures import builder, variants

        self.b = builder
        self.v = variants
        self.variants = [v for v in variants.VARIANTS if v.suffix == ".docx"]
        self._base: dict[str, tuple[bytes, list[str]]] = {}
        self.unpatched: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()

    def _variant_bytes(self, variant: object) -> tuple[bytes, list[str]]:
        name = variant.name  # type: ignore[attr-defined]
        if name not in self._base:
            self._base[name] = (variant.build(),  # type: ignore[attr-defined]
                                _answer_suffixes(variant.answers))  # type: ignore[attr-defined]
        return self._base[name]

    def file(self, i: int) -> tuple[str, bytes]:
        org = _org_name(i)
        name = f"{i:05d} Réponse {org}"
        if i % BROKEN_EVERY == BROKEN_EVERY - 1:
            kind = ("truncated", "empty", "html")[(i // BROKEN_EVERY) % 3]
            self.kinds[f"broken:{kind}"] += 1
            if kind == "truncated":
                data, _ = self._variant_bytes(self.variants[i % len(self.variants)])
                return f"{name}.docx", data[: len(data) // 2 - (i % 97)]
            if kind == "empty":
                return f"{name}.docx", b""
            html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{org}</title>"
                    f"</head><body><h1>{org}</h1><p>Réponse au questionnaire.</p></body>"
                    "</html>")
            return f"{name}.docx", html.encode()
        if i % FRESH_EVERY == FRESH_EVERY - 1:
            self.kinds["fresh"] += 1
            return f"{name}.docx", self.fresh(i, org)
        variant = self.variants[i % len(self.variants)]
        self.kinds[f"variant:{variant.name}"] += 1
        data, suffixes = self._variant_bytes(variant)
        data, patched = _rewrite_docx(data, suffixes, self.v.PARTY, org, f" (réf. {i})", i)
        if not patched:
            self.unpatched[variant.name] += 1
        return f"{name}.docx", data

    def fresh(self, i: int, org: str, factor: int = 1) -> bytes:
        """A reply written from scratch: answers below the bullets, unique to `i`."""
        b = self.b
        answers: dict[str, list[str]] = {}
        for q, qid in enumerate(b.FORM.ids):
            if factor == 1 and (i + q) % 11 == 0:
                continue  # some questions left unanswered
            count = 1 + (i + q) % 3
            paras = []
            for k in range(count * factor):
                first = SENTENCES[(i + q + k) % len(SENTENCES)]
                second = SENTENCES[(i * 7 + q + k) % len(SENTENCES)]
                paras.append(f"{first} {second} ({org}, {qid}, {k + 1})")
            answers[qid] = [b.text_p(t) for t in paras]
        kw: dict[str, object] = {"core": {"creator": "CUF", "last_modified_by": org}}
        if i % 3 == 0:
            kw["header"] = [b.p(b.run(org, split=False), style="Header")]
        return b.questionnaire_doc(answers, **kw)


def _fixture_digest() -> str:
    h = hashlib.sha256(str(GENERATOR_VERSION).encode())
    for path in sorted((ROOT / "tests" / "fixtures").glob("*.py")):
        h.update(path.read_bytes())
    h.update((ROOT / "src" / "cuf_extract" / "data" / "cuf-aict-2020.toml").read_bytes())
    return h.hexdigest()[:16]


def _source_digest() -> str:
    """The code under test, to tell when it changed during the run."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _write_folder(folder: Path, items: Callable[[], list[tuple[str, bytes]]],
                  key: str) -> Path:
    """Write `items()` into `folder` unless its manifest says it already holds them."""
    manifest = folder.with_name(folder.name + ".manifest.json")
    if folder.is_dir() and manifest.is_file():
        try:
            recorded = json.loads(manifest.read_text(encoding="utf-8"))
            files = recorded["files"]
            if recorded.get("key") == key and all(
                (folder / name).is_file() and (folder / name).stat().st_size == size
                for name, size in files.items()
            ) and len(list(folder.iterdir())) == len(files):
                return folder
        except (OSError, ValueError, KeyError):
            pass
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    sizes = {}
    for name, data in items():
        (folder / name).write_bytes(data)
        sizes[name] = len(data)
    manifest.write_text(json.dumps({"key": key, "files": sizes}, ensure_ascii=False),
                        encoding="utf-8")
    return folder


def replies_folder(workdir: Path, corpus: Corpus, n: int) -> Path:
    key = f"{_fixture_digest()}:{n}"
    return _write_folder(workdir / f"replies-{n}",
                         lambda: [corpus.file(i) for i in range(n)], key)


def long_folder(workdir: Path, corpus: Corpus, factor: int) -> Path:
    key = f"{_fixture_digest()}:long{factor}:{DOC_SIZE_FILES}"

    def items() -> list[tuple[str, bytes]]:
        out = []
        for i in range(DOC_SIZE_FILES):
            org = _org_name(i)
            out.append((f"{i:05d} Réponse {org}.docx", corpus.fresh(i, org, factor)))
        return out

    return _write_folder(workdir / f"long-x{factor}", items, key)


# --------------------------------------------------------------------------- measuring

# Runs its arguments as a command and prints, as JSON, the wall time and the peak
# resident memory of that command. `peak_mb`: RUSAGE_CHILDREN of this fresh launcher,
# i.e. the largest single process among the command and its descendants (worker
# processes included). `tree_mb` (only with psutil): the largest sum of the RSS of the
# command and all its descendants, sampled every 20 ms — the machine-level footprint
# of a run with a process pool. Windows has no `resource`: peak_mb is then None.
LAUNCHER = textwrap.dedent("""
    import json, subprocess, sys, time
    try:
        import psutil
    except ImportError:
        psutil = None
    log = open(sys.argv[1], "ab")
    start = time.perf_counter()
    child = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log)
    tree = 0
    if psutil is not None:
        proc = psutil.Process(child.pid)
        while child.poll() is None:
            total = 0
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            tree = max(tree, total)
            time.sleep(0.02)
    rc = child.wait()
    seconds = time.perf_counter() - start
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_mb = peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
    except ImportError:
        peak_mb = None
    tree_mb = tree / 1024 / 1024 if psutil is not None else None
    print(json.dumps({"seconds": seconds, "rc": rc, "peak_mb": peak_mb, "tree_mb": tree_mb}))
""")

PYTHON_DOCX_LOOP = textwrap.dedent("""
    import sys
    from pathlib import Path
    import docx
    chars = ok = 0
    for path in sorted(Path(sys.argv[1]).glob("*.docx")):
        try:
            doc = docx.Document(str(path))
            text = "\\n".join(p.text for p in doc.paragraphs)
        except Exception:
            continue
        chars += len(text)
        ok += 1
    print(f"python-docx: {ok} files, {chars} characters")
""")

DOCX2PYTHON_LOOP = textwrap.dedent("""
    import sys
    from pathlib import Path
    from docx2python import docx2python
    chars = ok = 0
    for path in sorted(Path(sys.argv[1]).glob("*.docx")):
        try:
            with docx2python(str(path)) as doc:
                text = doc.text
        except Exception:
            continue
        chars += len(text)
        ok += 1
    print(f"docx2python: {ok} files, {chars} characters")
""")

PROFILE = textwrap.dedent("""
    import cProfile, pstats, sys
    from cuf_extract.cli import main
    sys.argv = ["cuf-extract", *sys.argv[1:]]
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        main()
    except SystemExit:
        pass
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(15)
    stats.sort_stats("cumulative").print_stats("cuf_extract", 15)
    stats.sort_stats("tottime").print_stats(15)
""")


@dataclass
class Measure:
    seconds: float
    peak_mb: float | None
    rc: int
    tree_mb: float | None = None


def measure(cmd: Sequence[str], *, cwd: Path, log: Path) -> Measure:
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(log), *cmd],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return Measure(data["seconds"], data["peak_mb"], data["rc"], data.get("tree_mb"))


def repeat(cmd: Sequence[str], times: int, *, cwd: Path, log: Path,
           before: Callable[[int], None] | None = None) -> Measure:
    """Median time (and the largest peak memory) of `times` runs."""
    runs = []
    for k in range(times):
        if before is not None:
            before(k)
        runs.append(measure(cmd, cwd=cwd, log=log))
    peaks = [r.peak_mb for r in runs if r.peak_mb is not None]
    trees = [r.tree_mb for r in runs if r.tree_mb is not None]
    return Measure(statistics.median(r.seconds for r in runs),
                   max(peaks) if peaks else None, max(r.rc for r in runs),
                   max(trees) if trees else None)


def cuf_command() -> list[str]:
    script = Path(sys.executable).with_name("cuf-extract")
    if script.is_file():
        return [str(script)]
    found = shutil.which("cuf-extract")
    return [found] if found else [sys.executable, "-m", "cuf_extract"]


def extract_options(cuf: Sequence[str]) -> str:
    """The text of `cuf-extract extraire --help`, to see which options exist."""
    out = subprocess.run([*cuf, "extract", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    return out.stdout


def has_module(name: str) -> bool:
    out = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True)
    return out.returncode == 0


def canonical_json(path: Path) -> str:
    return json.dumps(json.loads(path.read_text(encoding="utf-8")), sort_keys=True,
                      ensure_ascii=False, indent=1)


# --------------------------------------------------------------------------- reporting


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))


def check(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def summarize_json(path: Path) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    files = data.get("files", [])
    statuses = Counter(f.get("status") for f in files)
    codes = Counter(i.get("code") for f in files for i in f.get("issues", []))
    answers = {tuple(a.get("text") for a in f.get("answers", [])) for f in files}
    return (f"{len(files)} files; status {dict(sorted(statuses.items()))}; "
            f"{len(answers)} distinct answer sets; issues duplicate_file="
            f"{codes.get('duplicate_file', 0)}, same_respondent={codes.get('same_respondent', 0)}")


# --------------------------------------------------------------------------- main


# --------------------------------------------------------------------------- PDF replies

PDF_TARGET_S = 10.0  # 100 single-file PDF replies of 3 pages, end to end


def pdf_folders(workdir: Path, n: int) -> tuple[Path, Path] | None:
    """N unique 3-page replies as .docx and, saved by LibreOffice, as .pdf (reused)."""
    from tests.fixtures.builder import questionnaire_doc, text_p
    from tests.fixtures.variants import ANSWERS

    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    docx_dir, pdf_dir = workdir / f"pdf-{n}-docx", workdir / f"pdf-{n}"
    stamp = workdir / f"pdf-{n}.manifest.json"
    digest = _fixture_digest()
    if stamp.is_file() and json.loads(stamp.read_text()).get("fixtures") == digest:
        return docx_dir, pdf_dir
    for folder in (docx_dir, pdf_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for i in range(n):
        answers = {qid: [text_p(f"{t} (réf. {i})") for t in texts]
                   for qid, texts in ANSWERS.items()}
        (docx_dir / f"{i:05d} Réponse {_org_name(i)}.docx").write_bytes(
            questionnaire_doc(answers, core={"creator": _org_name(i)}))
    with tempfile.TemporaryDirectory(prefix="cuf-bench-lo-") as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(pdf_dir),
             *sorted(str(p) for p in docx_dir.iterdir())],
            check=True, capture_output=True, timeout=60 + 5 * n)
    stamp.write_text(json.dumps({"fixtures": digest, "n": n}))
    return docx_dir, pdf_dir


def pdf_section(args: argparse.Namespace, workdir: Path, cuf: Sequence[str], log: Path) -> None:
    """PDF replies beside the same replies as .docx: seconds, ms per page, peak memory."""
    import pypdfium2 as pdfium

    n = args.pdf
    print(f"\n== PDF replies: {n} single-file replies, LibreOffice PDF export, beside the "
          f"same replies as .docx; cold, median of {args.repeat} ==", flush=True)
    folders = pdf_folders(workdir, n)
    if folders is None:
        print("LibreOffice (soffice) not found: PDF rows skipped.")
        return
    docx_dir, pdf_dir = folders
    pages = 0
    for path in pdf_dir.iterdir():
        document = pdfium.PdfDocument(path)
        pages += len(document)
        document.close()
    out_dir = workdir / "out"
    out_dir.mkdir(exist_ok=True)

    def cold(_: int = 0) -> None:
        shutil.rmtree(out_dir / ".cuf-extract", ignore_errors=True)
        for old in out_dir.glob("pdf-*.xlsx"):
            old.unlink()

    rows = []
    measured: dict[str, Measure] = {}
    for label, folder, extra in (
        ("cuf-extract, PDF", pdf_dir, ()), ("cuf-extract, PDF, --jobs 1", pdf_dir, ("--jobs", "1")),
        ("cuf-extract, same replies as .docx", docx_dir, ()),
    ):
        tag = "pdf-" + label.split(",")[-1].strip().replace(" ", "").replace(".", "")
        cmd = [*cuf, str(folder), "-o", str(out_dir / f"{tag}.xlsx"), "--json",
               str(out_dir / f"{tag}.json"), *extra]
        m = repeat(cmd, args.repeat, cwd=workdir, log=log, before=cold)
        measured[label] = m
        per_page = f"{m.seconds / pages * 1000:.1f}" if folder == pdf_dir else ""
        rows.append([label, str(n), str(pages) if folder == pdf_dir else "",
                     f"{m.seconds:.2f}", f"{m.seconds / n * 1000:.1f}", per_page,
                     _fmt(m.peak_mb, ".0f"), _fmt(m.tree_mb, ".0f"), str(m.rc)])
    print_table(["row", "files", "pages", "seconds", "ms/file", "ms/page", "peak MB",
                 "tree MB", "rc"], rows)
    best = measured["cuf-extract, PDF"].seconds
    print(f"  {n} PDF replies end to end <= {PDF_TARGET_S:.0f} s (for 100): {best:.2f} s "
          f"{check(best * 100 / n <= PDF_TARGET_S)}")
    print(f"  output (PDF): {summarize_json(out_dir / 'pdf-PDF.json')}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="replies in the main set")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--scales", default="100,1000,5000",
                        help="comma-separated sizes for the linear-growth check ('' to skip)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="folder for the generated replies and outputs (default: a temp "
                        "folder, removed at the end); reused when it already has them")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="value given to cuf-extract --jobs, if it has that option")
    parser.add_argument("--profile", type=int, default=200, metavar="FILES",
                        help="profile one cuf-extract run on this many files (0: skip)")
    parser.add_argument("--rerun", type=int, default=RERUN_FILES, metavar="FILES",
                        help="first run vs unchanged rerun on this many replies (0: skip)")
    parser.add_argument("--rerun-only", action="store_true",
                        help="measure only the rerun case (--rerun), nothing else")
    parser.add_argument("--pdf", type=int, default=100, metavar="FILES",
                        help="PDF replies (made by LibreOffice) in the PDF rows (0: skip)")
    parser.add_argument("--pdf-only", action="store_true",
                        help="run only the PDF rows")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: C901 - a linear script
    args = parse_args(argv)
    scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    temp = None
    if args.workdir is None:
        temp = tempfile.TemporaryDirectory(prefix="cuf-bench-")
        workdir = Path(temp.name)
    else:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.pdf_only:
            out = workdir / "out"
            out.mkdir(exist_ok=True)
            pdf_section(args, workdir, cuf_command(), out / "children.log")
            return 0
        return run(args, scales, workdir)
    finally:
        if temp is not None:
            temp.cleanup()


def run(args: argparse.Namespace, scales: list[int], workdir: Path) -> int:
    n = args.n
    out_dir = workdir / "out"
    out_dir.mkdir(exist_ok=True)
    log = out_dir / "children.log"
    log.write_bytes(b"")
    cuf = cuf_command()
    options = extract_options(cuf)
    jobs = "--jobs" in options
    cached = "--no-cache" in options
    cache_dir = out_dir / ".cuf-extract"  # the result cache lives beside the outputs

    def cold(_: int = 0) -> None:
        """A first run: no result cache, no backups, no previous spreadsheet to carry over."""
        shutil.rmtree(cache_dir, ignore_errors=True)
        for old in out_dir.glob("*.xlsx"):
            old.unlink()
    d2p = has_module("docx2python")
    print(f"cuf-extract benchmark: N={n}, repeat={args.repeat}, cores={os.cpu_count()}, "
          f"python {sys.version.split()[0]}, {sys.platform}")
    source = _source_digest()
    print(f"workdir: {workdir}   command: {' '.join(cuf)}   src digest: {source}")
    print(f"--jobs option: {'yes' if jobs else 'no (rows skipped)'}; "
          f"docx2python: {'yes' if d2p else 'not installed (row skipped)'}; "
          f"result cache: {'yes' if cached else 'no'} (cold runs start without cache "
          "or previous spreadsheet)")

    t0 = time.perf_counter()
    corpus = Corpus()
    folder = replies_folder(workdir, corpus, n)
    total = sum(p.stat().st_size for p in folder.iterdir())
    print(f"replies: {folder} ({len(list(folder.iterdir()))} files, {total / 1e6:.1f} MB, "
          f"ready in {time.perf_counter() - t0:.1f} s)")
    if corpus.kinds:
        broken = sum(v for k, v in corpus.kinds.items() if k.startswith("broken"))
        print(f"generated: {corpus.kinds['fresh']} fresh, {broken} broken, "
              f"{len(corpus.variants)} variants cycled")
    if corpus.unpatched:
        print(f"note: variants left without a per-file answer token: {dict(corpus.unpatched)}")

    def cuf_cmd(target: Path, tag: str, *extra: str) -> list[str]:
        return [*cuf, str(target), "-o", str(out_dir / f"{tag}.xlsx"),
                "--json", str(out_dir / f"{tag}.json"), *extra]

    rerun_ok = True
    if args.rerun and cached:
        rerun_ok = rerun_case(args, corpus, workdir, out_dir, log, cuf_cmd, cold)
        if args.rerun_only:
            return 0 if rerun_ok else 1

    # -- main measures
    results: dict[str, tuple[Measure, int]] = {}
    print("\nmeasuring (a) cuf-extract ...", flush=True)
    results["a  cuf-extract (xlsx+html+json)"] = (
        repeat(cuf_cmd(folder, "a"), args.repeat, cwd=workdir, log=log, before=cold), n)
    if jobs:
        results["a1 cuf-extract --jobs 1"] = (
            repeat(cuf_cmd(folder, "a-jobs1", "--jobs", "1"), args.repeat,
                   cwd=workdir, log=log, before=cold), n)
        if args.jobs not in (1, os.cpu_count()):
            results[f"aN cuf-extract --jobs {args.jobs}"] = (
                repeat(cuf_cmd(folder, "a-jobs", "--jobs", str(args.jobs)), args.repeat,
                       cwd=workdir, log=log, before=cold), n)
    if cached:
        # A rerun on an unchanged folder: the cache filled by the last run above is kept.
        measure(cuf_cmd(folder, "a-warm"), cwd=workdir, log=log)
        results["a\" cuf-extract rerun, warm cache"] = (
            repeat(cuf_cmd(folder, "a-warm"), args.repeat, cwd=workdir, log=log), n)
    print("measuring (b) python-docx loop ...", flush=True)
    results["b  python-docx Document + paragraphs"] = (
        repeat([sys.executable, "-c", PYTHON_DOCX_LOOP, str(folder)], args.repeat,
               cwd=workdir, log=log), n)
    if d2p:
        print("measuring (c) docx2python loop ...", flush=True)
        results["c  docx2python .text"] = (
            repeat([sys.executable, "-c", DOCX2PYTHON_LOOP, str(folder)], args.repeat,
                   cwd=workdir, log=log), n)

    a = results["a  cuf-extract (xlsx+html+json)"][0].seconds
    b = results["b  python-docx Document + paragraphs"][0].seconds
    c = results["c  docx2python .text"][0].seconds if d2p else None
    rows = []
    for label, (m, files) in results.items():
        is_a = label.startswith("a")
        rows.append([
            label, str(files), f"{m.seconds:.2f}", f"{files / m.seconds:.0f}",
            f"{m.seconds / b:.2f}" if is_a else "",
            f"{m.seconds / c:.2f}" if is_a and c else "",
            _fmt(m.peak_mb, ".0f"), _fmt(m.tree_mb, ".0f"), str(m.rc),
        ])

    print("\nmeasuring start-up ...", flush=True)
    startup = {}
    for flag in ("--help", "--version"):
        m = repeat([*cuf, flag], STARTUP_REPEAT, cwd=workdir, log=log)
        startup[flag] = m
        rows.append([f"   cuf-extract {flag} (median of {STARTUP_REPEAT})", "", f"{m.seconds:.3f}",
                     "", "", "", _fmt(m.peak_mb, ".0f"), _fmt(m.tree_mb, ".0f"), str(m.rc)])
    print(f"\n== Main set: {n} replies, median of {args.repeat} ==")
    print_table(["row", "files", "seconds", "files/s", "a/b", "a/c", "peak MB", "tree MB", "rc"],
                rows)

    # -- targets
    main_a = results["a  cuf-extract (xlsx+html+json)"][0]
    peak_a = main_a.peak_mb if main_a.tree_mb is None else max(main_a.tree_mb, main_a.peak_mb or 0)
    print("\nTargets:")
    print(f"  a/b <= {TARGETS['a/b']}: {a / b:.2f} {check(a / b <= TARGETS['a/b'])}")
    if c:
        print(f"  a/c <= {TARGETS['a/c']}: {a / c:.2f} {check(a / c <= TARGETS['a/c'])}")
    if peak_a is not None:
        print(f"  peak memory (all processes) <= {TARGETS['peak_mb']:.0f} MB ({n} replies): "
              f"{peak_a:.0f} MB "
              f"{check(peak_a <= TARGETS['peak_mb'])}")
    for flag, m in startup.items():
        print(f"  {flag} <= {TARGETS['startup_s']} s: {m.seconds:.3f} s "
              f"{check(m.seconds <= TARGETS['startup_s'])}")
    print(f"  output of (a): {summarize_json(out_dir / 'a.json')}")

    # -- scaling with the number of files
    if scales:
        print("\n== Growth with the number of replies: (a), median of "
              f"{args.repeat} ==", flush=True)
        srows = []
        previous: tuple[int, float] | None = None
        base_per_file = None
        for size in scales:
            if size == n:
                m = results["a  cuf-extract (xlsx+html+json)"][0]
            else:
                target = replies_folder(workdir, corpus, size)
                m = repeat(cuf_cmd(target, f"scale-{size}"), args.repeat, cwd=workdir, log=log,
                           before=cold)
            per_file = m.seconds / size * 1000
            base_per_file = base_per_file or per_file
            marginal = ""
            if previous is not None:
                marginal = f"{(m.seconds - previous[1]) / (size - previous[0]) * 1000:.2f}"
            previous = (size, m.seconds)
            srows.append([str(size), f"{m.seconds:.2f}", f"{per_file:.2f}", marginal,
                          f"{per_file / base_per_file:.2f}", _fmt(m.peak_mb, ".0f"),
                          _fmt(m.tree_mb, ".0f")])
            print(f"  {size} done", flush=True)
        print_table(["files", "seconds", "ms/file", "marginal ms/file", "vs smallest",
                     "peak MB", "tree MB"], srows)

    # -- scaling with the size of the documents
    print(f"\n== Growth with document size: {DOC_SIZE_FILES} fresh replies each, "
          f"(a), median of {args.repeat} ==", flush=True)
    drows = []
    for factor in DOC_SIZE_FACTORS:
        target = long_folder(workdir, corpus, factor)
        with zipfile.ZipFile(next(iter(sorted(target.iterdir())))) as z:
            doc_kb = z.getinfo("word/document.xml").file_size / 1024
        m = repeat(cuf_cmd(target, f"long-x{factor}"), args.repeat, cwd=workdir, log=log,
                   before=cold)
        drows.append([f"x{factor}", f"{doc_kb:.0f}", f"{m.seconds:.2f}",
                      f"{m.seconds / DOC_SIZE_FILES * 1000:.1f}",
                      f"{m.seconds / DOC_SIZE_FILES / doc_kb * 1000:.2f}",
                      _fmt(m.peak_mb, ".0f"), _fmt(m.tree_mb, ".0f"), str(m.rc)])
    print_table(["answers", "document.xml KB", "seconds", "ms/file", "ms per XML KB",
                 "peak MB", "tree MB", "rc"], drows)

    if args.pdf:
        pdf_section(args, workdir, cuf, log)

    # -- correctness
    print("\n== Correctness ==", flush=True)
    same = True
    if jobs:
        cold()
        measure(cuf_cmd(folder, "check-jobs1", "--jobs", "1"), cwd=workdir, log=log)
        cold()
        measure(cuf_cmd(folder, "check-default"), cwd=workdir, log=log)
        ok = (canonical_json(out_dir / "check-jobs1.json")
              == canonical_json(out_dir / "check-default.json"))
        print(f"JSON of --jobs 1 and of the default (cold) identical: {'yes' if ok else 'NO'}")
        same &= ok
    else:
        cold()
        measure(cuf_cmd(folder, "check-again"), cwd=workdir, log=log)
        ok = canonical_json(out_dir / "a.json") == canonical_json(out_dir / "check-again.json")
        print("cuf-extract has no --jobs option: compared two cold default runs instead. "
              f"Identical JSON: {'yes' if ok else 'NO'}")
        same &= ok
    if cached:
        ok = canonical_json(out_dir / "a.json") == canonical_json(out_dir / "a-warm.json")
        print(f"JSON of a cold run and of a warm-cache rerun identical: {'yes' if ok else 'NO'}")
        same &= ok

    # -- profile
    if args.profile:
        target = replies_folder(workdir, corpus, args.profile)
        prof_log = out_dir / "profile.txt"
        cold()
        serial = ["--jobs", "1"] if jobs else []  # a pool's workers escape cProfile
        with prof_log.open("w") as fh:
            subprocess.run(
                [sys.executable, "-c", PROFILE, str(target), "-o", str(out_dir / "prof.xlsx"),
                 "--json", str(out_dir / "prof.json"), *serial],
                cwd=workdir, stdout=subprocess.DEVNULL, stderr=fh, check=False,
            )
        print(f"\n== cProfile of one cuf-extract run on {args.profile} replies "
              f"{' '.join(serial)} ==")
        print(prof_log.read_text(encoding="utf-8", errors="replace"))
    if _source_digest() != source:
        print("WARNING: src/ changed during the run: the rows above may mix two versions.")
    print(f"children's output: {log}")
    return 0 if same and rerun_ok else 1


def rerun_case(args: argparse.Namespace, corpus: Corpus, workdir: Path, out_dir: Path,
               log: Path, cuf_cmd: Callable[..., list[str]], cold: Callable[[], None]) -> bool:
    """A first run, then reruns on the same folder, `--repeat` times (each series shares
    the machine's load of the moment): the ratios of their medians to the first run.

    - two unchanged reruns: nothing to read, nothing to rewrite (the target);
    - a rerun after the staff saved the workbook (its mtime moved, same content): the
      replies come from the cache, the workbook is read back and everything rewritten;
    - a rerun after one late reply: that reply is read, everything rewritten.
    Also checks that the JSON of every rerun but the last equals the first run's."""
    n = args.rerun
    folder = replies_folder(workdir, corpus, n)
    labels = {"first": "first run (no cache, no previous spreadsheet)",
              "rerun": "unchanged rerun, right after the first run",
              "again": "unchanged rerun again",
              "saved": "rerun after the staff saved the workbook (all rewritten)",
              "late": "rerun after one late reply (all rewritten)"}
    times: dict[str, list[float]] = {kind: [] for kind in labels}
    print(f"\n== Rerun cost: {n} replies, first run then reruns, {args.repeat} times ==",
          flush=True)
    late_name, late_data = corpus.file(n)  # a reply that is not in the folder
    late = folder / late_name
    workbook = out_dir / "rerun.xlsx"
    try:
        for _ in range(args.repeat):
            cold()
            for kind in labels:
                if kind == "saved":
                    now = time.time_ns()
                    os.utime(workbook, ns=(now, now))
                elif kind == "late":
                    late.write_bytes(late_data)
                # The same outputs each time: a rerun reads back the workbook it replaces.
                times[kind].append(measure(cuf_cmd(folder, "rerun"), cwd=workdir,
                                           log=log).seconds)
                shutil.copyfile(out_dir / "rerun.json", out_dir / f"rerun-{kind}.json")
            late.unlink()
    finally:
        late.unlink(missing_ok=True)
    first = statistics.median(times["first"])
    rows = []
    for kind, label in labels.items():
        median = statistics.median(times[kind])
        rows.append([label, str(n if kind != "late" else n + 1), f"{median:.2f}",
                     f"{median / first:.2f}", " ".join(f"{x:.2f}" for x in times[kind])])
    print_table(["run", "files", "seconds (median)", "/ first", "runs"], rows)
    same = all(canonical_json(out_dir / "rerun-first.json")
               == canonical_json(out_dir / f"rerun-{kind}.json")
               for kind in ("rerun", "again", "saved"))
    for kind in ("rerun", "again"):
        ratio = statistics.median(times[kind]) / first
        print(f"  {labels[kind]} / first <= {TARGETS['rerun']}: {ratio:.2f} "
              f"{check(ratio <= TARGETS['rerun'])}")
    print(f"  JSON of the unchanged reruns identical to the first run's: "
          f"{'yes' if same else 'NO'}")
    return same


if __name__ == "__main__":
    sys.exit(main())
