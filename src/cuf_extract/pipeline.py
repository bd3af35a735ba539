"""The whole flow for a set of files, without printing: read -> locate -> check -> results.

Every file gets a `FileResult`, whatever happens: problems with a file are issues on
its result, so one bad file never stops the batch.
"""

from __future__ import annotations

import hashlib
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cuf_extract import checks, inputs
from cuf_extract.checks import make_issue
from cuf_extract.models import (
    Answer,
    FileResult,
    Issue,
    IssueCode,
    Run,
    Status,
    status_from,
)
from cuf_extract.package import MAX_FILE_BYTES, OoxmlPackage, PackageError
from cuf_extract.questionnaire import Questionnaire
from cuf_extract.respondent import respondent_candidates, set_aside_inherited_properties
from cuf_extract.writers import INVALID_CHARACTERS

if TYPE_CHECKING:
    # Reading a reply's text is imported when a reply is read: a rerun whose results
    # all come from the cache needs none of it (locate brings rapidfuzz).
    from cuf_extract.cache import ResultCache
    from cuf_extract.convert import ConversionResult
    from cuf_extract.docx_reader import DocumentText
    from cuf_extract.locate import Matcher

ProgressCallback = Callable[[FileResult], None]


class Converter:
    """LibreOffice, found once per run, with one profile shared by the run's conversions
    (creating a profile costs seconds). Without LibreOffice, foreign formats are errors
    whose message says how to convert them by hand."""

    def __init__(self) -> None:
        self._soffice: str | None = None
        self._looked = False
        self._profile: tempfile.TemporaryDirectory[str] | None = None

    @property
    def available(self) -> bool:
        if not self._looked:
            from cuf_extract.convert import find_soffice

            self._soffice = find_soffice()
            self._looked = True
        return self._soffice is not None

    def convert(self, path: Path, kind: inputs.FileKind) -> ConversionResult:
        from cuf_extract.convert import convert_to_docx

        assert self.available and self._soffice is not None
        if self._profile is None:
            self._profile = tempfile.TemporaryDirectory(
                prefix="cuf-extract-profile-", ignore_cleanup_errors=True
            )
        return convert_to_docx(path, soffice=self._soffice, kind=kind,
                               profile_dir=Path(self._profile.name))

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    display: str  # the path as the user gave it (or as found in a folder)


# Below this many files a process pool costs more (start-up) than it saves.
PARALLEL_MIN_FILES = 40
CHUNK_SIZE = 8


def extract_files(
    files: Sequence[InputFile],
    questionnaire: Questionnaire,
    *,
    on_result: ProgressCallback | None = None,
    cache: ResultCache | None = None,
    jobs: int = 1,
) -> Run:
    """Extract every file, then run the checks that compare files with each other.

    Files already in `cache` are taken from it first, here; the others are read, by a
    pool of processes when `jobs` > 1 and there are enough of them. Results keep the
    input order, so the output depends neither on `jobs` nor on the cache.
    """
    results: list[FileResult | None] = [None] * len(files)
    todo: list[int] = []
    for index, item in enumerate(files):
        cached = _cached(item, cache) if cache is not None else None
        if cached is None:
            todo.append(index)
            continue
        results[index] = cached
        if on_result is not None:
            on_result(cached)
    pending = [files[i] for i in todo]
    if jobs > 1 and len(pending) >= PARALLEL_MIN_FILES:
        fresh = _extract_parallel(pending, questionnaire, on_result, cache, jobs)
    elif not pending:
        fresh = []
    else:
        from cuf_extract.locate import Matcher

        fresh = []
        matcher = Matcher(questionnaire)
        with Converter() as converter:
            for item in pending:
                result = extract_file(item, matcher, converter, cache)
                fresh.append(result)
                if on_result is not None:
                    on_result(result)
    for index, result in zip(todo, fresh, strict=True):
        results[index] = result
    done = [r for r in results if r is not None]
    assert len(done) == len(files), "every file has a result"
    if cache is not None:
        cache.save_index()
    done = set_aside_inherited_properties(done)
    return Run(questionnaire=questionnaire.ref(), files=tuple(checks.cross_file_issues(done)))


