"""Rules that turn a located reply into issues, and the French messages staff read.

Every message names the problem and says what to do about it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from cuf_extract.dates import french_date
from cuf_extract.models import Answer, FileResult, Issue, IssueCode, Severity, status_from
from cuf_extract.text import (
    EXCEL_CELL_LIMIT,
    INVALID_CHARACTERS,
    cell_text,
    fits_a_cell,
    organisation_key,
    utf16_length,
)
from cuf_extract.typography import plural

# Sorts before every date: an undated reply is never « the newest ».
_NO_DATE = datetime.min.replace(tzinfo=UTC)

SEVERITY: dict[IssueCode, Severity] = {
    IssueCode.QUESTIONS_NOT_FOUND: Severity.WARNING,
    IssueCode.QUESTION_MISSING: Severity.WARNING,
    IssueCode.MISSING_ANSWER: Severity.WARNING,
    IssueCode.UNASSIGNED_TEXT: Severity.WARNING,
    IssueCode.ANSWER_TOO_LONG: Severity.WARNING,
    IssueCode.DUPLICATE_FILE: Severity.WARNING,
    IssueCode.MAIL_PART_UNREAD: Severity.WARNING,
    IssueCode.SAME_RESPONDENT: Severity.WARNING,
    IssueCode.TRACKED_CHANGES: Severity.INFO,
    IssueCode.COMMENTS: Severity.INFO,
    IssueCode.EXTRA_TEXT: Severity.INFO,
    IssueCode.EMBEDDED_CONTENT: Severity.WARNING,
    IssueCode.INVALID_CHARACTERS: Severity.INFO,
    IssueCode.CONVERTED: Severity.INFO,
    IssueCode.OWNER_FILE: Severity.INFO,
    IssueCode.UNREADABLE: Severity.ERROR,
    IssueCode.ENCRYPTED: Severity.ERROR,
    IssueCode.UNSUPPORTED_FORMAT: Severity.ERROR,
    IssueCode.TOO_LARGE: Severity.ERROR,
    IssueCode.ANSWERED_TWICE: Severity.WARNING,
    IssueCode.UNKNOWN_SYMBOL: Severity.INFO,
    IssueCode.POSSIBLE_SIGNATURE: Severity.INFO,
    IssueCode.SCANNED_PDF: Severity.ERROR,
    IssueCode.FROM_PDF: Severity.INFO,
    IssueCode.STRUCK_TEXT: Severity.WARNING,
    IssueCode.NO_BOX_TICKED: Severity.INFO,
    IssueCode.OCR: Severity.WARNING,
}

def make_issue(code: IssueCode, message: str, question: str | None = None) -> Issue:
    return Issue(code=code, severity=SEVERITY[code], question=question, message=message)


def question_label(question_ids: Sequence[str], qid: str) -> str:
    """"la question 3" for Q3: the number printed on the form (ids derived from a form
    keep it: "Q4bis" -> "la question 4bis"), else the question's rank."""
    if qid not in question_ids:
        return qid
    printed = qid[1:] if qid[:1] == "Q" and qid[1:2].isdigit() else ""
    return f"la question {printed or question_ids.index(qid) + 1}"


