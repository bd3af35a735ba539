"""A saved message as pipeline results: one per reply it carries.

The reply documents are the attachments (at any depth) and, when no attachment is a
document, the message's body; a body whose text holds the questionnaire's questions is
a reply too, attachments or not. Every result is traced to its message: its path names
the message and the attachment (« boite/Re_ Questionnaire.msg › Reponse_PS.docx »),
and it carries the sender and the date. What the message carried that is not read (a
logo, an invitation, a part over the limits) is listed on its first result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract import checks
from cuf_extract.checks import make_issue
from cuf_extract.dates import parse_iso
from cuf_extract.inputs import FileKind
from cuf_extract.models import FileResult, Issue, IssueCode, RespondentSource
from cuf_extract.organisations import looks_like_organisation
from cuf_extract.package import MAX_FILE_BYTES
from cuf_extract.reading import FileText, FoundDocument, read_document_bytes

if TYPE_CHECKING:
    from cuf_extract.cache import ResultCache
    from cuf_extract.convert import Converter
    from cuf_extract.mail.message import Attachment, Body, Message, Sender

#: How the pipeline turns one document as read into a result: (file name, path shown,
#: what reading gave) -> its result (`pipeline.result_from_text`, with the run's matcher).
ResultOf = Callable[[str, str, FileText], FileResult]

#: What separates the message and the files inside it in a result's path.
TRAIL_SEPARATOR = " › "
BODY_NAME = "texte du courriel"

# Domains of webmail and access providers: an address there says nothing of the sender's
# organisation.
_PUBLIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.fr", "yahoo.com", "hotmail.fr", "hotmail.com",
    "outlook.fr", "outlook.com", "live.fr", "live.com", "msn.com", "orange.fr", "wanadoo.fr",
    "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr", "aol.com", "icloud.com",
    "me.com", "gmx.fr", "gmx.com", "protonmail.com", "proton.me", "numericable.fr",
    "club-internet.fr", "aliceadsl.fr", "yandex.com", "mail.com", "tutanota.com",
})


def message_results(
    path: Path, display: str, *, converter: Converter, cache: ResultCache | None,
    result_of: ResultOf,
) -> tuple[FileResult, ...]:
    """Every reply the message at `path` (a .eml or .msg, shown as `display`) carries,
    each as its own result; a message that cannot be read is one `unreadable` (or
    `too_large`) result."""
    from cuf_extract.mail.message import MailError
    from cuf_extract.mail.reader import read_message

    def failed(sha: str | None, issue: Issue) -> tuple[FileResult, ...]:
        return (result_of(path.name, display, FileText(FileKind.EML, sha, error=issue)),)

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return failed(None, make_issue(
                IssueCode.TOO_LARGE,
                f"« {path.name} » fait {size // (1024 * 1024)} Mo, bien plus qu’une réponse "
                "par courriel : enregistrez les pièces jointes à part, puis relancez."))
        data = path.read_bytes()
    except OSError as error:
        return failed(None, make_issue(
            IssueCode.UNREADABLE,
            f"« {path.name} » ne peut pas être ouvert ({error.strerror or error}) : "
            "vérifiez qu’il n’est pas ouvert dans un autre programme."))
    sha = hashlib.sha256(data).hexdigest()
    try:
        message = read_message(data, name=path.name)
    except MailError as error:
        code = IssueCode.TOO_LARGE if error.too_large else IssueCode.UNREADABLE
        return failed(sha, make_issue(code, error.message))
    return _results(path.name, display, message, converter=converter, cache=cache,
                    result_of=result_of)


def _results(name: str, display: str, message: Message, *, converter: Converter,
             cache: ResultCache | None, result_of: ResultOf) -> tuple[FileResult, ...]:
    results: list[FileResult] = []
    documents = [a for a in message.attachments if not a.image]
    images: list[Attachment] = []

    def read(attachment: Attachment) -> FileResult:
        shown = TRAIL_SEPARATOR.join((display, *attachment.trail))
        attachment_sha = hashlib.sha256(attachment.data).hexdigest()
        result = cache.get(attachment_sha, attachment.name, shown) if cache else None
        if result is None:
            read = read_document_bytes(attachment.data, attachment.name, converter)
            result = result_of(attachment.name, shown, read)
            if cache is not None and result.sha256 and result.status.value in ("ok", "warning"):
                cache.put(result)
        return result

    results.extend(read(attachment) for attachment in documents)
    # An attached scan or photo is a reply when OCR finds the questions in it; a logo or
    # a picture without them (or with no OCR engine) is only listed.
    for attachment in (a for a in message.attachments if a.image):
        result = read(attachment)
        if result.answers and not any(i.code is IssueCode.QUESTIONS_NOT_FOUND
                                      for i in result.issues) and result.status.value != "error":
            results.append(result)
            documents.append(attachment)
        else:
            images.append(attachment)
    cover: list[str] = []
    for body in message.bodies:
        result = _body_result(name, display, body, message, result_of)
        # A body is a reply when it holds the questions, or when nothing else is.
        holds_questions = not any(i.code is IssueCode.QUESTIONS_NOT_FOUND for i in result.issues)
        top = not body.trail
        if holds_questions or (top and not documents):
            results.append(result)
        else:
            cover.extend(_body_lines(body))
    if not results:  # no document and no body at all (an empty message)
        results.append(_body_result(name, display, None, message, result_of))
    notes = _notes(message, images, cover)
    traced = [_traced(r, name, display, message, first=index == 0, notes=notes)
              for index, r in enumerate(results)]
    return tuple(traced)


def _body_lines(body: Body) -> list[str]:
    where = f" ({TRAIL_SEPARATOR.join(body.trail)})" if body.trail else ""
    text = "\n".join(block.text for block in body.document.blocks)
    return [f"Texte du courriel{where} : {text}"] if text.strip() else []


def _body_result(name: str, display: str, body: Body | None, message: Message,
                 result_of: ResultOf) -> FileResult:
    from cuf_extract.document import DocumentText

    trail = body.trail if body is not None else ()
    shown = TRAIL_SEPARATOR.join((display, *trail, BODY_NAME))
    document = body.document if body is not None else DocumentText(blocks=())
    text = "\n".join(block.text for block in document.blocks)
    sha = hashlib.sha256(f"{BODY_NAME}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()
    result = result_of(f"{name}{TRAIL_SEPARATOR}{BODY_NAME}", shown,
                       FileText(FileKind.EML, sha, (FoundDocument(document),)))
    quoted = body.quoted if body is not None else ()
    extra = list(result.extra_text)
    if quoted:
        extra.append("Historique cité sous la réponse (non lu comme réponse) : "
                     + "\n".join(quoted))
    update: dict[str, object] = {"extra_text": tuple(extra),
                                 "document_date": parse_iso(message.date)}
    return result.model_copy(update=update)


def _notes(message: Message, images: list[Attachment], cover: list[str]
           ) -> tuple[list[str], list[str]]:
    """(extra text lines, problem sentences) listed once, on the message's first result."""
    extra = list(cover)
    ignored = list(message.ignored)
    ignored.extend(
        f"{TRAIL_SEPARATOR.join(a.trail)} (image sans les questions, ou sans logiciel de "
        "reconnaissance de caractères pour la lire)"
        for a in images)
    if ignored:
        extra.append("Pièces jointes non lues : " + " ; ".join(ignored))
    return extra, list(message.problems)


