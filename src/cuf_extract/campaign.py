"""Reruns during a campaign: staff cells carried over, changes since last time, backups.

The previous spreadsheet at the output path is the memory of the campaign: its visible
"Réponses" sheet holds the staff's columns and, for each reply, the extracted cells as
staff last saw (and maybe edited) them; a hidden sheet (`layout.SHEET_STATE`) holds what the
tool itself wrote: each reply's path, file hash, status and a digest of each answer.
Rows are matched by path, then by file name, then by file hash (a renamed file).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cuf_extract.dates import parse_french_date
from cuf_extract.layout import (
    COLUMN_ALIASES,
    COLUMN_CHANGE,
    COLUMN_CORRECTED,
    COLUMN_DATE,
    COLUMN_FILE,
    COLUMN_FOLLOW_UP,
    COLUMN_ISSUES,
    COLUMN_NOTES,
    COLUMN_RECIPIENT,
    COLUMN_RELANCE,
    COLUMN_REPLY_STATE,
    COLUMN_RESPONDENT,
    RECIPIENT_COLUMNS,
    SHEET_ANSWERS,
    SHEET_RECIPIENTS,
    SHEET_STATE,
    STAFF_COLUMNS,
    STALE_MARK,
    STATE_DIGEST,
    STATE_PATH,
    STATE_POSITION,
    STATE_QUESTIONNAIRE,
    STATE_SHA,
    STATE_STATUS,
    STATE_WRITTEN,
    UNLISTED_TITLE,
    answer_digest,
    extracted_columns,
    position_column,
    questionnaire_marker,
)
from cuf_extract.models import (
    AbsentFile,
    Campaign,
    ChangeKind,
    ExcludedReply,
    FileHistory,
    FileResult,
    KeptFile,
    QuestionnaireRef,
    Run,
    StaffValue,
    Status,
)
from cuf_extract.recipients import SheetRecipient
from cuf_extract.writers import (
    CHANGE_LABELS,
    STATUS_LABELS,
    automatic_cell,
)

BACKUP_FOLDER = Path(".cuf-extract") / "sauvegardes"
BACKUPS_KEPT = 20  # per output file; the oldest go first


class PreviousUnreadable(Exception):
    """The previous spreadsheet exists but cannot be read; the message says so in French."""


@dataclass
class PreviousRow:
    path: str
    sha256: str | None = None
    status: str | None = None
    digests: dict[str, str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # as the tool wrote them
    shown: dict[str, str] = field(default_factory=dict)  # as they are in the sheet now
    staff: dict[str, StaffValue] = field(default_factory=dict)
    # Position columns: as shown now, and the automatic position the tool wrote there.
    positions_shown: dict[str, str] = field(default_factory=dict)
    positions_written: dict[str, str] = field(default_factory=dict)


@dataclass
class Previous:
    rows: list[PreviousRow]
    staff_columns: tuple[str, ...]
    recipients: tuple[SheetRecipient, ...] | None = None  # None: no « Destinataires » sheet


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _staff_value(value: object) -> StaffValue:
    if isinstance(value, str | int | float | bool | datetime):
        return value
    return _text(value)  # a time or a duration: kept as text


def read_previous(path: Path, question_ids: Sequence[str]) -> Previous | None:
    """The previous run's rows from the spreadsheet at `path`, or None if there is none."""
    if not path.is_file():
        return None
    from cuf_extract.workbook_reader import WorkbookUnreadable, read_sheets

    # The workbook as this tool wrote it is read straight from its XML; one saved again
    # by Excel (shared strings, formulas…) through openpyxl. Same values either way.
    try:
        sheets = read_sheets(path, (SHEET_ANSWERS, SHEET_STATE, SHEET_RECIPIENTS))
    except WorkbookUnreadable as exc:
        raise PreviousUnreadable(
            f"Le tableur précédent « {path} » ne peut pas être relu ({exc}) : "
            "ses notes ne peuvent pas être reprises. Il est gardé en sauvegarde ; "
            "recopiez les notes à la main ou réparez-le dans Excel puis relancez."
        ) from exc
    return _previous(path, sheets, question_ids)


