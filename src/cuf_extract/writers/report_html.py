"""The HTML validation report: one self-contained, printable page in French.

No external asset and no script: inline CSS only. Every text that comes from the
documents is untrusted and goes through `html.escape` (after `clean_text`, so the page
is always valid UTF-8). Answers are shown in full, never truncated.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract import checks
from cuf_extract.dates import french_date, parse_iso
from cuf_extract.layout import COLUMN_CORRECTED, COLUMN_FOLLOW_UP, UNLISTED_TITLE
from cuf_extract.models import (
    Campaign,
    ChangeKind,
    FileResult,
    Issue,
    IssueCode,
    Position,
    Run,
    Severity,
    Status,
)
from cuf_extract.positions import SynthesisRow, synthesis_table
from cuf_extract.recipients import RecipientsStatus, RecipientState, headline
from cuf_extract.typography import french, plural, quoted
from cuf_extract.writers import (
    ISSUE_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    clean_text,
    sender_cell,
)
from cuf_extract.writers.atomic import atomic_write

if TYPE_CHECKING:
    from cuf_extract.models import StaffValue

__all__ = ["PDF_SECTION", "french_datetime", "pdf_line", "render_report", "set_aside",
           "write_report"]

PDF_SECTION = "À relire (lues dans un PDF)"

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)

_CSS = """
:root { --ok: #006100; --ok-bg: #c6efce; --warn: #7a4500; --warn-bg: #ffeb9c;
  --err: #9c0006; --err-bg: #ffc7ce; --skip: #595959; --skip-bg: #ededed;
  --line: #d0d7de; --muted: #57606a; --accent: #1f4e78; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1f2328; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem;
  line-height: 1.5; font-size: 15px; }
