"""Regenerate the screenshots of docs/guide.md from a real run on examples/replies.

    python docs/make_screenshots.py

Needs Chromium (Debian: `apt-get install -y chromium`). The spreadsheet screenshot also
needs LibreOffice (`soffice`, which renders the sheet as HTML); without it that one
screenshot is skipped with a message.

What it does, in a temporary folder (the examples are not touched):

1. copies examples/replies to `reponses/`, holding back one file (a "late reply");
2. runs `cuf-extract reponses/` and screenshots the report: its top (title, counts,
   what to do) at 1280 px, the same report on a phone (400 px, where the tables become
   cards), the files to check, one file's answers;
3. types notes into the workbook as staff would, fills the blank Q4 of one reply,
   adds the late reply, runs again and screenshots the "Depuis la dernière exécution"
   section, then the spreadsheet itself;
4. runs the examples again with `--destinataires examples/destinataires.txt` and
   screenshots the report's « Destinataires » block.
5. screenshots the report's « Synthèse des positions » section;
6. runs `cuf-extract publication` on that workbook and renders the first page of the
   Word document through LibreOffice (PDF) and pdftoppm (PNG), as a reader sees it.
7. saves three e-mails (built with the `email` package: an example reply attached, a
   zip of two, a reply typed in the message) into `boite/`, runs `cuf-extract boite/`
   and screenshots the workbook's « Expéditeur du courriel » and « Courriel reçu le »
   columns.

`python docs/make_screenshots.py courriels` remakes only the last one.

Parts of the report are shown by injecting a stylesheet that hides the other sections
into a copy of the HTML: what is shown is the report's own markup and style.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "replies"
IMAGES = ROOT / "docs" / "images"
LATE_REPLY = "union-des-territoires-solidaires.docx"
FIXED_REPLY = "parti-des-communes-rurales.docx"
MAX_BYTES = 250_000

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("Chromium introuvable : apt-get install -y chromium")


def run_tool(cwd: Path, *args: str) -> int:
    """`cuf-extract ARGS` with this Python (the project's venv); returns the exit code."""
    done = subprocess.run([sys.executable, "-m", "cuf_extract", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"})
    print(done.stdout, done.stderr, sep="", end="")
    return done.returncode


def report_part(report: Path, css: str, name: str) -> Path:
    """A copy of the report with `css` added, to show only part of it."""
    html = report.read_text(encoding="utf-8")
    html = html.replace("</style>", css + "\n</style>", 1)
    target = report.with_name(name)
    target.write_text(html, encoding="utf-8")
    return target


def screenshot(page: Path, png: Path, *, width: int, height: int, profile: Path) -> None:
    subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
         f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    check_size(png)


def check_size(png: Path) -> None:
    size = png.stat().st_size
    print(f"{png.relative_to(ROOT)} : {size // 1024} Ko")
    if size > MAX_BYTES:
        sys.exit(f"{png} fait {size} octets (> {MAX_BYTES}) : réduisez la fenêtre.")


def anchor_of(report: Path, file_name: str) -> str:
    """The id of a file's article in "Toutes les réponses"."""
    html = report.read_text(encoding="utf-8")
    for match in re.finditer(r'<article class="file all" id="([^"]+)">(.*?)</article>', html,
                             re.S):
        if file_name in match.group(2):
            return match.group(1)
    raise SystemExit(f"{file_name} absent du rapport")


ONLY = "body > section, body > .note {{ display: none; }} body > section{sel} {{ display: block; }}"


def staff_edits(workbook: Path) -> None:
    """What staff do between two runs: a note, a follow-up status, a corrected name."""
    from openpyxl import load_workbook

    wb = load_workbook(workbook)
    ws = wb["Réponses"]
    column = {cell.value: cell.column for cell in ws[1]}
    for row in range(2, ws.max_row + 1):
        path = str(ws.cell(row=row, column=column["Fichier"]).value or "")
        if "alliance" in path:
            ws.cell(row=row, column=column["Statut de suivi"], value="relancé")
            ws.cell(row=row, column=column["Notes"], value="Q5 demandée par courriel le 12/02")
        elif "federation" in path:
            ws.cell(row=row, column=column["Organisation (corrigée)"],
                    value="Fédération progressiste")
            ws.cell(row=row, column=column["Statut de suivi"], value="saisi à la main")
        elif FIXED_REPLY in path:
            ws.cell(row=row, column=column["Notes"], value="Q4 reçue par téléphone")
    wb.save(workbook)


def fill_blank_answer(docx_path: Path) -> None:
    """The respondent sends the reply again with its blank Q4 filled in."""
    import docx

    document = docx.Document(str(docx_path))
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].text.startswith("Envisagez-vous") and not row.cells[1].text.strip():
                row.cells[1].paragraphs[0].add_run(
                    "Oui : une consultation des habitants avant chaque projet important.")
    document.save(str(docx_path))


def spreadsheet(workbook: Path, png: Path, work: Path, profile: Path) -> None:
    """The first columns of the "Réponses" sheet, as LibreOffice renders them."""
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice (LibreOffice) absent : capture du tableur non refaite.")
        return
    from openpyxl import load_workbook

    wb = load_workbook(workbook)  # a copy is trimmed for the picture; the real one is kept
    for name in wb.sheetnames[1:]:
        del wb[name]
    ws = wb["Réponses"]
    ws.delete_cols(10, ws.max_column)  # keep Fichier … Notes, and Q1
    for (cell,) in ws.iter_rows(min_row=2, min_col=9, max_col=9):
        if isinstance(cell.value, str) and len(cell.value) > 45:
            cell.value = cell.value[:44] + "…"  # one line per answer in the picture
    copy = work / "tableur.xlsx"
    wb.save(copy)
    # LibreOffice renders the sheet (colours, column widths) as HTML; Chromium shoots it.
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}",
                    "--convert-to", "html", "--outdir", str(work), str(copy)],
                   check=True, capture_output=True, timeout=180)
    page = work / "tableur.html"
    html = page.read_text(encoding="utf-8", errors="replace")
    page.write_text(html.replace("</head>", "<style>td, font, a { font-family: sans-serif; "
                                 "font-size: 12px !important; }</style></head>", 1),
                    encoding="utf-8")
    screenshot(page, png, width=1200, height=300, profile=profile)


