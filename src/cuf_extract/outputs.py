"""Writing a run's outputs: the workbook, the report and the JSON, with what a rerun
needs around them — the previous workbook read back, the staff's cells carried over,
the rows kept or absent, the backups, and the record that lets an unchanged rerun leave
the outputs alone. No printing: `write_outputs` returns what the CLI says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cuf_extract.models import Campaign, Run
from cuf_extract.questionnaire import Questionnaire
from cuf_extract.recipients import Recipient, RecipientsStatus


class OutputsFailed(Exception):
    """Nothing more could be written (French message); `written` were written before."""

    def __init__(self, message: str, written: tuple[Path, ...]) -> None:
        super().__init__(message)
        self.written = written


@dataclass(frozen=True)
class OutputsResult:
    written: tuple[tuple[Path, Path], ...]  # (wanted, actually written): () when kept
    campaign: Campaign | None  # None when the outputs were kept as they were
    attention: bool  # something needs the staff (unreadable workbook, rows cut, …)
    recipients_line: str | None  # « Sans réponse à ce jour : … », when a list is known
    warnings: tuple[str, ...] = ()  # French, for stderr, in the order they arose
    kept_since: datetime | None = None  # the outputs were left alone: written then


def write_outputs(
    run: Run, *, output: Path, report: Path, json_path: Path | None,
    recipients: tuple[Recipient, ...] | None = None, recipients_source: str | None = None,
    questionnaire: Questionnaire | None = None, reuse: bool = False,
    on_written: Callable[[Path], object] = lambda path: None,
) -> OutputsResult:
    """Back up the previous outputs, carry the staff's cells over, write every output.

    With `reuse`, outputs made from exactly what they were made from last time are left
    as they are (see `rerun`): nothing is written. `on_written` is told of each output
    as soon as it is complete (what Ctrl-C reports). Raises `OutputsFailed`.
    """
    from cuf_extract import rerun
    from cuf_extract.cache import code_fingerprint

    wanted = [p for p in (output, report, json_path) if p is not None]
    record = output.absolute().parent / rerun.STATE_FOLDER / rerun.OUTPUTS_RECORD
    # What the outputs are made from besides the run: the list of recipients and the
    # questionnaire's title and owner (written into the workbook).
    # (JSON, not repr(): pydantic's repr of a questionnaire costs 30 ms.)
    made_from = ":".join((
        code_fingerprint(), repr(recipients), str(recipients_source),
        questionnaire.model_dump_json() if questionnaire is not None else "None"))
    digest = rerun.outputs_digest(run, wanted, fingerprint=made_from)
    kept = rerun.reusable_outputs(record, digest, wanted) if reuse else None
    if kept is not None:
        return OutputsResult(written=(), campaign=None, attention=False,
                             recipients_line=kept.recipients_line,
                             kept_since=datetime.fromtimestamp(kept.written_ns / 1e9))
    written, campaign, attention, status, warnings = _write_all(
        run, output=output, report=report, json_path=json_path, recipients=recipients,
        recipients_source=recipients_source, questionnaire=questionnaire,
        on_written=on_written,
    )
    recipients_line = None
    if status is not None:
        from cuf_extract.recipients import summary_line

        recipients_line = summary_line(status)
    if reuse and not attention and all(actual == target for target, actual in written):
        rerun.record_outputs(record, digest, wanted, recipients_line)
    else:
        rerun.forget_outputs(record)
    return OutputsResult(written=tuple(written), campaign=campaign, attention=attention,
                         recipients_line=recipients_line, warnings=tuple(warnings))


def _write_all(
    run: Run, *, output: Path, report: Path, json_path: Path | None,
    recipients: tuple[Recipient, ...] | None, recipients_source: str | None,
    questionnaire: Questionnaire | None, on_written: Callable[[Path], object],
) -> tuple[list[tuple[Path, Path]], Campaign, bool, RecipientsStatus | None, list[str]]:
    from cuf_extract.campaign import (
        PreviousUnreadable,
        backup_outputs,
        compare,
        excluded_replies,
        read_previous,
    )
    from cuf_extract.recipients import status_for_run
    from cuf_extract.selection import file_date
    from cuf_extract.writers.atomic import OutputError
    from cuf_extract.writers.report_html import write_report
    from cuf_extract.writers.xlsx import shown_cells, write_xlsx

    notes: list[str] = []
    warnings: list[str] = []
    attention = False
    try:
        previous = read_previous(output, [q.id for q in run.questionnaire.questions])
    except PreviousUnreadable as exc:
        previous, attention = None, True
        warnings.append(str(exc))
        notes.append(str(exc))
    shown = shown_cells(run)
    # A row whose file is still there but was not asked for is kept as it was: a run
    # names the files it reads, not the campaign. Paths are relative to the current
    # folder, as the run wrote them.
    campaign = compare(run, previous, shown_cells=shown,
                       today=date.today().strftime("%d/%m/%Y"),
                       present=file_finder(run))
    workbook_folder = output.absolute().parent
    campaign = campaign.model_copy(update={"excluded": excluded_replies(
        run, campaign, lambda file: file_date(file, workbook_folder))})
    status = status_for_run(run, campaign, listed=recipients, source=recipients_source,
                            previous=previous.recipients if previous else None)
    written: list[tuple[Path, Path]] = []
    try:
        backups = backup_outputs([p for p in (output, report, json_path) if p is not None])
        if backups:  # listed near the end of the report, relative to the workbook
            campaign = campaign.model_copy(update={"backups": tuple(map(str, backups))})
        xlsx = write_xlsx(run, output, inputs_base=Path.cwd(), campaign=campaign, shown=shown,
                          recipients=status, questionnaire=questionnaire)
        written.append((output, xlsx.path))
        on_written(xlsx.path)
        for sheet in xlsx.rows_cut:
            attention = True
            note = (f"La feuille « {sheet} » du tableur dépasse la limite d’Excel (1 048 576 "
                    "lignes) et a été coupée : le rapport HTML et le JSON sont complets.")
            warnings.append(note)
            notes.append(note)
        written.append((report, write_report(
            run, report, notes=notes, campaign=campaign, recipients=status,
            campaign_title=questionnaire.title if questionnaire is not None else None,
            workbook=output)))
        on_written(written[-1][1])
        if json_path is not None:
            from cuf_extract.writers.json_export import write_json

            written.append((json_path, write_json(run, json_path)))
            on_written(written[-1][1])
    except OSError as exc:  # includes OutputError: nothing was replaced half-way
        message = str(exc) if isinstance(exc, OutputError) else (
            f"impossible d’écrire les résultats ({exc.strerror or exc}) : vérifiez la place "
            "disque et les droits du dossier, puis relancez. Les fichiers précédents sont "
            "intacts."
        )
        raise OutputsFailed(message, tuple(actual for _, actual in written)) from exc
    warnings.extend(
        f"« {target} » est ouvert dans un autre programme (Excel ?) ; les nouveaux résultats "
        f"sont dans « {actual} ». Fermez-le puis relancez pour mettre à jour le fichier "
        "habituel."
        for target, actual in written if actual != target)
    return written, campaign, attention, status, warnings


def file_finder(run: Run) -> Callable[[str, str | None], str | None]:
    """Where a previous row's file is now: at its path, or renamed in the same folder
    (found by its SHA-256 among the files this run did not read); None when gone. Each
    file found renamed is given to one row only. Folders are hashed only when a row's
    file is missing, and once."""
    from cuf_extract.inputs import is_junk

    read = {r.path for r in run.files}
    claimed: set[str] = set()
    by_folder: dict[Path, dict[str, str]] = {}

    def find(path: str, sha256: str | None) -> str | None:
        if Path(path).is_file():
            return path
        folder = Path(path).parent
        if not sha256 or not folder.is_dir():
            return None
        if folder not in by_folder:
            from cuf_extract.reading import sha256_or_none  # only when a file is missing

            index: dict[str, str] = {}
            try:
                entries = sorted(folder.iterdir(), key=lambda p: p.name)
            except OSError:
                entries = []
            for entry in entries:
                name = str(folder / entry.name)
                if is_junk(entry.name) or name in read or not entry.is_file():
                    continue
                sha = sha256_or_none(entry)
                if sha is not None:
                    index.setdefault(sha, name)
            by_folder[folder] = index
        found = by_folder[folder].get(sha256)
        if found is None or found in claimed:
            return None
        claimed.add(found)
        return found

    return find
