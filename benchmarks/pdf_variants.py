"""How exactly the PDF reader reads the Word variants saved as PDF by LibreOffice.

    python benchmarks/pdf_variants.py [--workdir DIR] [--verbose]

Builds every Word variant of `tests/fixtures/variants.py`, converts them all to PDF in
one `soffice --convert-to pdf` call (kept in DIR: a second run reuses them), reads
each PDF through the whole extraction and counts the answers equal to the variant's
expected answers. `--verbose` prints every answer that differs. Needs `soffice`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from cuf_extract.locate import Matcher  # noqa: E402
from cuf_extract.pipeline import InputFile, extract_file  # noqa: E402
from cuf_extract.questionnaire import load_questionnaire  # noqa: E402
from tests.fixtures.variants import VARIANTS  # noqa: E402


def convert(workdir: Path) -> None:
    missing = [v for v in VARIANTS if not (workdir / f"{v.name}.pdf").exists()]
    if not missing:
        return
    for variant in missing:
        (workdir / f"{variant.name}.docx").write_bytes(variant.build())
    profile = f"-env:UserInstallation={(workdir / 'lo-profile').as_uri()}"
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(workdir), *(str(workdir / f"{v.name}.docx") for v in missing)],
                   check=True, capture_output=True, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cuf-variants-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        convert(workdir)
        matcher = Matcher(load_questionnaire())
        exact = total = whole = 0
        for variant in VARIANTS:
            path = workdir / f"{variant.name}.pdf"
            result = extract_file(InputFile(path=path, display=path.name), matcher)
            answers = {a.question: a.text for a in result.answers}
            good = sum(answers.get(q) == text for q, text in variant.answers.items())
            exact += good
            total += len(variant.answers)
            whole += good == len(variant.answers)
            print(f"{variant.name:40} {good}/{len(variant.answers)}")
            if args.verbose:
                for q, text in variant.answers.items():
                    if answers.get(q) != text:
                        print(f"    {q} expected {text!r}\n    {q} got      {answers.get(q)!r}")
        print(f"{exact}/{total} answers exact; {whole}/{len(VARIANTS)} variants entirely")


if __name__ == "__main__":
    main()
