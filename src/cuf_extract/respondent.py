"""Which organisation sent a reply, as well as it can be told, and from where.

Nothing here is certain: the answer is shown with its source so staff can correct it.

Sources, most telling first: the form's own « Organisation : ____ » field as the
respondent filled it, the document's page header, a letterhead typed above the form,
the header row of a question/answer table ("Réponse du Groupe …"), the organisation
line of a signature cut from the last answer, the Company property, the file name.
Every plausible candidate is kept in that order (`respondent_candidates`), because one
decision needs the whole batch: a Company value shared by most replies is the form's,
inherited by every copy, and the next candidate is taken instead
(`set_aside_inherited_properties`, below).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from cuf_extract.models import FileResult, RespondentSource, Status
from cuf_extract.organisations import organisation_like
from cuf_extract.text import normalise

if TYPE_CHECKING:
    from cuf_extract.document import Properties

MAX_NAME_LENGTH = 120

Candidate = tuple[str, RespondentSource]

# Values that Windows and Office put in the Company property by themselves.
_MEANINGLESS_COMPANIES = frozenset(
    {"", "microsoft", "microsoft corporation", "hp", "hewlett packard", "dell", "lenovo",
     "toshiba", "acer", "asus", "home", "personnel", "particulier", "windows user", "user",
     "utilisateur", "organisation", "organization", "company", "societe"}
)
# Words of a file name that say what the file is, or how it was made, not who sent it.
_FILE_NAME_NOISE = re.compile(
    r"\b(?:r[ée]ponses?|rep|questionnaires?|questions?|cuf|aict|municipales?|[ée]lections?|"
    r"final|finale|def|d[ée]finitif|d[ée]finitive|version|vf|v\d+|copie|copy|docx?|odt|"
    r"rtf|pdf|from|to|scan(?:n[ée])?|sign[ée]e?|document\d*|doc\d*|fichier|brouillon|draft|"
    r"nouveau|new|lettre|courrier|envoi|relu|corrig[ée]e?|ok|bis|ter|sans titre|"
    r"\d+)\b",
    re.IGNORECASE,
)
# Dates written in a file name (2020-02-07, 07.02.2020, 20200207), removed before words.
_DATE = re.compile(r"\b(?:\d{4}[-_. ]\d{1,2}[-_. ]\d{1,2}|\d{1,2}[-_. ]\d{1,2}[-_. ]\d{2,4}|"
                   r"(?:19|20)\d{6})\b")
_SEPARATORS = re.compile(r"[_\-.+()\[\]]+")
# "Réponse du Groupe socialiste", "Réponses de LR", "Contribution des Verts".
_ANSWER_OF = re.compile(
    r"^\s*(?:nos |notre |les |la )?(?:r[ée]ponses?|contribution|position)\s+"
    r"(?:(?:du|de la|de l['’]|des|de|d['’])\s*)?(?P<name>.+?)\s*$",
    re.IGNORECASE,
)


def respondent_candidates(
    *,
    headers: Collection[str],
    letterhead: str | None,
    properties: Properties,
    file_name: str,
    owner: Collection[str],
    table_header: Sequence[str] = (),
    signature: str | None = None,
    identification: Sequence[tuple[str, str]] = (),
) -> list[Candidate]:
    """Every plausible name of the respondent with its source, most telling first."""
    owner_keys = {normalise(name) for name in owner}

    def plausible(name: str | None) -> str | None:
        if not name:
            return None
        name = " ".join(name.split())
        key = normalise(name)
        if not key or len(name) > MAX_NAME_LENGTH:
            return None
        if any(k and f" {k} " in f" {key} " for k in owner_keys):
            return None
        return name

    found: list[Candidate] = []
    name = plausible(organisation_field(identification))
    if name:
        found.append((name, RespondentSource.FORM_FIELD))
    for header in headers:
        name = plausible(header.split("\n")[0])
        if name:
            found.append((name, RespondentSource.HEADER))
            break
    name = plausible(letterhead)
    if name:
        found.append((name, RespondentSource.LETTERHEAD))
    name = plausible(name_from_table_header(table_header))
    if name:
        found.append((name, RespondentSource.TABLE_HEADER))
    name = plausible(signature)
    if name:
        found.append((name, RespondentSource.SIGNATURE))
    company = plausible(properties.company)
    if company and normalise(company) not in _MEANINGLESS_COMPANIES:
        found.append((company, RespondentSource.PROPERTIES))
    name = plausible(name_from_file_name(file_name))
    if name:
        found.append((name, RespondentSource.FILE_NAME))
    return found



# The label of an identification field that asks who answers: the organisation, not
# the person signing ("Nom et fonction du signataire", "Contact").
_ORGANISATION_FIELD = re.compile(
    r"\b(?:organi[sz]ations?|organismes?|structures?|collectivit[ée]s?|partis?|listes?|"
    r"mouvements?|groupes?|associations?|party|council|groupement)\b",
    re.IGNORECASE,
)
_PERSON_FIELD = re.compile(r"\b(?:signataires?|signatory|pr[ée]noms?|fonctions?|contact|"
                           r"personne|position)\b", re.IGNORECASE)


def organisation_field(identification: Sequence[tuple[str, str]]) -> str | None:
    """The organisation typed in the form's field asking for it ("Organisation : Parti
    des Communes", "Nom de la liste : …"), or None."""
    for label, value in identification:
        if _ORGANISATION_FIELD.search(label) and not _PERSON_FIELD.search(label):
            return value
    return None


