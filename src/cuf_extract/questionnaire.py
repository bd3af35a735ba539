"""The questionnaire as data: the bundled 2020 campaign, or any TOML file of the same format."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cuf_extract.models import Question, QuestionnaireRef

DEFAULT_QUESTIONNAIRE = "cuf-aict-2020.toml"


class QuestionnaireError(Exception):
    """The questionnaire file cannot be used; the message says why, in French."""


class Questionnaire(BaseModel):
    """The blank questionnaire: every paragraph the respondents received."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    owner: tuple[str, ...] = ()
    title: str
    intro: tuple[str, ...] = ()
    lead_in: str = ""
    questions: tuple[Question, ...] = Field(min_length=1)
    closing: tuple[str, ...] = ()
    contact: tuple[str, ...] = ()

    @field_validator("questions")
    @classmethod
    def _unique_ids(cls, questions: tuple[Question, ...]) -> tuple[Question, ...]:
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            raise ValueError("les identifiants des questions doivent être uniques")
        return questions

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def ref(self) -> QuestionnaireRef:
        return QuestionnaireRef(id=self.id, questions=self.questions)

    def template_paragraphs(self) -> tuple[str, ...]:
        """Every paragraph of the blank form that is not a question."""
        title_lines = tuple(line for line in self.title.split("\n") if line.strip())
        lead = (self.lead_in,) if self.lead_in else ()
        return (self.title, *title_lines, *self.intro, *lead, *self.closing, *self.contact)


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
            f"Impossible de lire le questionnaire {path} : {exc.strerror}."
        ) from exc
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            f"Le questionnaire {path} n'est pas un texte UTF-8 : enregistrez-le en UTF-8."
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(
            f"Le questionnaire {source} n'est pas un TOML valide : {exc}."
        ) from exc
    try:
        return Questionnaire.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])} : {err['msg']}" for err in exc.errors()
        )
        raise QuestionnaireError(
            f"Le questionnaire {source} est incomplet ou mal formé ({details})."
        ) from exc