def answer_issues(
    *,
    question_ids: Sequence[str],
    answers: dict[str, str | None],
    found: frozenset[str],
    unassigned: Sequence[str],
    answered_twice: frozenset[str] = frozenset(),
) -> list[Issue]:
    """Issues about the questions and answers of one reply."""
    if not found:
        return [make_issue(
            IssueCode.QUESTIONS_NOT_FOUND,
            "Aucune des questions n’a été retrouvée (réponse en format libre ?) : tout le texte "
            "est dans la colonne « Texte hors réponses ». Reportez les réponses à la main, ou "
            "recopiez-les dans un questionnaire vierge (commande « cuf-extract modele ») "
            "puis relancez.",
        )]
    issues: list[Issue] = []
    previous_found: str | None = None
    for qid in question_ids:
        label = question_label(question_ids, qid)
        if qid not in found:
            hint = ""
            if previous_found is not None:
                hint = (f" Sa réponse a peut-être été rattachée à "
                        f"{question_label(question_ids, previous_found)}.")
            issues.append(make_issue(
                IssueCode.QUESTION_MISSING,
                f"{label.capitalize()} est introuvable : vérifiez qu’elle n’a pas été supprimée "
                f"ou trop modifiée ; recopiez-la au-dessus de sa réponse puis relancez.{hint}",
                qid,
            ))
            continue
        previous_found = qid
        if qid in answered_twice:
            issues.append(make_issue(
                IssueCode.ANSWERED_TWICE,
                f"{label.capitalize()} figure deux fois dans le document (le formulaire et une "
                "copie des questions), avec du texte après chacune : les deux textes sont "
                "gardés, l’un après l’autre, dans sa réponse. Vérifiez lequel est la réponse.",
                qid,
            ))
        text = answers.get(qid)
        if text is None or not text.strip():
            issues.append(make_issue(
                IssueCode.MISSING_ANSWER,
                f"Pas de réponse à {label} : vérifiez dans le fichier que la réponse n’a pas été "
                "écrite ailleurs (tableau, zone de texte, autre page) ; sinon, rien à faire.",
                qid,
            ))
        elif not fits_a_cell(cell := cell_text(text)[0]):  # the workbook would cut it
            issues.append(make_issue(
                IssueCode.ANSWER_TOO_LONG,
                f"La réponse à {label} fait {_number(utf16_length(cell))} caractères (comptés "
                f"comme Excel les compte), plus qu’une cellule "
                f"Excel n’en contient ({_number(EXCEL_CELL_LIMIT)}) : elle est tronquée dans le "
                "tableur ; le texte complet est dans le rapport HTML et le JSON.",
                qid,
            ))
    if unassigned:
        issues.append(make_issue(
            IssueCode.UNASSIGNED_TEXT,
            f"{plural(len(unassigned), 'paragraphe placé')} parmi les questions "
            + ("n’a pu être rattaché" if len(unassigned) < 2 else "n’ont pu être rattachés")
            + " à aucune d’elles (« "
            + _excerpt(unassigned[0])
            + " ») : ils sont dans « Texte hors réponses » ; déplacez-les sous la bonne question "
            "dans le fichier puis relancez.",
        ))
    return issues


def _number(value: int) -> str:
    """32767 -> "32 767", French style with a narrow no-break space."""
    return f"{value:,}".replace(",", "\u202f")


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def cross_file_issues(results: Sequence[FileResult]) -> list[FileResult]:
    """Issues that compare files: duplicates, and replies that seem to share a sender."""
    added: dict[int, list[Issue]] = defaultdict(list)
    paired: set[frozenset[int]] = set()
    for group, message in _duplicate_groups(results):
        for i in group:
            others = [results[j].path for j in group if j != i]
            added[i].append(make_issue(IssueCode.DUPLICATE_FILE, message(others)))
            paired.update(frozenset((i, j)) for j in group if j != i)
    for group in _same_respondent_groups(results):
        group = [i for i in group if any(frozenset((i, j)) not in paired for j in group if j != i)]
        if len(group) < 2:
            continue
        newest = max(group, key=lambda i: results[i].document_date or _NO_DATE)
        dated = all(results[i].document_date for i in group)
        for i in group:
            names = ", ".join(f"« {results[j].path} »" for j in group if j != i)
            if dated:
                day = french_date(results[newest].document_date, time=False)
                when = (f"d’après la date des documents, le plus récent est "
                        f"« {results[newest].path} » ({day})")
            else:
                when = "la date d’un des documents est inconnue : comparez-les"
            added[i].append(make_issue(
                IssueCode.SAME_RESPONDENT,
                f"Ce fichier et {names} semblent venir de la même organisation "
                f"(« {results[i].respondent} ») ; {when}. Gardez la bonne version dans le "
                "dossier, ou corrigez l’organisation si ce sont deux expéditeurs différents.",
            ))
    return [with_issues(r, added[i]) if i in added else r for i, r in enumerate(results)]


def _duplicate_groups(
    results: Sequence[FileResult],
) -> list[tuple[list[int], Callable[[list[str]], str]]]:
    by_hash: dict[str, list[int]] = defaultdict(list)
    by_answers: dict[tuple[str | None, ...], list[int]] = defaultdict(list)
    for i, result in enumerate(results):
        if result.sha256 is None:
            continue
        by_hash[result.sha256].append(i)
        texts = tuple(a.text for a in result.answers)
        if any(texts):
            by_answers[texts].append(i)

    def identical(others: list[str]) -> str:
        return (f"Fichier identique à « {', '.join(others)} » : gardez-en un seul dans le "
                "dossier des réponses.")

    def same_answers(others: list[str]) -> str:
        return (f"Mêmes réponses que « {', '.join(others)} » (envoyé deux fois ?) : gardez "
                "la bonne version et retirez l’autre du dossier.")

    groups: list[tuple[list[int], Callable[[list[str]], str]]] = [
        (g, identical) for g in by_hash.values() if len(g) > 1
    ]
    for group in by_answers.values():
        # Files identical byte for byte are already reported as such.
        distinct = list({results[i].sha256: i for i in group}.values())
        if len(distinct) > 1:
            groups.append((distinct, same_answers))
    return groups