def _cached(item: InputFile, cache: ResultCache) -> FileResult | None:
    sha = cache.sha256(item.path, max_bytes=MAX_FILE_BYTES)
    return cache.get(sha, item.path.name, item.display) if sha else None


def _extract_parallel(
    files: Sequence[InputFile],
    questionnaire: Questionnaire,
    on_result: ProgressCallback | None,
    cache: ResultCache | None,
    jobs: int,
) -> list[FileResult]:
    from concurrent.futures import ProcessPoolExecutor

    results: list[FileResult] = []
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(questionnaire, cache)
    ) as pool:
        for result in pool.map(_work, files, chunksize=CHUNK_SIZE):
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


# One matcher, converter and cache per worker process, made once by the pool.
_WORKER: tuple[Matcher, Converter, ResultCache | None] | None = None


def _init_worker(questionnaire: Questionnaire, cache: ResultCache | None) -> None:
    from cuf_extract.locate import Matcher

    global _WORKER
    _WORKER = (Matcher(questionnaire), Converter(), cache)


def _work(item: InputFile) -> FileResult:
    assert _WORKER is not None, "the pool initialiser sets up each worker"
    matcher, converter, cache = _WORKER
    return extract_file(item, matcher, converter, cache)


def extract_file(
    item: InputFile,
    matcher: Matcher,
    converter: Converter | None = None,
    cache: ResultCache | None = None,
) -> FileResult:
    """One file's result. Never raises for a bad file; a bug becomes an `unreadable` error."""
    try:
        return _extract(item, matcher, converter or Converter(), cache)
    except Exception as exc:  # a bug: keep the batch going, say it plainly
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return _failed(item, matcher, None, make_issue(
            IssueCode.UNREADABLE,
            f"« {item.path.name} » n'a pas pu être lu à cause d'une erreur inattendue de l'outil "
            f"({detail}) : signalez-la aux développeurs avec le fichier ; en attendant, reportez "
            "ses réponses à la main.",
        ))


def _extract(
    item: InputFile, matcher: Matcher, converter: Converter, cache: ResultCache | None
) -> FileResult:
    # Zip archives are opened once, by `_extract_zip`, rather than sniffed and reopened.
    sniffed = inputs.sniff(item.path, inspect_zip=False)
    if sniffed.kind in (inputs.FileKind.OWNER_FILE, inputs.FileKind.SYSTEM_FILE):
        return _skipped(item, matcher)
    result = _extract_sniffed(item, matcher, converter, sniffed.kind)
    # Errors are cheap to find again, and may go away (LibreOffice installed since).
    if cache is not None and result.sha256 and result.status in (Status.OK, Status.WARNING):
        cache.put(result)
    return result


def _extract_sniffed(
    item: InputFile, matcher: Matcher, converter: Converter, kind: inputs.FileKind
) -> FileResult:
    path = item.path
    if kind in inputs.CONVERTIBLE_KINDS and converter.available:
        return _extract_converted(item, matcher, converter, kind)
    if kind is inputs.FileKind.PDF:
        return _extract_pdf(item, matcher)
    if kind is inputs.FileKind.IMAGE:
        return _extract_ocr(item, matcher, "image")
    if kind not in (inputs.FileKind.DOCX, inputs.FileKind.ZIP):
        code, message = inputs.explain(kind, path.name)
        return _failed(item, matcher, _sha256_or_none(path), make_issue(code, message))
    try:
        data = _read_bounded(path)
    except OSError as exc:
        code, message = inputs.explain(inputs.FileKind.INACCESSIBLE, path.name)
        return _failed(item, matcher, None, make_issue(code, f"{message} ({exc.strerror})"))
    except PackageError as exc:
        return _failed(item, matcher, None, make_issue(exc.code, exc.message))
    sha = hashlib.sha256(data).hexdigest()
    try:
        package = OoxmlPackage.from_bytes(data, name=path.name)
    except PackageError as exc:
        return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    kind = _classify(package)
    if kind is not inputs.FileKind.DOCX:
        if kind in inputs.CONVERTIBLE_KINDS and converter.available:
            return _extract_converted(item, matcher, converter, kind)
        code, message = inputs.explain(kind, path.name)
        return _failed(item, matcher, sha, make_issue(code, message))
    return _extract_package(item, matcher, package, sha)