def _previous(path: Path, sheets: Mapping[str, Iterable[Sequence[object]]],
              question_ids: Sequence[str]) -> Previous:
    """The previous run's rows from the rows of the workbook's sheets, by sheet name."""
    if SHEET_ANSWERS not in sheets:
        raise PreviousUnreadable(
            f"Le tableur précédent « {path} » n’a pas de feuille « {SHEET_ANSWERS} » : "
            "ses notes ne peuvent pas être reprises. Il est gardé en sauvegarde."
        )
    generated = {*extracted_columns(question_ids), COLUMN_CHANGE,
                 *map(position_column, question_ids)}
    rows_iter = iter(sheets[SHEET_ANSWERS])
    header = [_text(v).strip() for v in next(rows_iter, ())]
    staff_columns = list(STAFF_COLUMNS)
    staff_columns += [h for h in header if h and h not in generated and h not in STAFF_COLUMNS]
    rows: list[PreviousRow] = []
    for values in rows_iter:
        raw = {h: v for h, v in zip(header, values, strict=False) if h}
        key = _text(raw.get(COLUMN_FILE)).strip()
        if not key:
            continue  # a note row, or a row the staff emptied
        row = PreviousRow(path=key)
        row.shown = {h: _text(raw.get(h)) for h in extracted_columns(question_ids)}
        dated = raw.get(COLUMN_DATE)
        if isinstance(dated, datetime):  # a date cell (since the tool writes one): as text
            row.shown[COLUMN_DATE] = dated.strftime("%d/%m/%Y %H:%M")
        row.staff = {h: _staff_value(raw[h]) for h in staff_columns
                     if _text(raw.get(h)).strip()}
        row.positions_shown = {q: _text(raw.get(position_column(q))) for q in question_ids}
        rows.append(row)
    if SHEET_STATE in sheets:
        _merge_state(sheets[SHEET_STATE], rows)
    recipients = (read_recipients_sheet(sheets[SHEET_RECIPIENTS])
                  if SHEET_RECIPIENTS in sheets else None)
    return Previous(rows=rows, staff_columns=tuple(staff_columns), recipients=recipients)


def read_recipients_sheet(rows: Iterable[Sequence[object]]) -> tuple[SheetRecipient, ...]:
    """The « Destinataires » sheet's list, « Relance » cells and columns the staff added,
    by column title, down to the part listing replies from organisations not on the list."""
    rows_iter = iter(rows)
    header = [_text(v).strip() for v in next(rows_iter, ())]
    found: list[SheetRecipient] = []
    for values in rows_iter:
        cells = {h: v for h, v in zip(header, values, strict=False) if h}
        if values and _text(values[0]).strip() == UNLISTED_TITLE:
            break
        name = " ".join(_text(cells.get(COLUMN_RECIPIENT)).split())
        if not name:
            continue
        typed = {h: _staff_value(v) for h, v in cells.items()
                 if h not in RECIPIENT_COLUMNS[:-1] and _text(v).strip()}
        aliases = [" ".join(a.split()) for a in _text(cells.get(COLUMN_ALIASES)).split("|")]
        found.append(SheetRecipient(
            name=name, aliases=tuple(a for a in aliases if a),
            state=_text(cells.get(COLUMN_REPLY_STATE)).strip(),
            relance=typed.pop(COLUMN_RELANCE, None), extra=tuple(typed.items()),
        ))
    return tuple(found)


def _merge_state(state: Iterable[Sequence[object]], rows: list[PreviousRow]) -> None:
    by_path = {row.path: row for row in rows}
    rows_iter = iter(state)
    header = [_text(v) for v in next(rows_iter, ())]
    for values in rows_iter:
        cells = dict(zip(header, (_text(v) for v in values), strict=False))
        row = by_path.get(cells.get(STATE_PATH, ""))
        if row is None:
            continue  # the staff deleted this row: it stays deleted
        row.sha256 = cells.get(STATE_SHA) or None
        row.status = cells.get(STATE_STATUS) or None
        # An answer digest is "" for no answer; a row with neither hash nor status was
        # written with no state to keep (an absent file of an older version): no digests.
        stateless = row.sha256 is None and row.status is None
        for name, value in cells.items():
            if name.startswith(STATE_DIGEST):
                if stateless and not value:
                    continue
                row.digests[name.removeprefix(STATE_DIGEST)] = value
            elif name.startswith(STATE_WRITTEN):
                row.written[name.removeprefix(STATE_WRITTEN)] = value
            elif name.startswith(STATE_POSITION):
                row.positions_written[name.removeprefix(STATE_POSITION)] = value