h1 { color: var(--accent); font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { color: var(--accent); font-size: 1.3rem; border-bottom: 2px solid var(--accent);
  padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h4 { font-size: .95rem; margin: 1rem 0 .3rem; }
.meta, .muted { color: var(--muted); }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem .75rem;
  border-radius: 4px; margin: .5rem 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th { background: #f6f8fa; }
table.counts { width: auto; min-width: 18rem; }
table.issues :is(td, th):nth-child(-n+2) { white-space: nowrap; }
table.issues :is(td, th):nth-child(3) { min-width: 9rem; overflow-wrap: normal; }
table.counts :is(td, th).n { text-align: right; font-variant-numeric: tabular-nums; }
.top { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem;
  margin: 1rem 0; background: #f6f8fa; }
.top h2 { margin-top: 0; border: 0; font-size: 1.1rem; }
.top ul { margin: .25rem 0; padding-left: 1.25rem; }
.todo li { margin: .3rem 0; }
.campaign { font-size: 1.05rem; font-weight: 600; margin: 0 0 .25rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 3px; font-weight: 600;
  font-size: .85rem; white-space: nowrap; }
.s-ok { color: var(--ok); background: var(--ok-bg); }
.s-warning { color: var(--warn); background: var(--warn-bg); }
.s-error { color: var(--err); background: var(--err-bg); }
.s-skipped, .s-info { color: var(--skip); background: var(--skip-bg); }
.file { border: 1px solid var(--line); border-radius: 6px; padding: 1rem;
  margin: 1rem 0; }
.file dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem;
  margin: 0 0 .5rem; }
.file dt { color: var(--muted); }
.file dd { margin: 0; overflow-wrap: anywhere; }
.question { font-weight: 600; }
.answer, .extra { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa;
  border-left: 3px solid var(--accent); padding: .5rem .75rem; margin: 0; font: inherit; }
.extra { border-left-color: #d4a72c; }
.missing { color: var(--err); font-style: italic; margin: 0; }
a { color: var(--accent); }
svg.positions { max-width: 100%; height: auto; font-size: 13px; }
svg.positions text { fill: #1f2328; }
svg.positions text.n { fill: #fff; }
.p-oui { fill: #2e7d32; } .p-non { fill: #c62828; } .p-nuance { fill: #f0a500; }
.p-np { fill: #9e9e9e; }
/* On a phone: each row of a wide table becomes a card, each cell a line named by its
   column (data-label), instead of a table running off the screen. */
@media (max-width: 600px) {
  body { padding: .75rem; }
  table.reflow, table.reflow tbody, table.reflow tr, table.reflow td,
  table.reflow tbody th { display: block; width: 100%; }
  table.reflow thead { position: absolute; left: -9999px; }
  table.reflow tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .5rem;
    padding: .3rem .6rem; }
  table.reflow :is(td, th) { border: 0; padding: .1rem 0; white-space: normal;
    min-width: 0; text-align: left; }
  table.reflow td[data-label]::before { content: attr(data-label) "\\00a0: ";
    color: var(--muted); font-weight: 600; }
  table.issues :is(td, th):nth-child(-n+3) { white-space: normal; min-width: 0; }
  .file dl { grid-template-columns: 1fr; }
  .file dd { margin-bottom: .3rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  h3, h4 { break-after: avoid; }
  .file, table.issues tr { break-inside: avoid-page; }
  .file.all { break-inside: auto; }
  a { color: inherit; text-decoration: none; }
}
"""


def _text(value: str) -> str:
    """Untrusted text, safe for HTML (element content and attribute values)."""
    return html.escape(clean_text(value)[0], quote=True)


def _marked(answer: str, words: Sequence[str]) -> str:
    """The answer, safe for HTML, with the words OCR read with doubt highlighted."""
    text = _text(answer)
    if not words:
        return text
    escaped = sorted({_text(word) for word in words if word.strip()}, key=len, reverse=True)
    pattern = "|".join(re.escape(word) for word in escaped)
    return re.sub(rf"(?<![\w&])(?:{pattern})(?![\w;])",
                  lambda m: f'<mark title="lu avec doute">{m[0]}</mark>', text)


def french_datetime(moment: datetime) -> str:
    """"5 février 2020 à 14 h 03"."""
    return (
        f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} "
        f"à {moment.hour} h {moment.minute:02d}"
    )


def _badge(status: Status) -> str:
    return f'<span class="badge s-{status.value}">{STATUS_LABELS[status]}</span>'


def _severity_badge(severity: Severity) -> str:
    return f'<span class="badge s-{severity.value}">{SEVERITY_LABELS[severity]}</span>'


def _anchor(index: int) -> str:
    return f"fichier-{index}"


def _staff(campaign: Campaign | None, result: FileResult) -> dict[str, str]:
    """The staff's text cells for this reply (« Organisation (corrigée) », « Statut de
    suivi »…), as they left them in the workbook."""
    history = campaign.history.get(result.path) if campaign is not None else None
    if history is None:
        return {}
    return {column: " ".join(str(value).split()) for column, value in history.staff
            if isinstance(value, str) and value.strip()}


def set_aside(staff: dict[str, str]) -> str | None:
    """Why the staff took a reply out of « Fichiers à vérifier », from its « Statut de
    suivi »: « à exclure » (`selection.is_exclusion`) or « vérifié » and its synonyms
    (`selection.is_checked`); None when it is still to check."""
    from cuf_extract.selection import is_checked, is_exclusion

    follow_up = staff.get(COLUMN_FOLLOW_UP, "")
    if is_exclusion(follow_up):
        return "exclue"
    if is_checked(follow_up):
        return "vérifiée"
    return None


def _respondent(result: FileResult, staff: dict[str, str] | None = None) -> str:
    corrected = (staff or {}).get(COLUMN_CORRECTED)
    if corrected:
        read = (_text(french(" (corrigée dans le tableur ; lue : ")) + _text(result.respondent)
                + ")") if result.respondent else _text(" (corrigée dans le tableur)")
        return f'{_text(corrected)} <span class="muted">{read}</span>'
    if not result.respondent:
        return '<span class="missing">non trouvée</span>'
    source = (
        f' <span class="muted">(source\u00a0: {SOURCE_LABELS[result.respondent_source]})</span>'
        if result.respondent_source
        else ""
    )
    return _text(result.respondent) + source


def _issues_table(issues: Sequence[Issue]) -> str:
    rows = "".join(
        "<tr>"
        f'<td data-label="Gravité">{_severity_badge(issue.severity)}</td>'
        + (f'<td data-label="Question">{_text(issue.question)}</td>' if issue.question
           else "<td></td>")
        + f'<td data-label="Problème">{_text(ISSUE_LABELS.get(issue.code, issue.code.value))}'
        f'</td><td data-label="Message">{_text(issue.message)}</td>'
        "</tr>"
        for issue in issues
    )
    return (
        '<table class="issues reflow"><thead><tr><th>Gravité</th><th>Question</th>'
        f"<th>Problème</th><th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _counts(run: Run) -> str:
    counts = dict.fromkeys(Status, 0)
    for result in run.files:
        counts[result.status] += 1
    rows = "".join(
        f"<tr><td>{_badge(status)}</td><td class=\"n\">{counts[status]}</td></tr>"
        for status in (Status.OK, Status.WARNING, Status.ERROR, Status.SKIPPED)
    )
    return (
        '<table class="counts"><thead><tr><th>Statut</th><th>Fichiers</th></tr></thead>'
        f"<tbody>{rows}</tbody><tfoot><tr><th>Total</th>"
        f'<th class="n">{len(run.files)}</th></tr></tfoot></table>'
    )


def _to_check(run: Run, campaign: Campaign | None
              ) -> tuple[list[tuple[int, FileResult]], list[tuple[int, FileResult, str]]]:
    """(replies in warning or error still to check, those the staff set aside and why)."""
    flagged: list[tuple[int, FileResult]] = []
    done: list[tuple[int, FileResult, str]] = []
    for index, result in enumerate(run.files):
        if result.status not in (Status.WARNING, Status.ERROR):
            continue
        why = set_aside(_staff(campaign, result))
        if why is None:
            flagged.append((index, result))
        else:
            done.append((index, result, why))
    return flagged, done


def _from_pdf(run: Run) -> list[tuple[int, FileResult]]:
    """The replies read from a PDF, whose text the staff should proofread."""
    return [(index, result) for index, result in enumerate(run.files)
            if result.status is not Status.SKIPPED
            and any(issue.code is IssueCode.FROM_PDF for issue in result.issues)]


def pdf_line(run: Run) -> str | None:
    """The terminal's line for the replies read from a PDF, or None without any."""
    count = len(_from_pdf(run))
    if not count:
        return None
    return french(f"À relire : {plural(count, 'réponse lue', 'réponses lues')} dans un PDF "
                  f"(statut inchangé) : voir « {PDF_SECTION} » dans le rapport.")


def _flagged(run: Run, campaign: Campaign | None) -> Iterable[str]:
    flagged, done = _to_check(run, campaign)
    yield '<section id="a-verifier"><h2>Fichiers à vérifier</h2>'
    if not flagged:
        yield "<p>Aucun fichier ne demande de vérification.</p>"
    for index, result in flagged:
        yield (
            f'<div class="file"><h3>{_badge(result.status)} '
            f'<a href="#{_anchor(index)}">{_text(result.name)}</a></h3>'
            f"<p>Organisation\u00a0: {_respondent(result, _staff(campaign, result))}</p>"
            f"{_issues_table(result.issues)}</div>"
        )
    if done:
        yield (f"<h3>Déjà traités dans le tableur ({len(done)})</h3>"
               + "<p>" + _text(french("Marqués « vérifié » ou « à exclure » dans « Statut de "
                                      "suivi » : ils ne sont plus à vérifier.")) + "</p><ul>")
        yield "".join(
            f'<li><a href="#{_anchor(index)}">{_text(result.name)}</a> — {why} '
            f'<span class="muted">({_text(quoted(_staff(campaign, result)[COLUMN_FOLLOW_UP]))})'
            "</span></li>" for index, result, why in done)
        yield "</ul>"
    yield "</section>"


def _pdf_section(run: Run, campaign: Campaign | None) -> Iterable[str]:
    pdfs = _from_pdf(run)
    if not pdfs:
        return
    yield f'<section id="a-relire"><h2>{_text(PDF_SECTION)}</h2>'
    yield ("<p>" + _text(french(
        "Ces réponses ont été lues dans un PDF : leur statut ne change pas, mais un PDF ne "
        "garde pas les paragraphes ni les listes, qui sont reconstitués. Relisez chaque "
        "réponse avec le PDF sous les yeux (section « Toutes les réponses »).")) + "</p><ul>")
    yield "".join(
        f'<li><a href="#{_anchor(index)}">{_text(result.name)}</a> — '
        f"{_respondent(result, _staff(campaign, result))}</li>" for index, result in pdfs)
    yield "</ul></section>"


def _file_section(index: int, result: FileResult, run: Run, campaign: Campaign | None
                  ) -> Iterable[str]:
    yield f'<article class="file all" id="{_anchor(index)}">'
    yield f"<h3>{_badge(result.status)} {_text(result.name)}</h3><dl>"
    yield f"<dt>Organisation</dt><dd>{_respondent(result, _staff(campaign, result))}</dd>"
    yield f"<dt>Chemin</dt><dd>{_text(result.path)}</dd>"
    if result.document_date:
        yield f"<dt>Date du document</dt><dd>{_text(french_date(result.document_date))}</dd>"
    for field in result.identification:  # the form's « Signataire : ____ », « Date : ____ »
        yield f"<dt>{_text(field.label)} (formulaire)</dt><dd>{_text(field.value)}</dd>"
    if result.message:
        sender = sender_cell(result.sender_name, result.sender_address)
        yield f"<dt>Expéditeur du courriel</dt><dd>{_text(sender)}</dd>"
        yield f"<dt>Courriel reçu le</dt><dd>{_text(french_date(parse_iso(result.received)))}</dd>"
    yield "</dl>"
    doubtful = {issue.question: checks.doubtful_words_in(issue) for issue in result.issues
                if issue.code is IssueCode.OCR and issue.question}
    for question in run.questionnaire.questions:
        answer = result.answer(question.id)
        yield (
            f'<h4><span class="question">{_text(question.id)}</span> — '
            f"{_text(french(question.text))}</h4>"
        )
        if answer is None or not answer.strip():
            yield '<p class="missing">Pas de réponse.</p>'
        else:
            # The newline right after <pre> is dropped by HTML parsers: keep the text's own.
            yield f'<pre class="answer">\n{_marked(answer, doubtful.get(question.id, []))}</pre>'
    if result.extra_text:
        yield "<h4>Texte hors réponses</h4>"
        yield from (f'<pre class="extra">\n{_text(text)}</pre>' for text in result.extra_text)
    if result.issues:
        yield "<h4>Problèmes</h4>"
        yield _issues_table(result.issues)
    yield "</article>"


def _skipped(run: Run) -> Iterable[str]:
    skipped = [result for result in run.files if result.status is Status.SKIPPED]
    if not skipped:
        return
    yield '<section id="ignores"><h2>Fichiers ignorés</h2><ul>'
    for result in skipped:
        reasons = "\u00a0; ".join(_text(issue.message) for issue in result.issues)
        yield f"<li><strong>{_text(result.name)}</strong>"
        yield f" — {reasons}</li>" if reasons else "</li>"
    yield "</ul></section>"


def _changes(campaign: Campaign | None) -> Iterable[str]:
    """What changed since the previous run: new, changed, fixed, absent, hand edits."""
    if campaign is None or not campaign.previous_found:
        return
    yield '<section id="changements"><h2>Depuis la dernière exécution</h2>'
    groups: dict[ChangeKind, list[str]] = {kind: [] for kind in ChangeKind}
    for path, item in campaign.history.items():
        detail = f" — {_text(item.detail)}" if item.detail else ""
        groups[item.change].append(f"<li><strong>{_text(path)}</strong>{detail}</li>")
    absent_note = _text(french(
        " — fichier retiré du dossier ou introuvable ; sa ligne est gardée dans le tableur, "
        "marquée « absent » (supprimez-la si vous le souhaitez)"))
    groups[ChangeKind.ABSENT] = [
        f"<li><strong>{_text(a.path)}</strong>{absent_note}</li>" for a in campaign.absent
    ]
    titles = {
        ChangeKind.FIXED: "Corrigés (n’ont plus de problème)",
        ChangeKind.NEW: "Nouveaux fichiers",
        ChangeKind.CHANGED: "Fichiers modifiés",
        ChangeKind.ABSENT: "Fichiers absents",
        ChangeKind.UNCHANGED: "Inchangés",
    }
    for kind, heading in titles.items():
        items = groups[kind]
        if not items:
            continue
        if kind is ChangeKind.UNCHANGED:
            yield f"<p>{plural(len(items), 'fichier inchangé')}.</p>"
            continue
        yield f"<h3>{heading} ({len(items)})</h3><ul>{''.join(items)}</ul>"
    if campaign.hand_edits:
        yield "<h3>Cellules modifiées à la main</h3><ul>"
        yield "".join(f"<li>{_text(note)}</li>" for note in campaign.hand_edits)
        yield "</ul>"
    yield "</section>"


def _relance_text(value: StaffValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        shown = value.strftime("%d/%m/%Y" if value.time() == datetime.min.time()
                               else "%d/%m/%Y %H:%M")
    else:
        shown = str(value)
    return f' <span class="muted">— relance\u00a0: {_text(shown)}</span>'


def _recipients(status: RecipientsStatus | None) -> Iterable[str]:
    """Who has not replied yet, for the reminder e-mails; then what needs a look."""
    if status is None:
        return
    yield '<section id="destinataires"><h2>Destinataires</h2>'
    yield (f"<p><strong>{_text(headline(status))}</strong> "
           f'<span class="muted">(liste\u00a0: {_text(status.source)})</span></p>')
    rows = [row for row in status.rows if row.state is RecipientState.NOT_REPLIED]
    if rows:
        yield "<ul>" + "".join(
            f"<li>{_text(row.recipient.name)}{_relance_text(row.relance)}</li>" for row in rows
        ) + "</ul>"
    checks = [row for row in status.rows if row.state is RecipientState.TO_CHECK]
    if checks:
        yield (f"<h3>À vérifier ({len(checks)})</h3><p>" + _text(french(
            "Une réponse ressemble à ces organisations sans leur correspondre à coup sûr : "
            "elles ne sont comptées ni comme ayant répondu, ni comme sans réponse. Corrigez "
            "« Organisation (corrigée) » dans la feuille « Réponses » ou ajoutez le nom comme "
            "autre nom dans la liste, puis relancez.")) + "</p><ul>")
        yield "".join(
            f"<li><strong>{_text(row.recipient.name)}</strong> — "
            f"{_text(' ; '.join(row.to_check))}</li>" for row in checks
        )
        yield "</ul>"
    if status.unlisted:
        yield f"<h3>{_text(UNLISTED_TITLE)} ({len(status.unlisted)})</h3><ul>"
        for reply in status.unlisted:
            maybe = " ou ".join(quoted(name) for name in reply.candidates)
            yield (f"<li><strong>{_text(reply.organisation or '(organisation inconnue)')}"
                   f"</strong> — {_text(reply.path)}"
                   + (f" — peut-être {_text(maybe)} (à vérifier)" if maybe else "") + "</li>")
        yield "</ul>"
_POSITION_CLASSES = ("p-oui", "p-non", "p-nuance", "p-np")  # in Position order
_BAR_LEFT, _BAR_WIDTH, _BAR_HEIGHT, _ROW = 60, 480, 20, 30


def _position_bars(table: Sequence[SynthesisRow]) -> str:
    """One stacked bar per question, in inline SVG (no script, no external asset)."""
    widest = max((row.total for row in table), default=0) or 1
    groups: list[str] = []
    for index, row in enumerate(table):
        y = index * _ROW
        x = float(_BAR_LEFT)
        parts = [f'<text x="0" y="{y + 15}">{_text(row.question)}</text>']
        for position, css in zip(Position, _POSITION_CLASSES, strict=True):
            count = row.count(position)
            if not count:
                continue
            width = _BAR_WIDTH * count / widest
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                f'height="{_BAR_HEIGHT}"><title>{_text(row.question)}\u00a0: {count} '
                f"{quoted(position.value)}</title></rect>"
            )
            if width >= 18:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{y + 15}" '
                             f'text-anchor="middle" class="n">{count}</text>')
            x += width
        groups.append(f'<g class="question" data-question="{_text(row.question)}">'
                      f'{"".join(parts)}</g>')
    legend_y = len(table) * _ROW + 10
    legend = "".join(
        f'<rect class="{css}" x="{_BAR_LEFT + i * 120}" y="{legend_y}" width="12" '
        f'height="12"></rect><text x="{_BAR_LEFT + i * 120 + 16}" y="{legend_y + 11}">'
        f"{position.value}</text>"
        for i, (position, css) in enumerate(zip(Position, _POSITION_CLASSES, strict=True))
    )
    height = legend_y + 20
    return (
        f'<svg class="positions" role="img" viewBox="0 0 {_BAR_LEFT + _BAR_WIDTH + 10} '
        f'{height}" width="{_BAR_LEFT + _BAR_WIDTH + 10}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg" aria-label="Positions par question">'
        f'{"".join(groups)}{legend}</svg>'
    )


def _positions(run: Run, campaign: Campaign | None) -> Iterable[str]:
    """The positions per question: staff positions counted over automatic ones."""
    everything = synthesis_table(run, campaign)
    table = [row for row in everything if not row.is_open]
    opened = [row.question for row in everything if row.is_open]
    if not everything:
        return
    total = sum(row.total for row in table)
    automatic = sum(row.still_automatic for row in table)
    unrecognised = sum(row.unrecognised for row in table)
    yield '<section id="positions"><h2>Synthèse des positions</h2>'
    if opened:
        yield (f'<p class="note">Questions ouvertes, sans position automatique (on n’y '
               f'répond pas par oui ou non) : {_text(", ".join(opened))}.</p>')
    if not table:
        yield "</section>"
        return
    if not total and not unrecognised:
        yield "<p>Aucune position\u00a0: aucune réponse n’a été lue.</p></section>"
        return
    still = (f"{plural(automatic, 'position')} sur {total} "
             + ("est encore automatique" if automatic < 2 else "sont encore automatiques"))
    yield '<p class="note">' + _text(french(
        f"{still} : proposées par l’outil à partir du texte, elles sont un brouillon à "
        "confirmer dans le tableur (colonnes « Position Q1 »… de la feuille « Réponses »)."
    )) + "</p>"
    if unrecognised:
        typed = (f"{plural(unrecognised, 'position tapée')} dans le tableur "
                 + ("n’est pas reconnue" if unrecognised < 2 else "ne sont pas reconnues"))
        yield '<p class="note">' + _text(french(
            f"{typed} (ni oui, ni non, ni nuancé, ni non précisé) et "
            + ("n’est pas comptée." if unrecognised < 2 else "ne sont pas comptées."))) + "</p>"
    labels = [p.value for p in Position] + ["Encore automatiques", "Sans réponse"]
    head = "".join(f'<th class="n">{_text(label)}</th>' for label in labels)
    rows = "".join(
        f'<tr><th scope="row">{_text(row.question)}</th>'
        + "".join(f'<td class="n" data-label="{_text(label)}">{count}</td>'
                  for label, count in zip(labels, [*(row.count(p) for p in Position),
                                                   row.still_automatic, row.no_answer],
                                          strict=True))
        + "</tr>"
        for row in table
    )
    yield (
        '<table class="counts reflow"><thead><tr><th>Question</th>'
        f"{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
    yield _position_bars(table)
    if campaign is not None and campaign.excluded:
        items = "".join(
            f"<li>{_text(e.path)} ({_text(e.organisation) or 'organisation non trouvée'})"
            f"\u00a0: {_text(e.reason)}</li>" for e in campaign.excluded)
        yield (f'<p class="note">Ne sont comptées que les réponses qui seront publiées. '
               f"Non comptées ({len(campaign.excluded)})\u00a0:</p><ul>{items}</ul>")
    yield "</section>"


def _summary(run: Run) -> str:
    """« 6 réponses lues : 3 OK, 2 en avertissement, 1 en erreur ; 1 fichier ignoré »."""
    counts = dict.fromkeys(Status, 0)
    for result in run.files:
        counts[result.status] += 1
    read = counts[Status.OK] + counts[Status.WARNING] + counts[Status.ERROR]
    parts = [f"{counts[Status.OK]} OK"]
    if counts[Status.WARNING]:
        parts.append(f"{counts[Status.WARNING]} en avertissement")
    if counts[Status.ERROR]:
        parts.append(f"{counts[Status.ERROR]} en erreur")
    text = f"{plural(read, 'réponse')} : {', '.join(parts)}"
    if counts[Status.SKIPPED]:
        text += f" ; {plural(counts[Status.SKIPPED], 'fichier ignoré')}"
    return french(text + ".")


def _todo(run: Run, campaign: Campaign | None, recipients: RecipientsStatus | None
          ) -> list[str]:
    """What to do next, most urgent first, as HTML list items."""
    items: list[str] = []
    flagged, _ = _to_check(run, campaign)
    if flagged:
        items.append(_text(french(
            f"Vérifier {plural(len(flagged), 'fichier')} (« Fichiers à vérifier » ci-dessous) : "
            "suivez le message de chaque problème, ou écrivez « vérifié » ou « à exclure » "
            "dans « Statut de suivi » du tableur, puis relancez.")))
    pdfs = _from_pdf(run)
    if pdfs:
        items.append(_text(french(
            f"Relire {plural(len(pdfs), 'réponse lue', 'réponses lues')} dans un PDF "
            f"(« {PDF_SECTION} »).")))
    if recipients is not None and recipients.not_replied:
        items.append(_text(french(
            f"Relancer {plural(len(recipients.not_replied), 'organisation')} sans réponse "
            "(« Destinataires »).")))
    automatic = sum(row.still_automatic for row in synthesis_table(run, campaign))
    if automatic:
        items.append(_text(french(
            f"Confirmer {plural(automatic, 'position')} dans le tableur (colonnes « Position "
            "Q1 »…), avant de publier la synthèse.")))
    items.append(_text(french(
        "Publier : cuf-extract publication écrit le document Word et la page web à partir "
        "du tableur, tel que vous l’avez laissé.")))
    return items


def _backups(campaign: Campaign | None, workbook: Path | None) -> Iterable[str]:
    """Where the previous outputs were copied, relative to the workbook's folder."""
    if campaign is None or not campaign.backups:
        return
    base = (workbook.absolute().parent if workbook is not None else Path.cwd())

    def shown(path: str) -> str:
        try:
            return os.path.relpath(Path(path).absolute(), base).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            return path

    folder = shown(str(Path(campaign.backups[0]).parent))
    yield '<section id="sauvegardes"><h2>Sauvegardes</h2>'
    yield ("<p>" + _text(french(
        f"Les versions précédentes des résultats sont copiées dans le dossier "
        f"{quoted(folder)} (à côté du tableur) avant d’être remplacées ; les 20 dernières "
        "sont gardées. Pour revenir en arrière, recopiez-en une à la place du fichier "
        "habituel.")) + '</p><ul class="muted">')
    yield "".join(f"<li>{_text(Path(b).name)}</li>" for b in campaign.backups)
    yield "</ul></section>"


def render_report(
    run: Run,
    *,
    generated_at: datetime | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    campaign: Campaign | None = None,
    recipients: RecipientsStatus | None = None,
    campaign_title: str | None = None,
    workbook: Path | None = None,
) -> str:
    """The report as an HTML string (see `write_report`)."""
    moment = generated_at or datetime.now()
    heading = title or "Rapport de validation des réponses"
    shown_title = french(" ".join(campaign_title.split())) if campaign_title else None
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(heading)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_text(heading)}</h1>",
    ]
    if shown_title:
        parts.append(f'<p class="campaign">{_text(shown_title)}</p>')
    parts.append(f'<p class="meta">Établi le {french_datetime(moment)}.</p></header>')
    parts.extend(f'<p class="note">{_text(note)}</p>' for note in notes)
    parts.append(f'<section id="synthese" class="top"><h2>{_text(_summary(run))}</h2>'
                 f"{_counts(run)}<h2>À faire</h2><ol class=\"todo\">"
                 + "".join(f"<li>{item}</li>" for item in _todo(run, campaign, recipients))
                 + "</ol></section>")
    parts.extend(_flagged(run, campaign))
    parts.extend(_pdf_section(run, campaign))
    parts.extend(_changes(campaign))
    parts.extend(_recipients(recipients))
    parts.extend(_positions(run, campaign))
    parts.append('<section id="reponses"><h2>Toutes les réponses</h2>')
    answered = [
        (index, result)
        for index, result in enumerate(run.files)
        if result.status is not Status.SKIPPED
    ]
    if not answered:
        parts.append("<p>Aucun questionnaire n’a pu être lu.</p>")
    for index, result in answered:
        parts.extend(_file_section(index, result, run, campaign))
    parts.append("</section>")
    parts.extend(_skipped(run))
    parts.extend(_backups(campaign, workbook))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(
    run: Run,
    target: Path,
    *,
    generated_at: datetime | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    campaign: Campaign | None = None,
    recipients: RecipientsStatus | None = None,
    campaign_title: str | None = None,
    workbook: Path | None = None,
) -> Path:
    """Write the HTML validation report for `run` to `target` atomically.

    `generated_at` is the date shown (default: now); `title` replaces the default page
    title; each of `notes` is shown in a highlighted box at the top (for instance "le
    tableur a été écrit sous un autre nom"). `recipients` adds, at the top, who has not
    replied yet. `campaign_title` (the questionnaire's title) is shown under the heading;
    the backups listed in `campaign` are shown relative to `workbook`'s folder. Returns
    the path written (see `atomic_write`).
    """
    page = render_report(run, generated_at=generated_at, title=title, notes=notes,
                         campaign=campaign, recipients=recipients,
                         campaign_title=campaign_title, workbook=workbook)
    data = page.encode("utf-8")

    def write(path: Path) -> None:
        path.write_bytes(data)

    return atomic_write(Path(target), write)
