"""`cuf-extract questionnaire`: derive the questionnaire of a blank form, write its TOML,
and describe what was found as a table staff can check (the CLI prints it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cuf_extract.derive import LIKELY, SURE, Derived, Part, derive_from_file

if TYPE_CHECKING:
    from rich.table import Table

PART_LABELS = {
    "title": "Titre",
    "intro": "Introduction",
    "field": "Champ d’identification",
    "lead_in": "Phrase d’introduction des questions",
    "section": "Intertitre",
    "question": "Question",
    "subpoint": "Sous-point",
    "note": "Note",
    "instruction": "Consigne",
    "closing": "Clôture",
    "contact": "Contact",
}
EXCERPT = 110


@dataclass(frozen=True, slots=True)
class QuestionnaireMade:
    derived: Derived
    written: Path  # the TOML file actually written
    backups: tuple[Path, ...]  # the previous TOML file, copied before being replaced

    @property
    def unsure(self) -> tuple[str, ...]:
        """Questions found with little certainty: staff should check them first."""
        return tuple(qid for qid, score in self.derived.confidence.items() if score < SURE)


def make_questionnaire(form: Path, output: Path | None) -> QuestionnaireMade:
    """Derive `form`'s questionnaire and write it as TOML to `output` (default: beside
    the form, same name, .toml); a previous file is backed up first. Raises
    `QuestionnaireError` (French) when the form gives no questionnaire, `OutputError`
    when the file cannot be written."""
    from cuf_extract.campaign import backup_outputs
    from cuf_extract.questionnaire import dump_questionnaire, load_questionnaire
    from cuf_extract.writers.atomic import OutputError, atomic_write

    derived = derive_from_file(form)
    target = output or form.with_suffix(".toml")
    reasons = {p.question: ", ".join(p.reasons) for p in derived.parts
               if p.kind == "question" and p.question}
    text = dump_questionnaire(
        derived.questionnaire,
        comment=f"Questionnaire tiré du formulaire « {form.name} » par cuf-extract.\n"
        "Vérifiez-le ; corrigez au besoin les textes ci-dessous (pas les « id » des "
        "questions en cours de campagne).",
        question_comments={
            qid: f"Certitude : {certainty(score)}" + (f" ({reasons[qid]})" if reasons.get(qid)
                                                      else "")
            for qid, score in derived.confidence.items()
        },
    )

    def verify(path: Path) -> None:
        if load_questionnaire(path) != derived.questionnaire:
            raise OutputError(f"Le fichier {target} écrit ne se relit pas à l’identique : "
                              "signalez-le aux développeurs avec le formulaire.")

    backups = tuple(backup_outputs([target]))
    written = atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), verify)
    return QuestionnaireMade(derived=derived, written=written, backups=backups)


def certainty(score: float) -> str:
    """"sûre (95 %)" / "probable (70 %)" / "à vérifier (50 %)"."""
    word = "sûre" if score >= SURE else "probable" if score >= LIKELY else "à vérifier"
    return f"{word} ({round(score * 100)} %)"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def outline_table(derived: Derived, *, title: str) -> Table:
    """The parts of the form in order, each question with its certainty and why."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    # The text gets most of a narrow terminal; the certainty folds rather than squeeze it.
    table.add_column("Partie", no_wrap=True, max_width=22)
    table.add_column("Texte", overflow="fold", ratio=3, min_width=20)
    table.add_column("Certitude", overflow="fold", ratio=1)
    for part in derived.parts:
        table.add_row(*_row(part), style="bold" if part.kind == "question" else None)
    return table


def _row(part: Part) -> tuple[str, str, str]:
    label = PART_LABELS[part.kind]
    if part.kind == "question" and part.question:
        label = f"{part.question}"
    elif part.question:
        label = f"  {label} ({part.question})"
    sure = ""
    if part.confidence is not None:
        sure = certainty(part.confidence)
        if part.reasons:
            sure += " : " + ", ".join(part.reasons)
    return label, _excerpt(part.text), sure