def _same_respondent_groups(results: Sequence[FileResult]) -> list[list[int]]:
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, result in enumerate(results):
        if result.respondent and result.respondent_source is not None:
            key = organisation_key(result.respondent)
            by_name[key].append(i)
    return [group for group in by_name.values() if len(group) > 1]


def with_issues(result: FileResult, issues: Sequence[Issue]) -> FileResult:
    """The same result with more issues, its status recomputed."""
    all_issues = (*result.issues, *issues)
    status = result.status if result.status.value == "skipped" else status_from(all_issues)
    return result.model_copy(update={"issues": all_issues, "status": status})


# --------------------------------------------------------------------------- one document


def unreadable_bug(name: str, detail: str) -> Issue:
    """A bug of the tool while reading one file: that file's error, never a crash."""
    return make_issue(
        IssueCode.UNREADABLE,
        f"« {name} » n’a pas pu être lu à cause d’une erreur inattendue de l’outil "
        f"({detail}) : signalez-la aux développeurs avec le fichier ; en attendant, reportez "
        "ses réponses à la main.",
    )


def owner_file(name: str) -> Issue:
    return make_issue(
        IssueCode.OWNER_FILE,
        f"« {name} » est un fichier temporaire créé par Word ou par le système "
        "(pas une réponse) : ignoré. Vous pouvez le supprimer une fois le document fermé.",
    )


def too_large_message(name: str, size: int) -> str:
    return (
        f"« {name} » fait {size // (1024 * 1024)} Mo, bien plus qu’un questionnaire : "
        "vérifiez qu’il s’agit du bon fichier, ou enregistrez-le sans les images puis relancez."
    )


def converted_note(name: str, kind: str) -> Issue:
    return make_issue(
        IssueCode.CONVERTED,
        f"« {name} » ({kind}) a été converti en .docx avec LibreOffice pour "
        "être lu ; le fichier d’origine n’a pas été modifié. Relisez les réponses : la mise "
        "en forme peut avoir changé.",
    )


def from_pdf_note(name: str) -> Issue:
    return make_issue(
        IssueCode.FROM_PDF,
        f"Les réponses de « {name} » ont été lues dans un PDF : la mise en forme "
        "(gras, listes, tableaux, coupures de lignes) a pu se perdre. Relisez-les dans le "
        "rapport et comparez avec le PDF en cas de doute.",
    )


def scanned_pages(name: str, pages: Sequence[int], page_count: int) -> Issue:
    shown = ", ".join(str(n) for n in pages)
    return make_issue(
        IssueCode.SCANNED_PDF,
        f"« {name} » : page{'s' if len(pages) > 1 else ''} {shown} sur {page_count} sans texte, "
        "seulement une image (page scannée ou photographiée) : son contenu n’a pas pu "
        "être lu. Lisez ces pages dans le PDF et reportez à la main les réponses qui s’y "
        "trouvent, ou demandez le fichier Word, ou installez Tesseract (voir « Installer » "
        "dans le guide) pour que l’outil les lise.",
    )


def ocr_note(name: str, pages: Sequence[int], page_count: int) -> Issue:
    """The warning on every file (or the pages of it) read by OCR."""
    return make_issue(
        IssueCode.OCR,
        f"« {name} » : réponses lues par reconnaissance de caractères "
        f"({_pages(pages, page_count)}) : relisez-les avant publication en les comparant "
        "au document.",
    )


def ocr_blank_pages(name: str, pages: Sequence[int], page_count: int) -> Issue:
    """Pages read by OCR where it found no text."""
    return make_issue(
        IssueCode.SCANNED_PDF,
        f"« {name} » : aucun texte reconnu ({_pages(pages, page_count)}) (page blanche, "
        "écriture manuscrite, image trop floue ?) : regardez ces pages dans le fichier et "
        "reportez à la main ce qui y répond.",
    )


