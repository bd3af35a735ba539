"""Which organisation sent a reply, as well as it can be told, and from where.

Nothing here is certain: the answer is shown with its source so staff can correct it.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from cuf_extract.docx_reader import Properties
from cuf_extract.locate import normalise
from cuf_extract.models import RespondentSource

MAX_NAME_LENGTH = 120

# Values that Windows and Office put in the Company property by themselves.
_MEANINGLESS_COMPANIES = frozenset(
    {"", "microsoft", "microsoft corporation", "hp", "hewlett packard", "dell", "lenovo",
     "toshiba", "acer", "asus", "home", "personnel", "particulier", "windows user", "user",
     "utilisateur", "organisation", "organization", "company", "societe"}
)
# Words of a file name that say what the file is, not who sent it.
_FILE_NAME_NOISE = re.compile(
    r"\b(?:r[ée]ponses?|questionnaires?|questions?|cuf|aict|municipales?|[ée]lections?|final|"
    r"finale|def|d[ée]finitif|version|v\d+|copie|copy|docx?|odt|pdf|\d{4}|\d{1,2})\b",
    re.IGNORECASE,
)


def guess_respondent(
    *,
    headers: Collection[str],
    letterhead: str | None,
    properties: Properties,
    file_name: str,
    owner: Collection[str],
) -> tuple[str | None, RespondentSource | None]:
    """The respondent's name and where it was read, trying the most telling source first."""
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

    for header in headers:
        name = plausible(header.split("\n")[0])
        if name:
            return name, RespondentSource.HEADER
    name = plausible(letterhead)
    if name:
        return name, RespondentSource.LETTERHEAD
    company = plausible(properties.company)
    if company and normalise(company) not in _MEANINGLESS_COMPANIES:
        return company, RespondentSource.PROPERTIES
    stem = file_name.rsplit(".", 1)[0]
    cleaned = _FILE_NAME_NOISE.sub(" ", re.sub(r"[_\-.+]+", " ", stem))
    name = plausible(cleaned)
    if name:
        return name, RespondentSource.FILE_NAME
    return None, None
