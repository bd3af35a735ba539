"""The whole flow for a set of files, without printing: read -> locate -> check -> results.

Every file gets a `FileResult`, whatever happens: problems with a file are issues on
its result, so one bad file never stops the batch.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract import checks, inputs
from cuf_extract.convert import Converter
from cuf_extract.dates import parse_iso
from cuf_extract.models import (
    Answer,
    FileResult,
    IdentificationField,
    Issue,
    QuestionKind,
    Run,
    Status,
    status_from,
)
from cuf_extract.package import MAX_FILE_BYTES
from cuf_extract.questionnaire import Questionnaire
from cuf_extract.reading import SKIPPED_KINDS, FileText, read_document_file
from cuf_extract.respondent import respondent_candidates, set_aside_inherited_properties

if TYPE_CHECKING:
    # Reading a reply's text is imported when a reply is read: a rerun whose results
    # all come from the cache needs none of it (locate brings rapidfuzz).
    from cuf_extract.cache import ResultCache
    from cuf_extract.document import DocumentText
    from cuf_extract.locate import Matcher

# Called once per input, with its first result (a saved message may give several).
ProgressCallback = Callable[[FileResult], None]


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
    input order, so the output depends neither on `jobs` nor on the cache. A saved
    message gives one result per reply it carries (`extract_input`).
    """
    results: list[tuple[FileResult, ...] | None] = [None] * len(files)
    todo: list[int] = []
    for index, item in enumerate(files):
        cached = _cached(item, cache) if cache is not None else None
        if cached is None:
            todo.append(index)
            continue
        results[index] = (cached,)
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
                found = extract_input(item, matcher, converter, cache)
                fresh.append(found)
                if on_result is not None:
                    on_result(found[0])
    for index, result in zip(todo, fresh, strict=True):
        results[index] = result
    assert all(results), "every file has a result"
    done = [result for found in results if found is not None for result in found]
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
) -> list[tuple[FileResult, ...]]:
    from concurrent.futures import ProcessPoolExecutor

    results: list[tuple[FileResult, ...]] = []
    pool = ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(questionnaire, cache)
    )
    try:
        for found in pool.map(_work, files, chunksize=CHUNK_SIZE):
            results.append(found)
            if on_result is not None:
                on_result(found[0])
    except BaseException:
        # Ctrl-C (or a bug): drop the files not started rather than read them all first.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


# One matcher, converter and cache per worker process, made once by the pool.
_WORKER: tuple[Matcher, Converter, ResultCache | None] | None = None


def _init_worker(questionnaire: Questionnaire, cache: ResultCache | None) -> None:
    import signal

    from cuf_extract.locate import Matcher

    # Ctrl-C reaches every process of the terminal's group: the main process handles it
    # (and says what happened to the outputs); a worker printing a traceback would not.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _WORKER
    _WORKER = (Matcher(questionnaire), Converter(), cache)


def _work(item: InputFile) -> tuple[FileResult, ...]:
    assert _WORKER is not None, "the pool initialiser sets up each worker"
    matcher, converter, cache = _WORKER
    return extract_input(item, matcher, converter, cache)


def extract_input(
    item: InputFile,
    matcher: Matcher,
    converter: Converter | None = None,
    cache: ResultCache | None = None,
) -> tuple[FileResult, ...]:
    """Every result of one input: one per reply a saved message (.eml, .msg) carries
    (`cuf_extract.mail.results`), else the file's own. Never raises for a bad file."""
    try:
        if inputs.sniff(item.path, inspect_zip=False).kind in inputs.MESSAGE_KINDS:
            from cuf_extract.mail.results import message_results

            def result_of(name: str, display: str, read: FileText) -> FileResult:
                return result_from_text(InputFile(Path(name), display), matcher, read)

            return message_results(item.path, item.display, converter=converter or Converter(),
                                   cache=cache, result_of=result_of)
    except Exception as exc:  # a bug: keep the batch going, say it plainly
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return (_failed(item, matcher, None, checks.unreadable_bug(item.path.name, detail)),)
    return (extract_file(item, matcher, converter, cache),)