def _traced(result: FileResult, name: str, display: str, message: Message, *, first: bool,
            notes: tuple[list[str], list[str]]) -> FileResult:
    candidates = _with_sender(result.respondent_candidates, message.sender)
    if result.name.endswith(BODY_NAME):
        # A body's first short line is a greeting (« Bonjour, »), not a letterhead.
        candidates = [(n, s) for n, s in candidates
                      if s is not RespondentSource.LETTERHEAD or looks_like_organisation(n)]
    respondent, source = candidates[0] if candidates else (None, None)
    update: dict[str, object] = {
        "message": display,
        "sender_name": message.sender.name,
        "sender_address": message.sender.address,
        "received": message.date,
        "respondent": respondent,
        "respondent_source": source,
        "respondent_candidates": tuple(candidates),
        # A file without a date of its own (a PDF, a body) is dated by its message, so
        # that the newest of two replies from one organisation can be told.
        "document_date": result.document_date or parse_iso(message.date),
    }
    traced = result.model_copy(update=update)
    if not first:
        return traced
    extra, problems = notes
    if extra:
        traced = traced.model_copy(update={"extra_text": (*traced.extra_text, *extra)})
    if problems:
        traced = checks.with_issues(traced, [make_issue(
            IssueCode.MAIL_PART_UNREAD,
            f"Une partie du courriel « {name} » n’a pas été lue : "
            + " ; ".join(problems) + ". Ouvrez le message et reportez à la main ce qui "
            "manque, ou demandez un nouvel envoi.")])
    return traced


def _with_sender(candidates: tuple[tuple[str, RespondentSource], ...], sender: Sender
                 ) -> list[tuple[str, RespondentSource]]:
    """The document's candidates, with the sender's name (when it reads as an
    organisation's) before the file name, and its address's domain last."""
    found = list(candidates)
    known = {name.casefold() for name, _ in found}
    if sender.name and looks_like_organisation(sender.name) and \
            sender.name.casefold() not in known:
        at = next((i for i, (_, source) in enumerate(found)
                   if source is RespondentSource.FILE_NAME), len(found))
        found.insert(at, (" ".join(sender.name.split()), RespondentSource.SENDER))
    domain = sender_domain(sender.address)
    if domain and domain not in known:
        found.append((domain, RespondentSource.SENDER))
    return found


def sender_domain(address: str | None) -> str | None:
    """The domain of an organisation's address (« parti-x.fr »); None for webmail."""
    if not address or "@" not in address:
        return None
    domain = address.rsplit("@", 1)[1].strip().lower().rstrip(".")
    if not domain or "." not in domain or domain in _PUBLIC_DOMAINS:
        return None
    return domain
