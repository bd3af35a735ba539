"""The report as the staff read it first: what the top says, what the staff's work in
the workbook changes, the PDF replies to proofread, and the layout on a phone."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from cuf_extract.models import (
    Campaign,
    ChangeKind,
    FileHistory,
    Issue,
    IssueCode,
    Severity,
    Status,
)
from cuf_extract.publication import is_checked
from cuf_extract.typography import violations
from cuf_extract.writers.report_html import PDF_SECTION, pdf_line, render_report
from tests.test_writers import make_run

MOMENT = datetime(2020, 2, 5, 9, 0)


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start:page.index("</section>", start)]


def _campaign(**staff: tuple[tuple[str, str], ...]) -> Campaign:
    run = make_run()
    return Campaign(
        staff_columns=("Organisation (corrigée)", "Statut de suivi", "Notes"),
        history={r.path: FileHistory(change=ChangeKind.UNCHANGED, staff=staff.get(r.name, ()))
                 for r in run.files},
        previous_found=True,
    )


def test_the_top_gives_title_counts_and_what_to_do() -> None:
    page = render_report(make_run(), generated_at=MOMENT,
                         campaign_title="MUNICIPALES 2026 :\nQUELLES RÉPONSES ?")
    top = page[:page.index('<section id="a-verifier"')]
    assert '<p class="campaign">MUNICIPALES 2026\u00a0: QUELLES RÉPONSES\u00a0?</p>' in top
    assert "cuf-aict-2020" not in page  # the questionnaire's internal id
    assert "3\u00a0réponses\u00a0: 1 OK, 1 en avertissement, 1 en erreur ; 1\u00a0fichier " \
           "ignoré." .replace(" ; ", "\u00a0; ") in top
    todo = re.findall(r"<li>(.*?)</li>", top[top.index("À faire"):])
    assert todo[0].startswith("Vérifier 2\u00a0fichiers")
    assert todo[-1].startswith("Publier")
    # The sections in the order the guide gives.
    order = [page.index(f'id="{i}"') for i in ("synthese", "a-verifier", "reponses", "ignores")]
    assert order == sorted(order)


def test_staff_names_and_statuses_are_shown_and_followed() -> None:
    campaign = _campaign(**{
        "Parti B.docx": (("Organisation (corrigée)", "Parti Bleu"),
                         ("Statut de suivi", "vérifié le 3/2")),
        "Parti C #1.docx": (("Statut de suivi", "à exclure : doublon"),),
    })
    page = render_report(make_run(), generated_at=MOMENT, campaign=campaign)
    flagged = _section(page, "a-verifier")
    # Both files in warning or error were dealt with in the workbook: listed apart.
    assert "Aucun fichier ne demande de vérification." in flagged
    done = flagged[flagged.index("Déjà traités dans le tableur (2)"):]
    assert "Parti B.docx</a> — vérifiée" in done and "Parti C #1.docx</a> — exclue" in done
    everything = _section(page, "reponses")
    assert "Parti Bleu" in everything and "lue\u00a0: </span>" not in everything
    assert re.search(r"Parti Bleu <span class=\"muted\"> \(corrigée dans le tableur\u00a0; "
                     r"lue\u00a0: Parti B\)</span>", everything)
    assert "Vérifier" not in page[:page.index('<section id="a-verifier"')]


def test_a_status_still_to_check_keeps_the_reply_in_the_list() -> None:
    campaign = _campaign(**{"Parti B.docx": (("Statut de suivi", "à vérifier"),)})
    flagged = _section(render_report(make_run(), generated_at=MOMENT, campaign=campaign),
                       "a-verifier")
    assert "Parti B.docx" in flagged[:flagged.index("</div>")]
    assert "Déjà traités" not in flagged


@pytest.mark.parametrize(("text", "checked"), [
    ("vérifié", True), ("Vérifiée le 3/2", True), ("relu par Anne", True), ("OK", True),
    ("traité", True), ("à vérifier", False), ("non vérifié", False), ("pas encore relu", False),
    ("relancé", False), ("", False),
])
def test_checked_status_words(text: str, checked: bool) -> None:
    assert is_checked(text) is checked


def test_pdf_replies_are_listed_to_proofread() -> None:
    run = make_run()
    pdf = run.files[0].model_copy(update={"issues": (Issue(
        code=IssueCode.FROM_PDF, severity=Severity.INFO, message="Lu depuis un PDF."),)})
    run = run.model_copy(update={"files": (pdf, *run.files[1:])})
    assert pdf.status is Status.OK
    page = render_report(run, generated_at=MOMENT)
    section = _section(page, "a-relire")
    assert f"<h2>{PDF_SECTION}</h2>" in section and "Parti A.docx" in section
    assert "Parti B.docx" not in section
    assert "Relire 1\u00a0réponse lue dans un PDF" in page
    assert pdf_line(run) == ("À relire\u00a0: 1\u00a0réponse lue dans un PDF (statut inchangé)"
                             "\u00a0: voir «\u00a0À relire (lues dans un PDF)\u00a0» dans le "
                             "rapport.")
    assert pdf_line(make_run()) is None
    assert 'id="a-relire"' not in render_report(make_run(), generated_at=MOMENT)


def test_backups_are_shown_lower_relative_to_the_workbook(tmp_path: Path) -> None:
    folder = tmp_path / ".cuf-extract" / "sauvegardes"
    campaign = _campaign().model_copy(update={"backups": (
        str(folder / "reponses-20200205-090000.xlsx"),)})
    page = render_report(make_run(), generated_at=MOMENT, campaign=campaign,
                         workbook=tmp_path / "reponses.xlsx")
    section = _section(page, "sauvegardes")
    assert "«\u00a0.cuf-extract/sauvegardes\u00a0»" in section
    assert str(tmp_path) not in page
    assert page.index('id="sauvegardes"') > page.index('id="reponses"')


def test_report_text_of_its_own_follows_french_typography() -> None:
    campaign = _campaign(**{"Parti B.docx": (("Organisation (corrigée)", "Parti Bleu"),)})
    page = render_report(make_run(), generated_at=MOMENT, campaign=campaign)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", page)  # not even in the style
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    own = re.sub(r"<pre.*?</pre>", "", page, flags=re.S)  # the replies' text
    text = html.unescape(re.sub(r"<[^>]+>", "", own))
    for result in make_run().files:  # the issues' messages are the catalogue's, not the report's
        for issue in result.issues:
            text = text.replace(issue.message, "")
    assert violations(text) == []
    assert "(s)" not in text


CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser"))
                 if p), None)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("width", [400, 1280])
def test_report_fits_the_screen(tmp_path: Path, width: int) -> None:
    """Laid out by headless Chromium at a phone's and a laptop's width, nothing runs off
    the screen and no row of the problems table is hundreds of pixels tall (headers split
    letter by letter). The report sits in an iframe of that width (headless windows are
    500 px wide at least), so its own media queries apply; the host page reads the
    layout and leaves it in the DOM that Chromium prints."""
    page = render_report(make_run(), generated_at=MOMENT, campaign=_campaign())
    (tmp_path / "rapport.html").write_text(page, encoding="utf-8")
    host = tmp_path / "host.html"
    host.write_text(
        f'<!DOCTYPE html><body style="margin:0"><iframe id="f" src="rapport.html" '
        f'style="width:{width}px;height:900px;border:0"></iframe><script>'
        "document.getElementById('f').addEventListener('load', () => {"
        "  const d = document.getElementById('f').contentDocument.documentElement;"
        "  const rows = [...d.querySelectorAll('table.issues tr')].map(r => r.offsetHeight);"
        "  document.body.dataset.layout = [d.clientWidth, d.scrollWidth, Math.max(...rows)]"
        "    .join(',');"
        "});</script></body>", encoding="utf-8")
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--allow-file-access-from-files",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900",
         "--virtual-time-budget=3000", "--dump-dom", host.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'data-layout="(\d+),(\d+),(\d+)"', done.stdout)
    assert match is not None, done.stderr[-2000:]
    visible, needed, tallest = map(int, match.groups())
    assert visible <= width and needed <= visible  # nothing wider than the screen
    assert tallest < 300