def compare(
    run: Run, previous: Previous | None, *, shown_cells: dict[str, dict[str, str]],
    today: str, present: Callable[[str, str | None], str | None] = lambda path, sha: None,
) -> Campaign:
    """This run's rows against the previous ones.

    `shown_cells` gives, for each current file, the extracted cells exactly as the
    spreadsheet writer will write them; an extracted cell whose text in the sheet no
    longer matches what the tool wrote was edited by hand, and its text is kept in
    the notes rather than dropped.

    A previous row that no file of this run matches is *kept* as it was when
    `present(path, sha256)` finds its file, where it was or renamed beside it (the run
    was asked for some files only; it returns the path the file has now), and *absent*
    otherwise.
    """
    if previous is None:
        return Campaign(
            staff_columns=STAFF_COLUMNS,
            history={r.path: FileHistory(change=ChangeKind.NEW) for r in run.files},
        )
    question_ids = [q.id for q in run.questionnaire.questions]
    unmatched = list(previous.rows)

    def take(predicate: object) -> PreviousRow | None:
        for row in unmatched:
            if predicate(row):  # type: ignore[operator]
                unmatched.remove(row)
                return row
        return None

    # Pass 1 by path, pass 2 by file name, pass 3 by content: a file renamed keeps its row.
    matches: dict[str, PreviousRow] = {}
    for result in run.files:
        row = take(lambda r, res=result: r.path == res.path)
        if row is not None:
            matches[result.path] = row
    for result in run.files:
        if result.path not in matches:
            row = take(lambda r, res=result: Path(r.path).name == res.name)
            if row is not None:
                matches[result.path] = row
    for result in run.files:
        if result.path not in matches and result.sha256:
            row = take(lambda r, res=result: r.sha256 == res.sha256)
            if row is not None:
                matches[result.path] = row

    history: dict[str, FileHistory] = {}
    hand_edits: list[str] = []
    for result in run.files:
        row = matches.get(result.path)
        if row is None:
            history[result.path] = FileHistory(change=ChangeKind.NEW)
            continue
        staff = dict(row.staff)
        for column, written in row.written.items():
            shown = row.shown.get(column, "")
            if column == COLUMN_FILE or shown == written or not shown.strip():
                continue
            if column == COLUMN_DATE:
                dated = parse_french_date(shown)
                if dated is not None and dated == parse_french_date(written):
                    continue  # the same date, read from a date cell
            if shown == shown_cells.get(result.path, {}).get(column):
                continue  # edited to exactly what the tool now extracts: nothing to keep
            marker = f"[texte modifié à la main dans « {column} », gardé le {today}]"
            note = f"{marker} {shown}"
            notes = staff.get(COLUMN_NOTES)
            staff[COLUMN_NOTES] = f"{notes}\n{note}" if notes else note
            hand_edits.append(
                f"« {result.path} » : la cellule « {column} » avait été modifiée à la main ; "
                f"son texte est gardé dans la colonne « {COLUMN_NOTES} »."
            )
        change, detail = _change(result, row, question_ids)
        typed = typed_positions(row, question_ids)
        still_stale = stale_positions(row, question_ids)
        newly_stale = _positions_to_check(result, row, typed, still_stale)
        detail = " ; ".join(filter(None, [
            detail,
            *(f"réponse {qid} modifiée : position saisie à vérifier" for qid in newly_stale),
            *(f"position {qid} toujours à vérifier (saisie sur une réponse précédente)"
              for qid in question_ids if qid in still_stale),
        ]))
        history[result.path] = FileHistory(
            change=change, detail=detail,
            staff=tuple((c, staff[c]) for c in previous.staff_columns if c in staff),
            positions=tuple(typed.items()),
            stale_positions=tuple(q for q in question_ids
                                  if q in still_stale or q in newly_stale),
        )
    kept: list[KeptFile] = []
    absent: list[AbsentFile] = []
    own_paths = {row.path for row in unmatched}
    for row in unmatched:
        if row.status == Status.SKIPPED.value:
            continue  # Word's owner files and the like were never replies: no trace
        kept_staff = tuple((c, row.staff[c]) for c in previous.staff_columns if c in row.staff)
        row_stale = stale_positions(row, question_ids)  # kept as the tool wrote them
        row_typed = {q: v for q, v in typed_positions(row, question_ids).items()
                     if q not in row_stale}
        digests = tuple(row.digests.items())
        now = present(row.path, row.sha256)
        if now is not None and now != row.path and now in own_paths:
            now = None  # a copy of this file that has a row of its own: not a rename
        if now is not None:
            as_written = row.written or row.shown  # no state: what is shown is all there is
            kept.append(KeptFile(
                path=now, sha256=row.sha256,
                renamed_from=row.path if now != row.path else None,
                status=Status(row.status) if row.status in set(Status) else None,
                cells=tuple(row.shown.items()), written=tuple(as_written.items()),
                digests=digests, staff=kept_staff, positions=tuple(row_typed.items()),
                tool_positions=tuple(
                    (q, row.positions_written[q].strip()) for q in question_ids
                    if q not in row_typed and row.positions_written.get(q, "").strip()
                    and row.positions_shown.get(q, "").strip()),
            ))
        else:
            absent.append(AbsentFile(
                path=row.path, sha256=row.sha256,
                cells=tuple((c, v) for c, v in row.shown.items() if v),
                staff=kept_staff, positions=tuple(row_typed.items()), digests=digests,
            ))
    return Campaign(
        staff_columns=previous.staff_columns, history=history, absent=tuple(absent),
        kept=tuple(kept), hand_edits=tuple(hand_edits), previous_found=True,
    )