def _classify(package: OoxmlPackage) -> inputs.FileKind:
    """What the opened zip holds (a Word document, an .odt, a spreadsheet…)."""

    def read(name: str) -> bytes | None:
        if not package.has(name):
            return None
        if package.entry_size(name) > inputs.SNIFF_MAX_PART_BYTES:
            raise ValueError(f"{name}: too large to sniff")
        return package.read_bytes(name)

    try:
        return inputs.classify_package(set(package.names()), read).kind
    except (ValueError, PackageError):
        return inputs.FileKind.CORRUPT


def _read_bounded(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PackageError(IssueCode.TOO_LARGE, _too_large_message(path.name, size))
    return path.read_bytes()


def _extract_docx_bytes(
    item: InputFile, matcher: Matcher, data: bytes, sha: str, extra_issues: tuple[Issue, ...] = ()
) -> FileResult:
    try:
        package = OoxmlPackage.from_bytes(data, name=item.path.name)
    except PackageError as exc:
        return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    return _extract_package(item, matcher, package, sha, extra_issues)


def _extract_package(
    item: InputFile,
    matcher: Matcher,
    package: OoxmlPackage,
    sha: str,
    extra_issues: tuple[Issue, ...] = (),
) -> FileResult:
    from cuf_extract.docx_reader import read_document

    try:
        document = read_document(package)
    except PackageError as exc:
        return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    result = _result_from_document(item, matcher, sha, document)
    return checks.with_issues(result, extra_issues) if extra_issues else result


def _extract_converted(
    item: InputFile, matcher: Matcher, converter: Converter, kind: inputs.FileKind
) -> FileResult:
    """.doc, .odt, .rtf: converted to .docx by LibreOffice in a temporary folder."""
    sha = _sha256_or_none(item.path)
    with converter.convert(item.path, kind) as conversion:
        if not conversion.ok or conversion.docx is None:
            message = conversion.message or f"« {item.path.name} » n'a pas pu être converti."
            return _failed(item, matcher, sha, make_issue(IssueCode.UNSUPPORTED_FORMAT, message))
        try:
            data = _read_bounded(conversion.docx)
        except PackageError as exc:
            return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    note = make_issue(
        IssueCode.CONVERTED,
        f"« {item.path.name} » ({kind.value}) a été converti en .docx avec LibreOffice pour "
        "être lu ; le fichier d'origine n'a pas été modifié. Relisez les réponses : la mise "
        "en forme peut avoir changé.",
    )
    return _extract_docx_bytes(item, matcher, data, sha or hashlib.sha256(data).hexdigest(),
                               (note,))


def _extract_pdf(item: InputFile, matcher: Matcher) -> FileResult:
    """A PDF with a text layer, rebuilt into blocks by `pdf_reader`, then read like Word."""
    from cuf_extract.pdf_reader import read_pdf_pages

    try:
        data = _read_bounded(item.path)
    except OSError as exc:
        code, message = inputs.explain(inputs.FileKind.INACCESSIBLE, item.path.name)
        return _failed(item, matcher, None, make_issue(code, f"{message} ({exc.strerror})"))
    except PackageError as exc:
        return _failed(item, matcher, None, make_issue(exc.code, exc.message))
    sha = hashlib.sha256(data).hexdigest()
    try:
        pdf = read_pdf_pages(data, name=item.path.name)
    except PackageError as exc:
        if exc.code is IssueCode.SCANNED_PDF:
            return _extract_ocr(item, matcher, "pdf", data)
        return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    if pdf.image_pages and _ocr_available():
        return _extract_ocr(item, matcher, "pdf", data)
    notes = [make_issue(
        IssueCode.FROM_PDF,
        f"Les réponses de « {item.path.name} » ont été lues dans un PDF : la mise en forme "
        "(gras, listes, tableaux, coupures de lignes) a pu se perdre. Relisez-les dans le "
        "rapport et comparez avec le PDF en cas de doute.",
    )]
    if pdf.image_pages:
        pages = ", ".join(str(n) for n in pdf.image_pages)
        notes.append(make_issue(
            IssueCode.SCANNED_PDF,
            f"« {item.path.name} » : page(s) {pages} sur {pdf.page_count} sans texte, "
            "seulement une image (page scannée ou photographiée) : son contenu n'a pas pu "
            "être lu. Lisez ces pages dans le PDF et reportez à la main les réponses qui s'y "
            "trouvent, ou demandez le fichier Word, ou installez Tesseract (voir « Installer » "
            "dans le guide) pour que l'outil les lise.",
        ))
    return checks.with_issues(_result_from_document(item, matcher, sha, pdf.document),
                              tuple(notes))


def _ocr_available() -> bool:
    from cuf_extract.ocr_reader import find_tesseract

    engine = find_tesseract()
    return engine is not None and engine.has_french


def _extract_ocr(
    item: InputFile, matcher: Matcher, kind: Literal["pdf", "image"], data: bytes | None = None
) -> FileResult:
    """A scan or a photo (an image file, or a PDF with pages that are only images), read
    by OCR when Tesseract is installed; else `scanned_pdf`, saying how to install it."""
    from cuf_extract import ocr_reader

    if data is None:
        try:
            data = _read_bounded(item.path)
        except OSError as exc:
            code, message = inputs.explain(inputs.FileKind.INACCESSIBLE, item.path.name)
            return _failed(item, matcher, None, make_issue(code, f"{message} ({exc.strerror})"))
        except PackageError as exc:
            return _failed(item, matcher, None, make_issue(exc.code, exc.message))
    sha = hashlib.sha256(data).hexdigest()
    try:
        ocr = ocr_reader.read_ocr(data, name=item.path.name, kind=kind)
    except PackageError as exc:
        return _failed(item, matcher, sha, make_issue(exc.code, exc.message))
    result = _result_from_document(item, matcher, sha, ocr.document)
    return checks.with_issues(result, ocr_reader.ocr_issues(
        ocr, item.path.name, result.answers, matcher.questionnaire.question_ids))


def _result_from_document(
    item: InputFile, matcher: Matcher, sha: str, document: DocumentText
) -> FileResult:
    from cuf_extract.locate import locate
    from cuf_extract.positions import automatic_position

    questionnaire = matcher.questionnaire
    question_ids = list(questionnaire.question_ids)
    located = locate(document.blocks, matcher)

    extra: list[str] = [f"En-tête : {text}" for text in document.headers]
    extra.extend(located.extra_text)
    extra.extend(f"{label} : {text}" for label, text in document.notes)
    extra.extend(
        f"Commentaire{f' de {c.author}' if c.author else ''} : {c.text}"
        for c in document.comments
    )
    extra.extend(f"Pied de page : {text}" for text in document.footers)

    issues: list[Issue] = checks.answer_issues(
        question_ids=question_ids,
        answers=located.answers,
        found=located.found,
        unassigned=located.unassigned,
        answered_twice=located.answered_twice,
    )
    if document.revisions:
        issues.append(make_issue(
            IssueCode.TRACKED_CHANGES,
            f"Le document contient des modifications suivies non acceptées ({document.revisions}) "
            ": le texte a été lu comme si elles étaient acceptées (insertions gardées, "
            "suppressions retirées). Relisez les réponses.",
        ))
    if document.comments:
        issues.append(make_issue(
            IssueCode.COMMENTS,
            f"Le document contient {len(document.comments)} commentaire(s) Word : leur texte est "
            "dans la colonne « Texte hors réponses ».",
        ))
    if document.embedded_chunks:
        issues.append(make_issue(
            IssueCode.EMBEDDED_CONTENT,
            f"Le document contient {document.embedded_chunks} bloc(s) incorporé(s) (contenu "
            "collé depuis une page web ou un autre document) que l'outil ne sait pas lire : "
            "ouvrez le fichier dans Word, vérifiez ce contenu et reportez-le à la main si c'est "
            "une réponse.",
        ))
    from cuf_extract.struck import struck_issues  # with the readers: only when reading

    issues.extend(struck_issues(document.blocks, matcher, located))
    if located.possible_signature:
        issues.append(_possible_signature_issue(located.possible_signature, question_ids,
                                                located.answers))
    if document.unknown_symbols:
        issues.append(_unknown_symbol_issue(document.unknown_symbols))
    if any(INVALID_CHARACTERS.search(text) for text in (*located.answers.values(), *extra)
           if text):
        issues.append(make_issue(
            IssueCode.INVALID_CHARACTERS,
            "Le texte contient des caractères de contrôle invisibles qu'Excel ne peut pas "
            "enregistrer : ils sont remplacés par « \ufffd » dans le tableur (le JSON garde "
            "le texte d'origine). Rien à faire, sauf si une réponse paraît tronquée.",
        ))
    if extra and located.found:
        issues.append(make_issue(
            IssueCode.EXTRA_TEXT,
            "Du texte a été ajouté hors des réponses (en-tête, préambule, signature, notes…) : "
            "il est dans la colonne « Texte hors réponses » ; vérifiez qu'il ne contient pas "
            "de réponse.",
        ))

    candidates = respondent_candidates(
        headers=document.headers,
        letterhead=located.letterhead,
        properties=document.properties,
        file_name=item.path.name,
        owner=questionnaire.owner,
        table_header=located.table_header,
        signature=located.signature_organisation,
    )
    respondent, source = candidates[0] if candidates else (None, None)
    return FileResult(
        path=item.display,
        name=item.path.name,
        sha256=sha,
        status=status_from(issues),
        respondent=respondent,
        answers=tuple(Answer(question=qid, text=located.answers.get(qid),
                             position=automatic_position(located.answers.get(qid)))
                      for qid in question_ids),
        extra_text=tuple(extra),
        issues=tuple(issues),
        respondent_source=source,
        document_date=document.properties.modified,
        respondent_candidates=tuple(candidates),
    )


def _empty_answers(matcher: Matcher) -> tuple[Answer, ...]:
    return tuple(Answer(question=qid, text=None) for qid in matcher.questionnaire.question_ids)


def _failed(item: InputFile, matcher: Matcher, sha: str | None, issue: Issue) -> FileResult:
    return FileResult(
        path=item.display,
        name=item.path.name,
        sha256=sha,
        status=status_from([issue]),
        respondent=None,
        answers=_empty_answers(matcher),
        issues=(issue,),
    )


def _skipped(item: InputFile, matcher: Matcher) -> FileResult:
    issue = make_issue(
        IssueCode.OWNER_FILE,
        f"« {item.path.name} » est un fichier temporaire créé par Word ou par le système "
        "(pas une réponse) : ignoré. Vous pouvez le supprimer une fois le document fermé.",
    )
    return FileResult(
        path=item.display,
        name=item.path.name,
        sha256=None,
        status=Status.SKIPPED,
        respondent=None,
        answers=_empty_answers(matcher),
        issues=(issue,),
        respondent_source=None,
    )


def _sha256_or_none(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _too_large_message(name: str, size: int) -> str:
    return (
        f"« {name} » fait {size // (1024 * 1024)} Mo, bien plus qu'un questionnaire : "
        "vérifiez qu'il s'agit du bon fichier, ou enregistrez-le sans les images puis relancez."
    )


def _unknown_symbol_issue(placeholders: Sequence[str]) -> Issue:
    shown = ", ".join(f"« {p} »" for p in dict.fromkeys(placeholders))
    return make_issue(
        IssueCode.UNKNOWN_SYMBOL,
        f"Le document contient {len(placeholders)} symbole(s) inséré(s) depuis une police de "
        f"symboles que l'outil ne sait pas traduire en texte : ils apparaissent sous la forme "
        f"{shown} dans le texte. Ouvrez le fichier dans Word pour voir ce symbole et, si "
        "c'est utile, notez son sens dans « Notes ».",
    )


def _possible_signature_issue(
    lines: Sequence[str], question_ids: Sequence[str], answers: dict[str, str | None]
) -> Issue:
    qid = next((q for q in reversed(question_ids) if answers.get(q)), question_ids[-1])
    last = checks.question_label(question_ids, qid)
    return make_issue(
        IssueCode.POSSIBLE_SIGNATURE,
        f"La réponse à {last} se termine peut-être par une signature (« "
        + " / ".join(lines) + " ») : elle est laissée dans la réponse, faute de certitude. "
        "Vérifiez et, si c'est une signature, ne tenez pas compte de ces lignes.",
        qid,
    )
