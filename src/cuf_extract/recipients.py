"""Who has not replied yet: the list of solicited organisations against the replies.

Three steps, each usable on its own (a publication needs only the first two):

- `load_recipients(path)`: the staff's list (.txt, .csv or .xlsx) as `Recipient`s, or a
  `RecipientsError` whose message (French) says what to fix;
- `match_organisations(recipients, organisations)` / `not_replied(...)`: which listed
  organisation each reply's organisation is, certainly or possibly (pure);
- `recipients_status(...)`: the whole picture for the spreadsheet's « Destinataires »
  sheet and the report, with the staff's « Relance » cells carried over.

Matching ignores case, accents, punctuation and a leading article; the words « parti »,
« groupe », « mouvement » are dropped too, unless that makes two listed organisations
look alike. Only an exact match after that (or a declared alias) is certain; a near
spelling, an undeclared acronym or a name that fits several listed organisations is
uncertain and shown as « à vérifier », never counted as a reply.

An entry may also give the organisation's e-mail address or domain among its other
names (`Parti X | contact@parti-x.fr | parti-x.fr`): a reply that came in an e-mail
from that address, or from that domain, counts as that organisation's when its
organisation's name gives no certain match.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cuf_extract.layout import COLUMN_CORRECTED, COLUMN_RESPONDENT, COLUMN_SENDER
from cuf_extract.models import Campaign, Run, StaffValue, Status
from cuf_extract.organisations import GENERIC_WORDS, PARTICLES, acronym, initials
from cuf_extract.text import ARTICLES, organisation_key

__all__ = [
    "MatchResult",
    "Recipient",
    "RecipientRow",
    "RecipientState",
    "RecipientsError",
    "RecipientsStatus",
    "SheetRecipient",
    "UnlistedReply",
    "headline",
    "load_recipients",
    "match_organisations",
    "not_replied",
    "recipients_status",
    "status_for_run",
    "summary_line",
    "to_check",
]

ALIAS_SEPARATOR = "|"

MAX_LIST_BYTES = 5_000_000
FUZZY_THRESHOLD = 85  # rapidfuzz score (0-100) from which a near spelling is « à vérifier »

_ARTICLES = ARTICLES
# First cells that make a spreadsheet's first row a header, not an organisation.
_HEADER_WORDS = frozenset({
    "organisation", "organisations", "organisme", "organismes", "nom", "noms", "parti",
    "partis", "destinataire", "destinataires", "structure", "structures", "liste",
    "organisation sollicitee", "organisations sollicitees", "nom de l organisation",
})
_ALIAS_HEADER = re.compile(r"alias|sigle|acronyme|autres? noms?|abr[eé]g|courriel|e-?mail|"
                           r"m[eé]l\b|adresse|domaine", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^https?:|^www\.|^[\d\s.+()/-]+$")
# An e-mail address, or a domain written in lower case (« parti-x.fr », « @parti-x.fr »):
# acronyms are written in capitals (« P.S. »), so they are never taken for a domain.
_ADDRESS = re.compile(r"^[^@\s|]+@[\w.-]+\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^@?(?:[a-z0-9-]+\.)+[a-z]{2,}$")


class RecipientsError(Exception):
    """The list of recipients cannot be used; the message (French) says what to do."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(_Frozen):
    """A solicited organisation: its name as the staff wrote it, and its other names."""

    name: str
    aliases: tuple[str, ...] = ()
    # E-mail addresses and domains, in lower case (« contact@parti-x.fr », « parti-x.fr »).
    addresses: tuple[str, ...] = ()


def is_address(text: str) -> bool:
    """Whether a list entry is an e-mail address or a domain rather than a name."""
    text = text.strip()
    return bool(_ADDRESS.match(text) or _DOMAIN.match(text))


# --------------------------------------------------------------------------- loading