def _change(result: FileResult, row: PreviousRow, question_ids: Sequence[str]
            ) -> tuple[ChangeKind, str]:
    renamed = f"renommé (ancien nom : {row.path})" if row.path != result.path else ""
    details = [renamed] if renamed else []
    new_status = STATUS_LABELS[result.status]
    old_status = STATUS_LABELS.get(Status(row.status)) if row.status in set(Status) else None
    same_bytes = bool(row.sha256) and row.sha256 == result.sha256
    if same_bytes or (result.status is Status.SKIPPED and row.status == Status.SKIPPED.value):
        if old_status is None or old_status == new_status:
            return ChangeKind.UNCHANGED, renamed
        # Same file, new verdict: another file made it a duplicate, or stopped doing so.
        details.append(f"statut : {old_status} → {new_status} (fichier inchangé)")
        fixed = result.status is Status.OK
        return (ChangeKind.FIXED if fixed else ChangeKind.CHANGED), " ; ".join(details)
    if row.sha256 is None and not row.digests:
        return ChangeKind.CHANGED, " ; ".join([*details, "pas d’état précédent à comparer"])
    if old_status and old_status != new_status:
        details.append(f"statut : {old_status} → {new_status}")
    changed = [
        qid for qid in question_ids
        if row.digests.get(qid, "") != answer_digest(result.answer(qid))
    ]
    if changed:
        details.append("réponses modifiées : " + ", ".join(changed))
    if not changed and not (old_status and old_status != new_status):
        details.append("fichier modifié, réponses identiques")
    was_flagged = row.status in (Status.WARNING.value, Status.ERROR.value)
    kind = ChangeKind.FIXED if was_flagged and result.status is Status.OK else ChangeKind.CHANGED
    return kind, " ; ".join(details)


def typed_positions(row: PreviousRow, question_ids: Sequence[str]) -> dict[str, str]:
    """The positions the staff typed on a previous row, by question id.

    A Position cell is the staff's when it is not empty and differs from the text the
    tool wrote there (recorded in the state sheet); with no record (the state sheet was
    lost), a filled cell is taken as the staff's: nothing typed is lost. A staff
    position the tool marked « … (à vérifier) » and that nobody touched since is still
    the staff's, still to check (`stale_positions`).
    """
    typed: dict[str, str] = {}
    for qid in question_ids:
        shown = row.positions_shown.get(qid, "").strip()
        written = row.positions_written.get(qid)
        if not shown:
            continue
        if written is None or shown != written.strip():
            typed[qid] = shown
        elif shown.endswith(STALE_MARK.strip()):
            typed[qid] = shown.removesuffix(STALE_MARK.strip()).strip()
    return typed


