"""The questionnaire as data: the bundled 2020 campaign, or any TOML file of the same format."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cuf_extract.models import Question, QuestionKind, QuestionnaireRef

DEFAULT_QUESTIONNAIRE = "cuf-aict-2020.toml"
# Version 1: the 2020 keys. Version 2 adds, per question, `section`, `subpoints`,
# `notes` and `instructions` (what a form carries besides its questions), and the
# optional `fields` (identification fields above the questions). Version 3 adds `kind`
# (« fermée » or « ouverte »), read from the wording when a file does not say.
FORMAT_VERSION = 3
MAX_QUESTIONS = 60


class QuestionnaireError(Exception):
    """The questionnaire file cannot be used; the message says why, in French."""


# --------------------------------------------------------------------------- question kind

# Words that open a question that cannot be answered yes or no (« Quelle place… ? »,
# « Avec quelles villes ? », « How…? »), possibly after a preposition (« De quelle
# manière », « To what extent »). « où » keeps its accent: « ou » is « or » (« …, ou non ? »).
_INTERROGATIVES = frozenset({
    "quel", "quelle", "quels", "quelles", "comment", "combien", "pourquoi", "où", "quand",
    "que", "qu", "qui", "quoi", "lequel", "laquelle", "lesquels", "lesquelles", "auquel",
    "auxquels", "auxquelles", "duquel", "desquels", "desquelles",
    "which", "what", "how", "why", "where", "when", "who", "whom", "whose",
})
_PREPOSITIONS = frozenset({
    "à", "a", "au", "aux", "avec", "dans", "de", "des", "du", "d", "depuis", "en", "par",
    "pour", "sur", "selon", "sous", "chez", "vers", "entre", "jusqu", "et", "mais",
    "in", "on", "at", "with", "for", "from", "to", "by", "since", "under", "and", "but",
})
# Requests that call for a text, not a yes or a no (« Décrivez… », « Please describe… »).
_REQUESTS = frozenset({
    "décrivez", "précisez", "indiquez", "citez", "listez", "énumérez", "expliquez",
    "présentez", "détaillez", "donnez", "dites", "développez", "justifiez", "merci",
    "veuillez", "describe", "explain", "list", "give", "tell", "please", "outline",
    "specify", "name", "provide", "detail",
})
# A free comment (« Autres commentaires ? », « Any further comments? »): open, even asked
# as « Avez-vous des remarques ? ».
_COMMENTS = frozenset({
    "commentaire", "commentaires", "remarque", "remarques", "observation", "observations",
    "comment", "comments", "remark", "remarks",
})
# A yes/no question in French puts its pronoun after the verb (« Entendez-vous »,
# « est-il », « comprend-t-elle », even « comprend t’elle »), or opens with « Est-ce
# que »; in English it opens with an auxiliary.
_INVERSION = re.compile(
    r"\w[-‐‑–](?:t[-‐‑–']\s?)?(?:vous|nous|il|elle|ils|elles|on|je|tu)\b|\bt'(?:il|elle)s?\b"
    r"|^est[-‐‑–]ce qu"
)
_AUXILIARIES = frozenset({
    "do", "does", "did", "will", "would", "are", "is", "was", "were", "have", "has", "had",
    "can", "could", "should", "shall", "may", "must",
})
# « Si oui, lesquels ? », « If so, which? »: a follow-up, not the question's own kind.
_FOLLOW_UP = re.compile(r"\b(?:si oui|si non|si c'est le cas|if so|if yes|if not)\b")
_CLAUSE = re.compile(r"[:;,–—(]|\s-\s")
_WORD = re.compile(r"[^\W\d_]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'", "´": "'"})


def question_kind(text: str) -> QuestionKind:
    """Closed (a yes/no question) or open, from the question's wording.

    Its first question sentence decides, without a « Si oui, … » follow-up: an
    interrogative word opening it or one of its clauses (« Quelle place… ? », « Concernant
    les jumelages, comment… ? », « To what extent…? ») or a request (« Décrivez… »)
    makes it open; a yes/no question (« Entendez-vous… ? », « Votre parti soutient-il… ? »,
    « Do you… ? ») closed; a heading without « ? » (« Votre stratégie européenne »,
    « Autres commentaires ») open, and so is a call for comments (« Any further
    comments? »). Staff correct the result in the questionnaire file.
    """
    folded = text.casefold().translate(_APOSTROPHES).replace("\u00a0", " ").strip()
    first = re.split(r"(?<=\?)", folded, maxsplit=1)[0]
    asks = first.rstrip().endswith("?")
    if not asks:
        first = re.split(r"(?<=[.!:])\s", folded, maxsplit=1)[0]
    first = _FOLLOW_UP.split(first, maxsplit=1)[0]
    words = _WORD.findall(first)
    if (words and words[0] in _REQUESTS) or not _COMMENTS.isdisjoint(words):
        return QuestionKind.OPEN
    for clause in _CLAUSE.split(first):
        clause_words = _WORD.findall(clause)
        while clause_words and clause_words[0] in _PREPOSITIONS:
            clause_words = clause_words[1:]
        if clause_words and clause_words[0] in _INTERROGATIVES:
            return QuestionKind.OPEN
    if _INVERSION.search(first) or (words and words[0] in _AUXILIARIES):
        return QuestionKind.CLOSED
    return QuestionKind.CLOSED if asks else QuestionKind.OPEN



class FormQuestion(Question):
    """A question with what the form prints around it (all template text, never an answer).

    Only `id` and `text` go to the JSON export (`QuestionnaireRef` holds plain `Question`s).
    """

    section: str = ""  # the section heading printed just before this question
    subpoints: tuple[str, ...] = ()  # "a) …", "b) …": part of the question; the answer follows
    notes: tuple[str, ...] = ()  # explanatory notes printed under the question
    # Lines the respondent edits or keeps ("Oui / Non (rayez la mention inutile)",
    # "Précisions :"): untouched, they are template; what is left of them is answer.
    instructions: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _kind_from_wording(cls, data: object) -> object:
        # A file (or a derivation) that does not say reads the kind from the question.
        if isinstance(data, dict) and "kind" not in data and isinstance(data.get("text"), str):
            return {**data, "kind": question_kind(data["text"])}
        return data

    @property
    def full_text(self) -> str:
        """The question as staff read it: its sentence, then its sub-points."""
        return "\n".join((self.text, *self.subpoints))


class Questionnaire(BaseModel):
    """The blank questionnaire: every paragraph the respondents received."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = Field(default=1, ge=1)
    id: str = Field(min_length=1)
    owner: tuple[str, ...] = ()
    title: str
    intro: tuple[str, ...] = ()
    lead_in: str = ""
    # Identification fields printed above the questions ("Organisation : ____", "Date :"):
    # what a reply types there says who answered and when, never an answer.
    fields: tuple[str, ...] = ()
    questions: tuple[FormQuestion, ...] = Field(min_length=1, max_length=MAX_QUESTIONS)
    closing: tuple[str, ...] = ()
    contact: tuple[str, ...] = ()

    @field_validator("format_version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version > FORMAT_VERSION:
            raise ValueError(
                f"version {version} inconnue de cet outil (il lit les versions 1 à "
                f"{FORMAT_VERSION}) : mettez cuf-extract à jour"
            )
        return version

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: tuple[FormQuestion, ...]) -> tuple[FormQuestion, ...]:
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            raise ValueError("les identifiants des questions doivent être uniques")
        return questions

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def ref(self) -> QuestionnaireRef:
        return QuestionnaireRef(
            id=self.id,
            questions=tuple(Question(id=q.id, text=q.full_text, kind=q.kind)
                            for q in self.questions),
        )

    def form_lines(self) -> tuple[str, ...]:
        """The lines printed among the questions: section headings, sub-points, notes and
        instructions. Template text wherever they stand, never an answer."""
        return tuple(
            line
            for q in self.questions
            for line in ((q.section,) if q.section else ()) + q.subpoints + q.notes
            + q.instructions
        )

    def template_paragraphs(self) -> tuple[str, ...]:
        """Every paragraph of the blank form that is not a question."""
        title_lines = tuple(line for line in self.title.split("\n") if line.strip())
        lead = (self.lead_in,) if self.lead_in else ()
        return (self.title, *title_lines, *self.intro, *self.fields, *lead,
                *self.form_lines(), *self.closing, *self.contact)


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Load the bundled questionnaire, or the TOML file at `path`."""
    try:
        if path is None:
            text = (
                resources.files("cuf_extract").joinpath("data").joinpath(DEFAULT_QUESTIONNAIRE)
                .read_text(encoding="utf-8")
            )
            source = DEFAULT_QUESTIONNAIRE
        else:
            text = path.read_text(encoding="utf-8")
            source = str(path)
    except OSError as exc:
        raise QuestionnaireError(
            f"Impossible de lire le questionnaire {path} : {exc.strerror}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            f"Le questionnaire {path} n’est pas un texte UTF-8 : enregistrez-le en UTF-8."
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(
            f"Le questionnaire {source} n’est pas un TOML valide ({toml_error(exc)}) : "
            "corrigez cette ligne dans un éditeur de texte (Bloc-notes, TextEdit), ou donnez "
            "le formulaire Word à la place (--questionnaire FORMULAIRE.docx)."
        ) from exc
    return parse_questionnaire(data, text, source)


# tomllib's messages, in French (the most common first); others are « erreur de syntaxe ».
_TOML_ERRORS = (
    ("Illegal character", "caractère interdit : une chaîne de caractères non fermée ?"),
    ("Unterminated string", "chaîne de caractères non fermée (il manque un guillemet)"),
    ("Expected '=' after a key", "il manque « = » après le nom du champ"),
    ("Invalid value", "valeur invalide (un texte doit être entre guillemets)"),
    ("Cannot declare", "section ou champ déclaré deux fois"),
    ("Cannot overwrite a value", "champ déclaré deux fois"),
    ("Invalid statement", "ligne incompréhensible"),
    ("Expected newline or end of document", "texte en trop après la valeur"),
)


def toml_error(exc: Exception) -> str:
    """« ligne 1, colonne 8 : caractère interdit … » for a tomllib error."""
    text = str(exc)
    where = re.search(r"at line (\d+), column (\d+)", text)
    at = f"ligne {where.group(1)}, colonne {where.group(2)}" if where else "position inconnue"
    what = next((french for english, french in _TOML_ERRORS if text.startswith(english)),
                "erreur de syntaxe")
    return f"{at} : {what}"


def parse_questionnaire(data: object, text: str, source: str) -> Questionnaire:
    """Validate TOML data; errors in French, each naming the line of `text` it is about."""
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(_french_error(err, text) for err in exc.errors())
        raise QuestionnaireError(
            f"Le questionnaire {source} est incomplet ou mal formé : {details}."
        ) from exc


_ERROR_MESSAGES = {
    "missing": "clé obligatoire absente",
    "extra_forbidden": "clé inconnue (voir docs/questionnaire-format.md)",
    "string_type": "doit être un texte entre guillemets",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "tuple_type": "doit être une liste [ … ]",
    "model_type": "doit être une table",
    "model_attributes_type": "doit être une table",
    "string_too_short": "ne doit pas être vide",
    "greater_than_equal": "doit valoir au moins 1",
}


def _french_error(err: object, text: str) -> str:
    assert isinstance(err, dict)
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind = str(err["type"])
    if kind == "value_error":
        message = str(err.get("ctx", {}).get("error", err["msg"]))
    elif kind == "too_short":
        message = "il en faut au moins une"
    elif kind == "too_long":
        message = f"{MAX_QUESTIONS} au plus"
    elif kind == "enum":  # `kind`: the values staff may type, as they are written
        expected = " ou ".join(f"« {k.value} »" for k in QuestionKind)
        message = f"doit valoir {expected}"
    else:
        message = _ERROR_MESSAGES.get(kind, str(err["msg"]))
    key = ".".join(str(p + 1) if isinstance(p, int) else p for p in loc) or "fichier"
    line = line_of(text, loc, missing=kind == "missing")
    where = f"ligne {line}, " if line else ""
    return f"{where}« {key} » : {message}"


_TABLE = re.compile(r"^\s*\[")


def line_of(text: str, loc: Sequence[str | int], *, missing: bool = False) -> int | None:
    """The 1-based line of `text` that the pydantic location `loc` is about: the key's
    line, or the line of its table when the key is missing; None if not found."""
    lines = text.splitlines()
    start, end = 0, next((i for i, line in enumerate(lines) if _TABLE.match(line)), len(lines))
    table_line: int | None = None
    parts = list(loc)
    if len(parts) >= 2 and isinstance(parts[0], str) and isinstance(parts[1], int):
        header = re.compile(rf"^\s*\[\[\s*{re.escape(parts[0])}\s*\]\]")
        tables = [i for i, line in enumerate(lines) if header.match(line)]
        if parts[1] < len(tables):
            start = tables[parts[1]]
            table_line = start + 1
            end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])),
                       len(lines))
            parts = parts[2:]
        else:
            parts = parts[:1]
    if not parts:
        return table_line
    key = re.compile(rf"^\s*{re.escape(str(parts[0]))}\s*=")
    found = next((i + 1 for i in range(start, end) if key.match(lines[i])), None)
    if found is None and missing:
        return table_line
    return found or table_line


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX for controls).
    return json.dumps(value, ensure_ascii=False)


def _toml_list(name: str, values: Sequence[str]) -> list[str]:
    if not values:
        return []
    return [f"{name} = [", *(f"  {_toml_string(v)}," for v in values), "]"]


def dump_questionnaire(
    questionnaire: Questionnaire, *, comment: str = "",
    question_comments: dict[str, str] | None = None,
) -> str:
    """The questionnaire as a TOML file in the documented format (loads back equal);
    `question_comments[id]` is written as a comment above that question."""
    q = questionnaire
    out = [f"# {line}" for line in comment.splitlines()]
    out += ["# Format : voir docs/questionnaire-format.md.",
            "# kind = « fermée » : on y répond par oui ou non, l’outil propose une position ;",
            "# « ouverte » : pas de position automatique. Lu dans la formulation de la "
            "question : corrigez-le si besoin.",
            f"format_version = {FORMAT_VERSION}",
            f"id = {_toml_string(q.id)}"]
    if q.owner:
        out.append(f"owner = [{', '.join(_toml_string(o) for o in q.owner)}]")
    out.append(f"title = {_toml_string(q.title)}")
    out += _toml_list("intro", q.intro)
    out += _toml_list("fields", q.fields)
    if q.lead_in:
        out.append(f"lead_in = {_toml_string(q.lead_in)}")
    out += _toml_list("closing", q.closing)
    out += _toml_list("contact", q.contact)
    for question in q.questions:
        out.append("")
        if question_comments and question.id in question_comments:
            out += [f"# {line}" for line in question_comments[question.id].splitlines()]
        out += ["[[questions]]", f"id = {_toml_string(question.id)}",
                f"text = {_toml_string(question.text)}",
                f"kind = {_toml_string(question.kind.value)}"]
        if question.section:
            out.append(f"section = {_toml_string(question.section)}")
        out += _toml_list("subpoints", question.subpoints)
        out += _toml_list("notes", question.notes)
        out += _toml_list("instructions", question.instructions)
    return "\n".join(out) + "\n"