def doubtful_words(
    words: Sequence[str], answers: Sequence[Answer], question_ids: Sequence[str]
) -> list[Issue]:
    """One `ocr` warning per answer holding words OCR read with low confidence, naming them."""
    issues: list[Issue] = []
    for answer in answers:
        if not answer.text:
            continue
        found = [w for w in dict.fromkeys(words)
                 if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", answer.text)]
        if not found:
            continue
        shown = ", ".join(f"« {w} »" for w in found[:20])
        more = f" et {plural(len(found) - 20, 'autre')}" if len(found) > 20 else ""
        issues.append(make_issue(
            IssueCode.OCR,
            f"La réponse à {question_label(question_ids, answer.question)} contient des mots "
            f"{_DOUBTFUL_LEAD}{shown}{more}. Vérifiez-les dans le document (ils sont "
            "surlignés dans le rapport).",
            answer.question,
        ))
    return issues


_DOUBTFUL_LEAD = "lus avec doute : "


def doubtful_words_in(issue: Issue) -> list[str]:
    """The words a per-answer `ocr` warning names (made by `doubtful_words`), for the
    report to mark them in the answer."""
    if issue.code is not IssueCode.OCR or issue.question is None:
        return []
    _, found, listed = issue.message.partition(_DOUBTFUL_LEAD)
    return re.findall(r"«\s(.+?)\s»", listed) if found else []  # U+00A0 (or a space)


def _pages(numbers: Sequence[int], count: int) -> str:
    listed = ", ".join(str(n) for n in numbers)
    return f"page {listed} sur {count}" if len(numbers) == 1 else f"pages {listed} sur {count}"


def document_issues(*, revisions: int, comments: int, embedded_chunks: int) -> list[Issue]:
    """What the document holds beside its text: tracked changes, comments, embedded parts."""
    issues: list[Issue] = []
    if revisions:
        issues.append(make_issue(
            IssueCode.TRACKED_CHANGES,
            f"Le document contient des modifications suivies non acceptées ({revisions})"
            " : le texte a été lu comme si elles étaient acceptées (insertions gardées, "
            "suppressions retirées). Relisez les réponses.",
        ))
    if comments:
        issues.append(make_issue(
            IssueCode.COMMENTS,
            f"Le document contient {plural(comments, 'commentaire')} Word : leur texte est "
            "dans la colonne « Texte hors réponses ».",
        ))
    if embedded_chunks:
        issues.append(make_issue(
            IssueCode.EMBEDDED_CONTENT,
            f"Le document contient {plural(embedded_chunks, 'bloc incorporé')} (contenu "
            "collé depuis une page web ou un autre document) que l’outil ne sait pas lire : "
            "ouvrez le fichier dans Word, vérifiez ce contenu et reportez-le à la main si c’est "
            "une réponse.",
        ))
    return issues


def possible_signature(
    lines: Sequence[str], question_ids: Sequence[str], answers: dict[str, str | None]
) -> Issue:
    qid = next((q for q in reversed(question_ids) if answers.get(q)), question_ids[-1])
    last = question_label(question_ids, qid)
    return make_issue(
        IssueCode.POSSIBLE_SIGNATURE,
        f"La réponse à {last} se termine peut-être par une signature (« "
        + " / ".join(lines) + " ») : elle est laissée dans la réponse, faute de certitude. "
        "Vérifiez et, si c’est une signature, ne tenez pas compte de ces lignes.",
        qid,
    )


def no_box_ticked(question_ids: Sequence[str], unticked: Collection[str]) -> list[Issue]:
    """Questions printed with check boxes, answered in words, with no box ticked."""
    return [
        make_issue(
            IssueCode.NO_BOX_TICKED,
            f"Aucune case n’est cochée à {question_label(question_ids, qid)} : la réponse est "
            "le seul texte tapé. Vérifiez dans le fichier qu’une case n’a pas été marquée "
            "autrement (surlignage, couleur).",
            qid,
        )
        for qid in question_ids if qid in unticked
    ]


def unknown_symbols(placeholders: Sequence[str]) -> Issue:
    shown = ", ".join(f"« {p} »" for p in dict.fromkeys(placeholders))
    return make_issue(
        IssueCode.UNKNOWN_SYMBOL,
        f"Le document contient {plural(len(placeholders), 'symbole inséré')} depuis une police de "
        f"symboles que l’outil ne sait pas traduire en texte : ils apparaissent sous la forme "
        f"{shown} dans le texte. Ouvrez le fichier dans Word pour voir ce symbole et, si "
        "c’est utile, notez son sens dans « Notes ».",
    )


def text_issues(texts: Sequence[str], *, extra: bool, found: bool) -> list[Issue]:
    """About the text kept (answers and extra text): characters Excel cannot hold, and
    text added outside the answers of a reply whose questions were found."""
    issues: list[Issue] = []
    if any(INVALID_CHARACTERS.search(text) for text in texts):
        issues.append(make_issue(
            IssueCode.INVALID_CHARACTERS,
            "Le texte contient des caractères de contrôle invisibles qu’Excel ne peut pas "
            "enregistrer : ils sont remplacés par « \ufffd » dans le tableur (le JSON garde "
            "le texte d’origine). Rien à faire, sauf si une réponse paraît tronquée.",
        ))
    if extra and found:
        issues.append(make_issue(
            IssueCode.EXTRA_TEXT,
            "Du texte a été ajouté hors des réponses (en-tête, préambule, signature, notes…) : "
            "il est dans la colonne « Texte hors réponses » ; vérifiez qu’il ne contient pas "
            "de réponse.",
        ))
    return issues
