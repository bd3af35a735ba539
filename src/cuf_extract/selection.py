"""Which replies of a campaign will be published: one decision shared by the publication
(read from the workbook as the staff left it) and the extraction's « Synthèse » sheet
and report (read from this run and the staff cells of the previous workbook), so that
they all count the same rows.

A reply is published when its status is OK or Avertissement, the staff did not exclude
it in « Statut de suivi », and no newer reply names the same organisation. Pure: the
file dates come from a function the caller gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cuf_extract.dates import parse_french_date, parse_iso, wall_clock
from cuf_extract.layout import COLUMN_FOLLOW_UP
from cuf_extract.models import Status
from cuf_extract.text import fold, organisation_key
from cuf_extract.typography import NBSP

# « Statut de suivi » words that keep a reply out of the publication, matched on the
# normalised text (accents and case ignored): « à exclure », « exclu(e)(s) »,
# « exclure », « ne pas publier », « non publiable ». « ne pas exclure » and « non exclu »
# do not exclude.
_EXCLUSION = re.compile(
    r"(?<!\bpas )(?<!\bnon )\b(?:a )?exclu(?:e|s|es|re)?\b"
    r"|\bne pas publier\b|\bnon publi(?:able|ee?s?)\b"
)

ABSENT_REASON = "fichier absent du dossier lors de la dernière extraction"


def same_name_key(name: str) -> str:
    """Two replies under names with the same key are one organisation's (text.py)."""
    return organisation_key(name)


def is_exclusion(follow_up: str) -> bool:
    """Whether a « Statut de suivi » says the reply must not be published."""
    return _EXCLUSION.search(" ".join(re.sub(r"[^\w ]+", " ", fold(follow_up)).split())
                             ) is not None


# « Statut de suivi » words that say the staff looked at a reply and accept it as it
# is: « vérifié(e)(s) », « relu(e)(s) », « contrôlé(e)(s) », « traité(e)(s) », « ok ».
# « à vérifier », « non vérifié », « pas relu » do not. The report takes such replies,
# and excluded ones, out of « Fichiers à vérifier »; the publication is not changed.
_CHECKED = re.compile(
    r"(?<!\bpas )(?<!\bnon )(?<!\bjamais )(?<!\bencore )"
    r"\b(?:verifiee?s?|relue?s?|controlee?s?|traitee?s?|ok)\b"
)


def is_checked(follow_up: str) -> bool:
    """Whether a « Statut de suivi » says the staff checked the reply (« vérifié »)."""
    return _CHECKED.search(" ".join(re.sub(r"[^\w ]+", " ", fold(follow_up)).split())
                           ) is not None


def parse_document_date(value: object) -> datetime | None:
    """« Date du document » as a naive date, as the workbook holds it: a date cell, the
    French text the workbook shows (« 09/02/2020 11:30 »), an ISO text, or a reply's
    document date (its wall-clock time)."""
    if isinstance(value, datetime):
        return wall_clock(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value or "")
    if (french := parse_french_date(text)) is not None:
        return french
    moment = parse_iso(text)
    return None if moment is None else wall_clock(moment)


def file_date(file: str, base: Path) -> datetime | None:
    """The reply file's modification date, if it is still where the workbook says."""
    candidate = Path(file)
    if not candidate.is_absolute():
        candidate = base / candidate
    try:
        return datetime.fromtimestamp(candidate.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Candidate:
    """One row of the campaign as far as publishing goes."""

    file: str
    name: str  # as shown: the staff's correction, else the extracted name
    status: Status | None  # None: the file is gone (« absent »)
    follow_up: str = ""
    document_date: datetime | None = None
    errors: str = ""  # the row's problems, for the reason given when it is in error


@dataclass(frozen=True)
class LeftOut:
    candidate: Candidate
    reason: str  # French
    flagged: bool  # the staff should act (an error row), not only be told
    superseded: bool = False  # a newer reply of the same organisation is published
    advice: str = ""  # French: what the staff can do about it, when anything

    @property
    def message(self) -> str:
        """The reason and, when there is one, the advice: what the publication says."""
        return f"{self.reason}{NBSP}: {self.advice}" if self.advice else self.reason


@dataclass(frozen=True)
class Tie:
    """Replies of one organisation that no date orders: `chosen` is published."""

    chosen: Candidate
    count: int


@dataclass(frozen=True)
class Decision:
    published: tuple[Candidate, ...]  # in the order given
    left_out: tuple[LeftOut, ...]
    ties: tuple[Tie, ...] = ()


def decide(candidates: Sequence[Candidate],
           file_date: Callable[[str], datetime | None]) -> Decision:
    """Which candidates are published, and why each other one is not.

    Skipped files (Word's owner files) are neither published nor left out: they were
    never replies. Of several publishable rows naming the same organisation
    (`same_name_key`), the newest is published: latest document date, then latest
    modification date of the file (`file_date`); a tie publishes the first and is
    reported in `ties`.
    """
    left_out: list[LeftOut] = []
    publishable: list[Candidate] = []
    for candidate in candidates:
        if candidate.status is Status.SKIPPED:
            continue
        if is_exclusion(candidate.follow_up):
            left_out.append(LeftOut(
                candidate, f"exclue dans « {COLUMN_FOLLOW_UP} » (« {candidate.follow_up} »)",
                False))
        elif candidate.status is None:
            left_out.append(LeftOut(candidate, ABSENT_REASON, False))
        elif candidate.status is Status.ERROR:
            problems = (f" ({candidate.errors.replace(chr(10), ', ')})"
                        if candidate.errors else "")
            left_out.append(LeftOut(
                candidate, f"en erreur à l’extraction{problems}", True,
                advice=("corrigez le fichier et relancez l’extraction, ou écrivez "
                        f"« à exclure » dans « {COLUMN_FOLLOW_UP} »")))
        else:
            publishable.append(candidate)

    groups: dict[str, list[Candidate]] = {}
    for index, candidate in enumerate(publishable):
        key = same_name_key(candidate.name) or f"\0{index}"  # no name: on its own
        groups.setdefault(key, []).append(candidate)
    chosen_ones: set[int] = set()
    ties: list[Tie] = []
    for group in groups.values():
        chosen = group[0]
        if len(group) > 1:
            dated = [(c.document_date or datetime.min, file_date(c.file) or datetime.min, c)
                     for c in group]
            best = max(dated, key=lambda d: (d[0], d[1]))  # the first of equals wins
            chosen = best[2]
            tied = sum(1 for d in dated if (d[0], d[1]) == (best[0], best[1]))
            if tied > 1:
                ties.append(Tie(chosen, tied))
            left_out.extend(
                LeftOut(c, "réponse plus ancienne de la même organisation (publiée : "
                           f"« {chosen.file} »)", False, superseded=True)
                for c in group if c is not chosen)
        chosen_ones.add(id(chosen))
    return Decision(
        published=tuple(c for c in publishable if id(c) in chosen_ones),
        left_out=tuple(left_out), ties=tuple(ties),
    )
