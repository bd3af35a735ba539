"""Cross-file checks on results built in code."""

from __future__ import annotations

from cuf_extract.checks import cross_file_issues
from cuf_extract.models import Answer, FileResult, RespondentSource, Status


def result(path: str, *, sha: str, answers: tuple[str | None, ...], respondent: str | None,
           date: str | None) -> FileResult:
    return FileResult(
        path=path, name=path, sha256=sha, status=Status.OK, respondent=respondent,
        answers=tuple(Answer(question=f"Q{i}", text=t) for i, t in enumerate(answers, 1)),
        respondent_source=RespondentSource.HEADER if respondent else None, document_date=date,
    )


def codes(r: FileResult) -> list[str]:
    return [i.code.value for i in r.issues]


def test_identical_bytes_and_identical_answers_are_duplicates() -> None:
    a = result("a.docx", sha="1", answers=("Oui",), respondent=None, date=None)
    b = result("b.docx", sha="1", answers=("Oui",), respondent=None, date=None)
    c = result("c.docx", sha="2", answers=("Oui",), respondent=None, date=None)
    d = result("d.docx", sha="3", answers=("Non",), respondent=None, date=None)
    out = {r.path: r for r in cross_file_issues([a, b, c, d])}
    assert "b.docx" in out["a.docx"].issues[0].message
    assert codes(out["c.docx"]) == ["duplicate_file"]  # same answers as a (or b)
    assert codes(out["d.docx"]) == []
    assert out["a.docx"].status is Status.WARNING
    assert out["d.docx"].status is Status.OK


def test_same_respondent_names_the_newest_file() -> None:
    old = result("v1.docx", sha="1", answers=("Oui",), respondent="Parti Exemple",
                 date="2020-02-01T09:00:00Z")
    new = result("v2.docx", sha="2", answers=("Oui, mais",), respondent="parti  exemple",
                 date="2020-02-07T09:00:00Z")
    other = result("x.docx", sha="3", answers=("Non",), respondent="Autre", date=None)
    out = {r.path: r for r in cross_file_issues([old, new, other])}
    assert codes(out["v1.docx"]) == ["same_respondent"]
    message = out["v1.docx"].issues[0].message
    assert "« v2.docx »" in message and "07/02/2020" in message
    assert codes(out["x.docx"]) == []


def test_the_newest_is_told_as_an_instant_across_time_zones() -> None:
    # Word writes UTC; a PDF writes its local time with an offset. Compared as text,
    # « 2020-02-07T10:30:00+01:00 » would sort after « 2020-02-07T10:00:00Z »; it is
    # 09:30 UTC, the earlier of the two.
    word = result("word.docx", sha="1", answers=("Oui",), respondent="Parti Exemple",
                  date="2020-02-07T10:00:00Z")
    pdf = result("pdf.pdf", sha="2", answers=("Oui, mais",), respondent="Parti Exemple",
                 date="2020-02-07T10:30:00+01:00")
    out = {r.path: r for r in cross_file_issues([pdf, word])}
    message = out["pdf.pdf"].issues[0].message
    assert "le plus récent est «\u00a0word.docx\u00a0» (07/02/2020)" in message