def load_recipients(path: Path) -> tuple[Recipient, ...]:
    """The organisations listed in `path` (.txt, .csv or .xlsx), in the file's order.

    Text: one organisation a line, aliases after « | », blank lines and lines starting
    with « # » ignored. CSV (« ; » or « , ») and .xlsx (first sheet): the first column,
    aliases in the other cells (with a header row, only in columns titled « Alias »,
    « Sigle » or « Autres noms ») or after « | ». The same organisation listed twice is
    kept once, with its aliases merged. Raises `RecipientsError` (French) otherwise.
    """
    path = Path(path)
    if not path.is_file():
        raise RecipientsError(f"la liste des destinataires « {path} » n’existe pas "
                              "(option --destinataires).")
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise RecipientsError(f"la liste des destinataires « {path} » est trop volumineuse "
                                  f"({size // 1_000_000} Mo) : une ligne par organisation "
                                  "suffit.")
        data = path.read_bytes()
    except OSError as exc:
        raise RecipientsError(f"la liste des destinataires « {path} » ne peut pas être lue "
                              f"({exc.strerror or exc}).") from exc
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, data)
    elif data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or suffix in (".xls", ".ods"):
        raise RecipientsError(
            f"la liste des destinataires « {path} » n’est ni un fichier texte ni un classeur "
            ".xlsx : enregistrez-la en .xlsx, en .csv (UTF-8) ou en .txt."
        )
    else:
        text = _decode(path, data)
        rows = _csv_rows(text) if suffix == ".csv" else _text_rows(text)
    recipients = _merge(rows)
    if not recipients:
        raise RecipientsError(
            f"la liste des destinataires « {path} » ne contient aucune organisation : "
            "écrivez une organisation par ligne (les lignes commençant par # sont ignorées)."
        )
    return recipients


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RecipientsError(
            f"la liste des destinataires « {path} » n’est pas un fichier texte : enregistrez-la "
            "en .txt ou .csv (UTF-8), ou en .xlsx."
        )
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")  # Notepad's « Unicode »
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecipientsError(
            f"la liste des destinataires « {path} » n’est pas encodée en UTF-8 (caractère "
            f"illisible à l’octet {exc.start}) : dans Excel, « Enregistrer sous » → « CSV UTF-8 "
            "(délimité par des virgules) » ; dans le Bloc-notes, choisissez le codage UTF-8 ; "
            "ou donnez directement le fichier .xlsx."
        ) from exc


def _split_aliases(cell: str) -> list[str]:
    return [" ".join(part.split()) for part in cell.split(ALIAS_SEPARATOR)]


def _text_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows.append(_split_aliases(stripped))
    return rows