def name_from_file_name(file_name: str) -> str | None:
    """The organisation a file name gives, or None when what is left once the words
    describing the file are removed ("réponse", "final", "v2", "scan", dates…) does not
    look like an organisation's name or acronym.

    `Reponse CUF - PS.docx` -> "PS"; `2020-02-07 Réponse Parti radical de gauche.docx`
    -> "Parti radical de gauche"; `doc-final-v2-from-odt.docx` -> None.
    """
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    words = _FILE_NAME_NOISE.sub(" ", _DATE.sub(" ", _SEPARATORS.sub(" ", stem))).split()
    return organisation_like(words)


def name_from_table_header(cells: Sequence[str]) -> str | None:
    """The organisation named in a question/answer table's header row: "Réponse du
    Groupe Socialiste" -> "Groupe Socialiste". Plain column titles give None."""
    for cell in cells:
        match = _ANSWER_OF.match(cell.strip().rstrip(" :"))
        if match:
            name = organisation_like(match.group("name").split(), capitalised_ok=True)
            if name:
                return name
    return None




# A Company property is the form's, inherited by the copies, when this many replies of
# the batch (and at least this share of those read) carry the same value.
INHERITED_MIN_FILES = 3
INHERITED_MIN_SHARE = 0.5


def set_aside_inherited_properties(results: Sequence[FileResult]) -> list[FileResult]:
    """Results whose respondent came from a Company property that most of the batch
    shares: that value is the computer's that made the form, re-saved in every reply,
    not the respondent's. They take their next candidate (the file name…) instead.

    A cross-file decision, made on every run over all results (cached or fresh): each
    result keeps its own candidates, so the decision never goes stale in the cache.
    """
    read = [r for r in results if r.status in (Status.OK, Status.WARNING)]
    counts: dict[str, int] = {}
    for result in read:
        for name, source in result.respondent_candidates:
            if source is RespondentSource.PROPERTIES:
                key = normalise(name)
                counts[key] = counts.get(key, 0) + 1
    inherited = {
        key for key, count in counts.items()
        if count >= INHERITED_MIN_FILES and count >= INHERITED_MIN_SHARE * len(read)
    }
    if not inherited:
        return list(results)
    out: list[FileResult] = []
    for result in results:
        kept = tuple(
            (name, source) for name, source in result.respondent_candidates
            if not (source is RespondentSource.PROPERTIES and normalise(name) in inherited)
        )
        if kept == result.respondent_candidates:
            out.append(result)
            continue
        first: tuple[str | None, RespondentSource | None] = kept[0] if kept else (None, None)
        out.append(result.model_copy(update={
            "respondent": first[0], "respondent_source": first[1], "respondent_candidates": kept,
        }))
    return out