def extract_file(
    item: InputFile,
    matcher: Matcher,
    converter: Converter | None = None,
    cache: ResultCache | None = None,
) -> FileResult:
    """One file's result. Never raises for a bad file; a bug becomes an `unreadable` error.
    A saved message is read by `extract_input` (here it is a file that is not a reply)."""
    try:
        return _extract(item, matcher, converter or Converter(), cache)
    except Exception as exc:  # a bug: keep the batch going, say it plainly
        detail = "".join(traceback.format_exception_only(exc)).strip()
        return _failed(item, matcher, None, checks.unreadable_bug(item.path.name, detail))


def _extract(
    item: InputFile, matcher: Matcher, converter: Converter, cache: ResultCache | None
) -> FileResult:
    read = read_document_file(item.path, converter)
    if read.kind in SKIPPED_KINDS:
        return _skipped(item, matcher)
    result = result_from_text(item, matcher, read)
    # Errors are cheap to find again, and may go away (LibreOffice installed since).
    if cache is not None and result.sha256 and result.status in (Status.OK, Status.WARNING):
        cache.put(result)
    return result


def result_from_text(item: InputFile, matcher: Matcher, read: FileText) -> FileResult:
    """The result of a file (or of an e-mail attachment) as `reading` read it."""
    if read.error is not None or read.sha256 is None:
        assert read.error is not None, "a file read has a hash"
        return _failed(item, matcher, read.sha256, read.error)
    # One result per file: a saved message, which holds several documents, is read by
    # `extract_input` into one result per document.
    (found,) = read.documents
    result = _result_from_document(item, matcher, read.sha256, found.document)
    notes = (*found.notes, *read.notes, *checks.doubtful_words(
        found.doubtful, result.answers, matcher.questionnaire.question_ids))
    return checks.with_issues(result, notes) if notes else result


def _result_from_document(
    item: InputFile, matcher: Matcher, sha: str, document: DocumentText
) -> FileResult:
    from cuf_extract.locate import locate
    from cuf_extract.positions import automatic_position

    questionnaire = matcher.questionnaire
    question_ids = list(questionnaire.question_ids)
    located = locate(document.blocks, matcher)

    extra: list[str] = [f"En-tête : {text}" for text in document.headers]
    extra.extend(located.extra_text)
    extra.extend(f"{label} : {text}" for label, text in document.notes)
    extra.extend(
        f"Commentaire{f' de {c.author}' if c.author else ''} : {c.text}"
        for c in document.comments
    )
    extra.extend(f"Pied de page : {text}" for text in document.footers)

    issues: list[Issue] = checks.answer_issues(
        question_ids=question_ids,
        answers=located.answers,
        found=located.found,
        unassigned=located.unassigned,
        answered_twice=located.answered_twice,
    )
    issues.extend(checks.document_issues(revisions=document.revisions,
                                         comments=len(document.comments),
                                         embedded_chunks=document.embedded_chunks))
    from cuf_extract.struck import struck_issues  # with the readers: only when reading

    issues.extend(struck_issues(document.blocks, matcher, located))
    issues.extend(checks.no_box_ticked(question_ids, located.unticked))
    if located.possible_signature:
        issues.append(checks.possible_signature(located.possible_signature, question_ids,
                                                located.answers))
    if document.unknown_symbols:
        issues.append(checks.unknown_symbols(document.unknown_symbols))
    issues.extend(checks.text_issues([t for t in (*located.answers.values(), *extra) if t],
                                     extra=bool(extra), found=bool(located.found)))

    candidates = respondent_candidates(
        headers=document.headers,
        letterhead=located.letterhead,
        properties=document.properties,
        file_name=item.path.name,
        owner=questionnaire.owner,
        table_header=located.table_header,
        signature=located.signature_organisation,
        identification=located.identification,
    )
    respondent, source = candidates[0] if candidates else (None, None)
    return FileResult(
        path=item.display,
        name=item.path.name,
        sha256=sha,
        status=status_from(issues),
        respondent=respondent,
        # Open questions (« Quelle place… ? ») have no oui/non: no automatic position.
        answers=tuple(Answer(question=q.id, text=located.answers.get(q.id),
                             position=automatic_position(located.answers.get(q.id))
                             if q.kind is QuestionKind.CLOSED else None)
                      for q in questionnaire.questions),
        extra_text=tuple(extra),
        issues=tuple(issues),
        identification=tuple(IdentificationField(label=label, value=value)
                             for label, value in located.identification),
        respondent_source=source,
        document_date=parse_iso(document.properties.modified),
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
    issue = checks.owner_file(item.path.name)
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