def _cells_rows(table: Iterable[Sequence[object]]) -> list[list[str]]:
    """Rows of cells (CSV or spreadsheet) → [name, alias, …], header row dropped."""
    rows = [[_cell_text(v) for v in row] for row in table]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    alias_columns: set[int] | None = None  # None: no header, every other cell is an alias
    if _key(rows[0][0]) in _HEADER_WORDS:
        header, rows = rows[0], rows[1:]
        alias_columns = {i for i, title in enumerate(header) if i and _ALIAS_HEADER.search(title)}
    out = []
    for row in rows:
        if not row[0] or row[0].startswith("#"):
            continue
        names = _split_aliases(row[0])
        for index, cell in enumerate(row[1:], start=1):
            if not cell or (alias_columns is not None and index not in alias_columns):
                continue
            names += [a for a in _split_aliases(cell) if not _NOT_A_NAME.search(a)]
        out.append(names)
    return out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _csv_rows(text: str) -> list[list[str]]:
    sample = "\n".join(text.splitlines()[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return _cells_rows(csv.reader(text.splitlines(), delimiter=delimiter))


def _xlsx_rows(path: Path, data: bytes) -> list[list[str]]:
    import io

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise RecipientsError(
            f"la liste des destinataires « {path} » ne peut pas être lue comme un classeur "
            f"Excel ({type(exc).__name__}) : vérifiez qu’elle n’est pas protégée par un mot "
            "de passe, ou enregistrez-la en .csv ou .txt."
        ) from exc
    try:
        if not workbook.worksheets:
            return []
        return _cells_rows(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _merge(rows: Sequence[Sequence[str]]) -> tuple[Recipient, ...]:
    """One `Recipient` per organisation: a name listed twice merges its aliases."""
    merged: dict[str, tuple[str, list[str], list[str]]] = {}
    for names in rows:
        name, *aliases = [n for n in names if n] or [""]
        if not _key(name) or is_address(name):
            continue
        _, known, addresses = merged.setdefault(_key(name), (name, [], []))
        for alias in aliases:
            if is_address(alias):
                address = alias.strip().lower().lstrip("@")
                if address not in addresses:
                    addresses.append(address)
            elif _key(alias) and _key(alias) != _key(name) and alias not in known:
                known.append(alias)
    return tuple(Recipient(name=name, aliases=tuple(aliases), addresses=tuple(addresses))
                 for name, aliases, addresses in merged.values())


# --------------------------------------------------------------------------- matching


_key = organisation_key  # the certain key, the same for every command


def _loose_key(text: str) -> str:
    """`_key` without « parti », « groupe », « mouvement » and the articles they leave."""
    words = [w for w in _key(text).split() if w not in GENERIC_WORDS]
    while len(words) > 1 and words[0] in _ARTICLES | PARTICLES:
        words = words[1:]
    return " ".join(words)


class MatchResult(_Frozen):
    """What one reply's organisation is in the list (indexes into the recipients)."""

    organisation: str | None
    certain: int | None = None
    uncertain: tuple[int, ...] = ()
    reason: str = ""  # French, why the match is uncertain


class _Index:
    def __init__(self, recipients: Sequence[Recipient]) -> None:
        self.recipients = recipients
        self.strict: dict[str, set[int]] = {}
        self.loose: dict[str, set[int]] = {}
        self.labels: list[tuple[int, str, str]] = []  # (recipient, key, loose key)
        self.initials: list[set[str]] = []  # the acronyms each recipient's names could have
        self.acronyms: list[set[str]] = []  # the names of each recipient that are acronyms
        for index, recipient in enumerate(recipients):
            labels = (recipient.name, *recipient.aliases)
            self.initials.append(set().union(*map(initials, labels)))
            self.acronyms.append({a for a in map(acronym, labels) if a})
            for label in labels:
                key, loose = _key(label), _loose_key(label)
                if key:
                    self.strict.setdefault(key, set()).add(index)
                    self.loose.setdefault(loose, set()).add(index)
                    self.labels.append((index, key, loose))

    def match(self, organisation: str | None) -> MatchResult:
        key = _key(organisation or "")
        if not key:
            return MatchResult(organisation=organisation)
        loose = _loose_key(organisation or "")
        for found in (self.strict.get(key), self.loose.get(loose)):
            if found and len(found) == 1:
                return MatchResult(organisation=organisation, certain=next(iter(found)))
            if found:
                return MatchResult(
                    organisation=organisation, uncertain=tuple(sorted(found)),
                    reason="le nom convient à plusieurs organisations de la liste",
                )
        return self._uncertain(organisation or "", key, loose)

    def _uncertain(self, organisation: str, key: str, loose: str) -> MatchResult:
        from rapidfuzz import fuzz

        reasons: dict[int, str] = {}
        its_acronym = acronym(organisation)
        its_initials = initials(organisation)
        for index in range(len(self.recipients)):
            if ((its_acronym and its_acronym in self.initials[index])
                    or self.acronyms[index] & its_initials):
                reasons.setdefault(index, "sigle non déclaré dans la liste")
        for index, label_key, label_loose in self.labels:
            # Plain ratio too: sorting the words moves a misspelt one ("alfa" sorts
            # before "alliance", "alpha" after it) and hides a near spelling.
            score = max(fuzz.ratio(key, label_key), fuzz.ratio(loose, label_loose),
                        fuzz.token_sort_ratio(key, label_key),
                        fuzz.token_sort_ratio(loose, label_loose))
            if score >= FUZZY_THRESHOLD:
                reasons.setdefault(index, "nom proche mais pas identique")
            elif _part_of(key, label_key):
                reasons.setdefault(index, "un nom contient l’autre")
        if not reasons:
            return MatchResult(organisation=organisation)
        found = tuple(sorted(reasons))
        reason = ("le nom convient à plusieurs organisations de la liste" if len(found) > 1
                  else reasons[found[0]])
        return MatchResult(organisation=organisation, uncertain=found, reason=reason)


def _part_of(a: str, b: str) -> bool:
    """Whether one name's words are all in the other's, in order, the shorter having
    two words at least: « Parti communiste » in « Parti communiste français »."""
    short, long = sorted((a.split(), b.split()), key=len)
    if len(short) < 2 or len(short) == len(long):
        return False
    remaining = iter(long)
    return all(word in remaining for word in short)


def match_organisations(
    recipients: Sequence[Recipient], organisations: Iterable[str | None]
) -> list[MatchResult]:
    """Each organisation (a reply's, corrected name first) against the list, in order."""
    index = _Index(recipients)
    return [index.match(organisation) for organisation in organisations]


def not_replied(recipients: Sequence[Recipient], organisations: Iterable[str | None]
                ) -> list[str]:
    """Names of the listed organisations that no reply matches, not even uncertainly.

    `organisations` are the replies' organisations (« Organisation (corrigée) » when
    filled, else « Organisation »). An organisation matched only uncertainly is « à
    vérifier » (see `to_check`), neither replied nor left out.
    """
    matches = match_organisations(recipients, organisations)
    touched = {m.certain for m in matches} | {i for m in matches for i in m.uncertain}
    return [r.name for i, r in enumerate(recipients) if i not in touched]


def to_check(recipients: Sequence[Recipient], organisations: Iterable[str | None]
             ) -> list[str]:
    """Names of the listed organisations matched only uncertainly by some reply."""
    matches = match_organisations(recipients, organisations)
    certain = {m.certain for m in matches}
    uncertain = {i for m in matches for i in m.uncertain}
    return [r.name for i, r in enumerate(recipients) if i in uncertain and i not in certain]


# --------------------------------------------------------------------------- status


class RecipientState(StrEnum):
    REPLIED = "replied"
    NOT_REPLIED = "not_replied"
    TO_CHECK = "to_check"
    REMOVED = "removed"  # not in the list any more; kept for its « Relance » cell


STATE_LABELS: dict[RecipientState, str] = {
    RecipientState.REPLIED: "a répondu",
    RecipientState.NOT_REPLIED: "sans réponse",
    RecipientState.TO_CHECK: "à vérifier",
    RecipientState.REMOVED: "retirée de la liste",
}


class SheetRecipient(_Frozen):
    """A row of the previous « Destinataires » sheet, as the staff left it."""

    name: str
    aliases: tuple[str, ...] = ()
    state: str = ""
    relance: StaffValue | None = None
    extra: tuple[tuple[str, StaffValue], ...] = ()  # columns the staff added: (title, value)

    @property
    def typed(self) -> bool:
        """Whether the staff typed something on this row."""
        return _filled(self.relance) or bool(self.extra)


class RecipientRow(_Frozen):
    recipient: Recipient
    state: RecipientState
    replies: tuple[str, ...] = ()  # paths of the replies matched for certain
    to_check: tuple[str, ...] = ()  # French: "fichier.docx (« PS » : sigle non déclaré …)"
    relance: StaffValue | None = None
    extra: tuple[tuple[str, StaffValue], ...] = ()  # columns the staff added


class UnlistedReply(_Frozen):
    """A reply no listed organisation matches for certain."""

    path: str
    organisation: str | None
    candidates: tuple[str, ...] = ()  # listed organisations it might be
    reason: str = ""


class RecipientsStatus(_Frozen):
    """The « Destinataires » picture: not part of the JSON contract."""

    source: str  # the list's file name, or the previous sheet when reused
    rows: tuple[RecipientRow, ...]
    unlisted: tuple[UnlistedReply, ...] = ()
    extra_columns: tuple[str, ...] = ()  # columns the staff added to the sheet, in order

    def names(self, state: RecipientState) -> list[str]:
        return [row.recipient.name for row in self.rows if row.state is state]

    @property
    def not_replied(self) -> list[str]:
        return self.names(RecipientState.NOT_REPLIED)

    @property
    def to_check(self) -> list[str]:
        return self.names(RecipientState.TO_CHECK)


def recipients_from_sheet(rows: Sequence[SheetRecipient]) -> tuple[Recipient, ...]:
    """The list as the previous sheet held it (rows « retirée de la liste » left out)."""
    removed = STATE_LABELS[RecipientState.REMOVED]
    return _merge([[r.name, *r.aliases] for r in rows if r.state != removed])


def reply_organisation(result_respondent: str | None, staff: Iterable[tuple[str, object]]
                       ) -> str | None:
    """The organisation a reply is from: the staff's correction when filled."""
    for column, value in staff:
        if column == COLUMN_CORRECTED and str(value).strip():
            return " ".join(str(value).split())
    return result_respondent


def recipients_status(
    run: Run,
    campaign: Campaign,
    recipients: Sequence[Recipient],
    *,
    previous: Sequence[SheetRecipient] = (),
    source: str,
) -> RecipientsStatus:
    """Every listed organisation with its replies, the replies not on the list, and the
    « Relance » cells of the previous sheet carried over by organisation name.

    Replies are this run's files, ignored ones (Word's owner files) excepted and error
    rows included: the organisation did reply. Columns the staff added to the sheet are
    carried the same way. A row of the previous sheet whose organisation left the list
    but on which the staff typed something stays, « retirée de la liste », so that
    nothing the staff typed is lost.
    """
    replies: list[tuple[str, str | None]] = [
        (r.path, reply_organisation(r.respondent,
                                    h.staff if (h := campaign.history.get(r.path)) else ()))
        for r in run.files if r.status is not Status.SKIPPED
    ]
    # Rows this run did not read (their files were not asked for) are replies all the same.
    replies += [(k.path, reply_organisation(dict(k.cells).get(COLUMN_RESPONDENT) or None, k.staff))
                for k in campaign.kept if k.status is not Status.SKIPPED]
    # The e-mail address each reply came from, if it came in a message.
    senders = [r.sender_address for r in run.files if r.status is not Status.SKIPPED]
    senders += [_address_in(dict(k.cells).get(COLUMN_SENDER) or "")
                for k in campaign.kept if k.status is not Status.SKIPPED]
    organisations = [organisation for _, organisation in replies]
    matches = match_organisations(recipients, organisations)
    by_address = _address_index(recipients)
    matches = [_by_sender(match, sender, by_address)
               for sender, match in zip(senders, matches, strict=True)]
    certain: dict[int, list[str]] = {}
    uncertain: dict[int, list[str]] = {}
    unlisted: list[UnlistedReply] = []
    for (path, _), match in zip(replies, matches, strict=True):
        if match.certain is not None:
            certain.setdefault(match.certain, []).append(path)
            continue
        for index in match.uncertain:
            uncertain.setdefault(index, []).append(
                f"{path} (« {match.organisation} » : {match.reason})"
            )
        unlisted.append(UnlistedReply(
            path=path, organisation=match.organisation, reason=match.reason,
            candidates=tuple(recipients[i].name for i in match.uncertain),
        ))

    by_name = {row.name: row for row in previous if row.typed}
    by_key: dict[str, SheetRecipient] = {}
    for row in by_name.values():
        by_key.setdefault(_key(row.name), row)
    carried: set[str] = set()  # previous rows whose « Relance » found its organisation
    rows: list[RecipientRow] = []
    for index, recipient in enumerate(recipients):
        if index in certain:
            state = RecipientState.REPLIED
        elif index in uncertain:
            state = RecipientState.TO_CHECK
        else:
            state = RecipientState.NOT_REPLIED
        candidates = [by_name.get(recipient.name),
                      *(by_key.get(_key(label)) for label in (recipient.name, *recipient.aliases))]
        earlier = next((r for r in candidates if r is not None and r.name not in carried), None)
        if earlier is not None:
            carried.add(earlier.name)
        rows.append(RecipientRow(
            recipient=recipient, state=state, replies=tuple(certain.get(index, ())),
            to_check=tuple(uncertain.get(index, ())),
            relance=earlier.relance if earlier is not None else None,
            extra=earlier.extra if earlier is not None else (),
        ))
    rows.extend(
        RecipientRow(recipient=Recipient(name=row.name, aliases=row.aliases),
                     state=RecipientState.REMOVED, relance=row.relance, extra=row.extra)
        for row in by_name.values() if row.name not in carried
    )
    extra_columns = dict.fromkeys(title for row in previous for title, _ in row.extra)
    return RecipientsStatus(source=source, rows=tuple(rows), unlisted=tuple(unlisted),
                            extra_columns=tuple(extra_columns))


def _address_in(cell: str) -> str | None:
    """The address of an « Expéditeur du courriel » cell: « Nom <a@b.fr> » or « a@b.fr »."""
    match = re.search(r"<([^<>\s]+@[^<>\s]+)>\s*$", cell) or re.fullmatch(r"\s*(\S+@\S+)\s*", cell)
    return match.group(1).lower() if match else None


def _address_index(recipients: Sequence[Recipient]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    for number, recipient in enumerate(recipients):
        for address in recipient.addresses:
            index.setdefault(address, set()).add(number)
    return index


def _by_sender(match: MatchResult, sender: str | None, index: dict[str, set[int]]
               ) -> MatchResult:
    """A reply from a listed address (or domain) is that organisation's, unless its
    organisation's name already matches one for certain."""
    if match.certain is not None or not sender or not index:
        return match
    sender = sender.lower()
    domain = sender.rsplit("@", 1)[-1]
    for key in (sender, domain):
        found = index.get(key)
        if found and len(found) == 1:
            return match.model_copy(update={"certain": next(iter(found)), "uncertain": (),
                                            "reason": ""})
    return match


def status_for_run(
    run: Run,
    campaign: Campaign,
    *,
    listed: Sequence[Recipient] | None,
    source: str | None = None,
    previous: Sequence[SheetRecipient] | None,
) -> RecipientsStatus | None:
    """The « Destinataires » picture of this run, or None when there is no list.

    With a list (`--destinataires`), it is the list; without one, the list the previous
    workbook's « Destinataires » sheet held is reused, so that a rerun without the
    option keeps the sheet, its « Relance » cells and the report's reminder block.
    """
    if listed is None:
        if previous is None:
            return None
        listed = recipients_from_sheet(previous)
        if not listed and not any(row.typed for row in previous):
            return None  # an emptied sheet: no list to count against
        source = "la feuille « Destinataires » du tableur précédent"
    return recipients_status(run, campaign, listed, previous=previous or (),
                             source=source or "la liste des destinataires")


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number > 1 else ''}"


def headline(status: RecipientsStatus) -> str:
    """« Sans réponse à ce jour : 3 organisations »."""
    return f"Sans réponse à ce jour : {_count(len(status.not_replied), 'organisation')}"


def summary_line(status: RecipientsStatus) -> str:
    """The console's line: the count without reply, then what needs a look."""
    listed = sum(1 for row in status.rows if row.state is not RecipientState.REMOVED)
    parts = [f"{headline(status)} (sur {listed} sollicitée{'s' if listed > 1 else ''})"]
    if status.to_check:
        parts.append(f"{len(status.to_check)} à vérifier")
    if status.unlisted:
        parts.append(f"{_count(len(status.unlisted), 'réponse')} hors liste")
    return " ; ".join(parts) + " : voir la feuille « Destinataires »."


def _filled(value: StaffValue | None) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