def stale_positions(row: PreviousRow, question_ids: Sequence[str]) -> set[str]:
    """Questions whose staff position is still marked « (à vérifier) » as the tool wrote it."""
    return {
        qid for qid in question_ids
        if (shown := row.positions_shown.get(qid, "").strip())
        and shown == row.positions_written.get(qid, "").strip()
        and shown.endswith(STALE_MARK.strip())
    }


def _positions_to_check(result: FileResult, row: PreviousRow, typed: dict[str, str],
                        already: set[str]) -> list[str]:
    """Staff positions whose answer changed in this run: kept, but to check again."""
    if not row.digests:
        return []  # no state to compare with: the change line already says so
    return [qid for qid in typed if qid not in already
            and row.digests.get(qid, "") != answer_digest(result.answer(qid))]


def position_cells(item: FileResult | KeptFile | AbsentFile, campaign: Campaign,
                   question_ids: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """Each question's Position cell for a row: (text, True if the tool wrote it).

    The staff's position when they typed one — « oui (à vérifier) » when its answer
    changed since —, else the automatic one (none when there is no answer; none for a
    file gone from the folder, whose answers are no longer read). A row kept without
    being read keeps the cells it had.
    """
    tool: dict[str, str] = {}
    stale: set[str] = set()
    if isinstance(item, FileResult):
        history = campaign.history.get(item.path)
        typed = dict(history.positions) if history else {}
        stale = set(history.stale_positions) if history else set()
        tool = {a.question: automatic_cell(a.position) for a in item.answers
                if a.position is not None}
    elif isinstance(item, KeptFile):
        typed, tool = dict(item.positions), dict(item.tool_positions)
    else:
        typed = dict(item.positions)
    cells: dict[str, tuple[str, bool]] = {}
    for qid in question_ids:
        if qid in stale:
            cells[qid] = (typed[qid] + STALE_MARK, True)
        elif qid in typed:
            cells[qid] = (typed[qid], False)
        elif qid in tool:
            cells[qid] = (tool[qid], True)
    return cells


def other_campaign(path: Path, ref: QuestionnaireRef) -> str | None:
    """Why the workbook at `path` must not be reused with questionnaire `ref` (French),
    or None when it may: absent, unreadable (reported later), or made with the same
    questionnaire. A workbook written before the marker existed is judged by its
    question columns."""
    if not path.is_file():
        return None
    from cuf_extract.workbook_reader import WorkbookUnreadable, read_sheets

    try:
        firsts = read_sheets(path, (SHEET_STATE, SHEET_ANSWERS), first_row_only=True)
    except WorkbookUnreadable:
        return None  # read_previous says it is unreadable
    state_first = next(iter(firsts.get(SHEET_STATE, ())), [])
    answers_first = next(iter(firsts.get(SHEET_ANSWERS, ())), [])
    return _other_campaign(path, ref, [_text(v) for v in state_first],
                           [_text(v).strip() for v in answers_first])


def _other_campaign(path: Path, ref: QuestionnaireRef, state_header: Sequence[str],
                    answers_header: Sequence[str]) -> str | None:
    wanted = questionnaire_marker(ref)
    marker = next((h for h in state_header if h.startswith(STATE_QUESTIONNAIRE)), None)
    hint = (f" Les réponses de deux questionnaires ne se mélangent pas : choisissez un autre "
            f"nom de tableur avec l’option -o (par exemple « -o reponses-{ref.id}.xlsx »), "
            "ou mettez l’ancien tableur de côté.")
    if marker is not None:
        if marker == wanted:
            return None
        old_id = marker.removeprefix(STATE_QUESTIONNAIRE).rsplit("#", 1)[0]
        if old_id == ref.id:
            return (f"Le tableur « {path} » a été fait avec une autre version du questionnaire "
                    f"« {ref.id} » (ses questions ont changé depuis).{hint}")
        return (f"Le tableur « {path} » a été fait avec le questionnaire « {old_id} », pas avec "
                f"« {ref.id} ».{hint}")
    question_ids = {q.id for q in ref.questions}
    columns = {h for h in answers_header if re.fullmatch(r"Q\d+", h)}
    if columns and columns != question_ids:
        return (f"Le tableur « {path} » a été fait avec un autre questionnaire "
                f"({len(columns)} questions, pas {len(question_ids)}).{hint}")
    return None


def summary_line(campaign: Campaign) -> str:
    """"Depuis la dernière fois : 2 nouveaux, 1 corrigé, 3 inchangés, 1 absent"."""
    counts: dict[ChangeKind, int] = dict.fromkeys(ChangeKind, 0)
    for item in campaign.history.values():
        counts[item.change] += 1
    counts[ChangeKind.ABSENT] = len(campaign.absent)
    parts = [f"{n} {_plural(CHANGE_LABELS[kind]) if n > 1 else CHANGE_LABELS[kind]}"
             for kind, n in counts.items() if n]
    return "Depuis la dernière fois : " + (", ".join(parts) if parts else "rien")


def excluded_replies(run: Run, campaign: Campaign,
                     file_date: Callable[[str], datetime | None]) -> tuple[ExcludedReply, ...]:
    """The replies that the publication will leave out, decided as `publication` decides
    (`selection.decide`) from this run and the staff cells carried over: excluded in
    « Statut de suivi », in error, or superseded by a newer reply of the same
    organisation. The « Synthèse » sheet and the report count the others only."""
    from cuf_extract.selection import Candidate, decide
    from cuf_extract.selection import parse_document_date as parse_date

    def staff_text(staff: Iterable[tuple[str, object]], column: str) -> str:
        return " ".join(_text(dict(staff).get(column)).split())

    candidates: list[Candidate] = []
    for result in run.files:
        history = campaign.history.get(result.path)
        staff = history.staff if history else ()
        candidates.append(Candidate(
            file=result.path,
            name=staff_text(staff, COLUMN_CORRECTED) or (result.respondent or ""),
            status=result.status, follow_up=staff_text(staff, COLUMN_FOLLOW_UP),
            document_date=parse_date(result.document_date),
        ))
    for kept in campaign.kept:
        cells = dict(kept.cells)
        candidates.append(Candidate(
            file=kept.path,
            name=(staff_text(kept.staff, COLUMN_CORRECTED)
                  or " ".join(cells.get(COLUMN_RESPONDENT, "").split())),
            status=kept.status, follow_up=staff_text(kept.staff, COLUMN_FOLLOW_UP),
            document_date=parse_date(cells.get(COLUMN_DATE)),
            errors=cells.get(COLUMN_ISSUES, ""),
        ))
    decision = decide(candidates, file_date)
    return tuple(
        ExcludedReply(path=item.candidate.file, organisation=item.candidate.name,
                      reason=item.reason)
        for item in decision.left_out
    )


def kept_line(campaign: Campaign) -> str | None:
    """« 5 réponses du classeur non relues (fichiers non demandés) », or None."""
    count = len(campaign.kept)
    if not count:
        return None
    if count == 1:
        return ("1 réponse du classeur non relue (fichier non demandé) : sa ligne est "
                "gardée telle quelle.")
    return (f"{count} réponses du classeur non relues (fichiers non demandés) : leurs lignes "
            "sont gardées telles quelles.")


def _plural(word: str) -> str:
    return word + ("x" if word.endswith("eau") else "" if word.endswith("s") else "s")


def backup_outputs(outputs: Sequence[Path], *, now: datetime | None = None) -> list[Path]:
    """Copy each existing output to `.cuf-extract/sauvegardes/` beside it, keeping the
    `BACKUPS_KEPT` newest copies per output. Returns the copies made."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    made: list[Path] = []
    for output in outputs:
        if not output.is_file():
            continue
        folder = output.absolute().parent / BACKUP_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{output.stem}-{stamp}{output.suffix}"
        number = 2
        while target.exists():
            target = folder / f"{output.stem}-{stamp}-{number}{output.suffix}"
            number += 1
        shutil.copy2(output, target)
        made.append(target)
        old = sorted(folder.glob(f"{output.stem}-2*{output.suffix}"),
                     key=lambda p: p.stat().st_mtime_ns)
        for stale in old[:-BACKUPS_KEPT]:
            stale.unlink(missing_ok=True)
    return made