def mailbox(work: Path, profile: Path) -> None:
    """A folder of saved e-mails, and the workbook columns that trace each reply."""
    import io
    import zipfile
    from email.message import EmailMessage

    from openpyxl import load_workbook

    box = work / "boite"
    box.mkdir()
    docx = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
    replies = sorted(EXAMPLES.glob("*.docx"))

    def mail(sender: str, subject: str, date: str, text: str) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"] = sender, "secretariat@cites-unies-france.org"
        message["Subject"], message["Date"] = subject, date
        message.set_content(text)
        return message

    first = mail("Parti des communes rurales <contact@communes-rurales.fr>",
                 "Re: Questionnaire CUF", "Mon, 10 Feb 2020 09:12:00 +0100",
                 "Bonjour,\nVeuillez trouver notre réponse ci-jointe.\n")
    first.add_attachment((EXAMPLES / FIXED_REPLY).read_bytes(), *docx,
                         filename="Réponse PCR.docx")
    (box / "Re_ Questionnaire CUF.eml").write_bytes(bytes(first))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for reply in (r for r in replies[:3] if r.name != FIXED_REPLY):
            z.writestr(reply.name, reply.read_bytes())
    second = mail("Secrétariat fédéral <federation@union-territoires.fr>",
                  "TR: réponses des groupes", "Wed, 12 Feb 2020 17:45:00 +0100",
                  "Bonjour,\nles deux réponses dans le zip.\n")
    second.add_attachment(archive.getvalue(), "application", "zip", filename="réponses.zip")
    (box / "TR_ réponses des groupes.eml").write_bytes(bytes(second))
    from cuf_extract.questionnaire import load_questionnaire

    lines = ["Bonjour,", "voici nos réponses :", ""]
    for question in load_questionnaire().questions:
        lines += [question.text, "Oui, nous nous y engageons.", ""]
    lines += ["Bien cordialement,", "Collectif Villes en transition", "",
              "Le 15 janv. 2020 à 10:03, Cités Unies France <secretariat@cites-unies-france.org> "
              "a écrit :", "> Madame, Monsieur,"]
    third = mail("Collectif Villes en transition <bureau@villes-transition.org>",
                 "Re: Questionnaire CUF", "Fri, 14 Feb 2020 11:20:00 +0100", "\n".join(lines))
    (box / "Re_ Questionnaire CUF (1).eml").write_bytes(bytes(third))
    run_tool(work, "boite/", "--output", "courriels.xlsx", "--report", "courriels.html")
    wb = load_workbook(work / "courriels.xlsx")
    for name in wb.sheetnames[1:]:
        del wb[name]
    ws = wb["Réponses"]
    titles = [cell.value for cell in ws[1]]
    keep = {"Fichier", "Organisation", "Statut", "Expéditeur du courriel", "Courriel reçu le"}
    for index in range(len(titles), 0, -1):
        if titles[index - 1] not in keep:
            ws.delete_cols(index)
    copy = work / "tableur-courriels.xlsx"
    wb.save(copy)
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice (LibreOffice) absent : capture des colonnes des courriels non refaite.")
        return
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}",
                    "--convert-to", "html", "--outdir", str(work), str(copy)],
                   check=True, capture_output=True, timeout=180)
    page = work / "tableur-courriels.html"
    html = page.read_text(encoding="utf-8", errors="replace")
    page.write_text(html.replace("</head>", "<style>td, font, a { font-family: sans-serif; "
                                 "font-size: 12px !important; }</style></head>", 1),
                    encoding="utf-8")
    screenshot(page, IMAGES / "tableur-courriels.png", width=1200, height=260, profile=profile)


def recipients_block(work: Path, profile: Path) -> None:
    """The report's « Destinataires » block, from a run with the example list."""
    folder = work / "destinataires"
    shutil.copytree(EXAMPLES, folder / "reponses")
    run_tool(folder, "reponses/", "--destinataires", str(EXAMPLES.parent / "destinataires.txt"))
    part = report_part(folder / "reponses-rapport.html", ONLY.format(sel="#destinataires"),
                       "destinataires.html")
    screenshot(part, IMAGES / "rapport-destinataires.png", width=1000, height=620,
               profile=profile)


def publication_page(work: Path, png: Path) -> None:
    """The first page of the publication's .docx, rendered by LibreOffice then pdftoppm."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("soffice ou pdftoppm absent : capture de la publication non refaite.")
        return
    run_tool(work, "publication")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(work),
                    str(work / "reponses-publication.docx")],
                   check=True, capture_output=True, timeout=180)
    stem = work / "publication-page"
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(work / "reponses-publication.pdf"), str(stem)],
                   check=True, capture_output=True, timeout=120)
    shutil.copyfile(stem.with_suffix(".png"), png)
    check_size(png)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cuf-shots-") as temp:
        work = Path(temp)
        profile = work / "chromium-profile"
        if sys.argv[1:] == ["courriels"]:
            mailbox(work, profile)
            return
        replies = work / "reponses"
        shutil.copytree(EXAMPLES, replies)
        late = work / LATE_REPLY
        shutil.move(replies / LATE_REPLY, late)

        # First run.
        run_tool(work, "reponses/")
        report = work / "reponses-rapport.html"
        screenshot(report, IMAGES / "rapport-synthese.png", width=1280, height=820,
                   profile=profile)
        screenshot(report, IMAGES / "rapport-telephone.png", width=400, height=1500,
                   profile=profile)
        to_check = report_part(report, ONLY.format(sel="#a-verifier"), "a-verifier.html")
        screenshot(to_check, IMAGES / "rapport-a-verifier.png", width=1000, height=1300,
                   profile=profile)
        anchor = anchor_of(report, FIXED_REPLY)
        one = report_part(
            report,
            ONLY.format(sel="#reponses") + f" article.all:not(#{anchor}) {{ display: none; }}",
            "reponses.html",
        )
        screenshot(one, IMAGES / "rapport-reponses.png", width=1000, height=1250,
                   profile=profile)

        # Staff work on the workbook, a late reply and a fixed reply arrive; rerun.
        staff_edits(work / "reponses.xlsx")
        shutil.move(late, replies / LATE_REPLY)
        fill_blank_answer(replies / FIXED_REPLY)
        for owner in replies.glob("~$*"):
            owner.unlink()  # the document was closed in Word: its owner file is gone
        run_tool(work, "reponses/")
        changes = report_part(report, ONLY.format(sel="#changements"), "changements.html")
        screenshot(changes, IMAGES / "rapport-depuis-la-derniere-fois.png", width=1000,
                   height=700, profile=profile)
        spreadsheet(work / "reponses.xlsx", IMAGES / "tableur.png", work, profile)
        positions = report_part(report, ONLY.format(sel="#positions"), "positions.html")
        screenshot(positions, IMAGES / "rapport-positions.png", width=1000, height=560,
                   profile=profile)
        recipients_block(work, profile)
        publication_page(work, IMAGES / "publication.png")
        mailbox(work, profile)


if __name__ == "__main__":
    main()
