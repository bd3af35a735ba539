"""Which organisation a reply comes from: file names, table headers, inherited properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuf_extract.models import RespondentSource
from cuf_extract.organisations import looks_like_organisation
from cuf_extract.pipeline import InputFile, extract_files
from cuf_extract.questionnaire import load_questionnaire
from cuf_extract.respondent import name_from_file_name, name_from_table_header
from tests.fixtures.builder import questionnaire_doc, text_p
from tests.fixtures.variants import QIDS


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("Reponse CUF - PS.docx", "PS"),
        ("Questionnaire_CUF_EELV_final.docx", "EELV"),
        ("CUF questionnaire LR signé.pdf", "LR"),
        ("2020-02-07 Réponse Parti radical de gauche.docx", "Parti radical de gauche"),
        ("doc-final-v2-from-odt.docx", None),
        ("scan_0003.docx", None),
        ("Réponse du MoDem.docx", "MoDem"),
        ("reponse_cuf_lfi_v3.docx", "LFI"),  # a known acronym, typed in lower case
        ("questionnaire-udi-copie.docx", "UDI"),
        ("20200207_Rassemblement_National.docx", "Rassemblement National"),
        ("Les Républicains - réponses CUF.docx", "Les Républicains"),
        ("union-des-territoires-solidaires.docx", "union des territoires solidaires"),
        ("Document1.docx", None),
        ("Copie de questionnaire final (2).docx", None),
        ("reponse signee 07.02.2020.docx", None),
        ("CUF_aict_2020_reponse.docx", None),
        ("brouillon.docx", None),
        ("a.docx", None),
        ("PCF.docx", "PCF"),
        ("00042 Réponse Parti Bari Kodu.docx", "Parti Bari Kodu"),  # a number is not a name
        ("Parti A.docx", "Parti A"),
        ("réponse du ps.docx", "PS"),
    ],
)
def test_organisation_from_file_name(file_name: str, expected: str | None) -> None:
    assert name_from_file_name(file_name) == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Question", "Réponse du Groupe Socialiste"], "Groupe Socialiste"),
        (["Questions", "Réponses de LR :"], "LR"),
        (["Question", "Réponse PCF"], "PCF"),
        (["Question", "Réponses apportées"], None),
        (["Question", "Réponse"], None),
        (["Question", "Nos réponses"], None),
        (["Q", "Réponse de la Fédération des élus"], "Fédération des élus"),
    ],
)
def test_organisation_from_table_header(cells: list[str], expected: str | None) -> None:
    assert name_from_table_header(cells) == expected


def test_organisation_like_lines() -> None:
    assert looks_like_organisation("Parti radical de gauche")
    assert looks_like_organisation("EELV")
    assert not looks_like_organisation("Pierre Martin")
    assert not looks_like_organisation("Secrétaire nationale")


def _batch(
    folder: Path, companies: dict[str, str | None], *, same_respondent: int = 0
) -> dict[str, tuple[str | None, object]]:
    for name, company in companies.items():
        answers = {q: [text_p(f"Réponse de {name} à {q}.")] for q in QIDS}
        (folder / name).write_bytes(questionnaire_doc(answers, app_company=company))
    files = [InputFile(path=p, display=p.name) for p in sorted(folder.iterdir())]
    run = extract_files(files, load_questionnaire())
    flagged = [f.name for f in run.files for i in f.issues if i.code.value == "same_respondent"]
    assert len(flagged) == same_respondent, flagged
    return {f.name: (f.respondent, f.respondent_source) for f in run.files}


def test_company_inherited_from_the_form_is_not_the_respondent(tmp_path: Path) -> None:
    # Every reply is the form re-saved: the Company is the one of the form's computer.
    got = _batch(tmp_path, {
        "Reponse CUF - PS.docx": "Mairie de Villeneuve",
        "Questionnaire_CUF_EELV_final.docx": "Mairie de Villeneuve",
        "scan_0003.docx": "Mairie de Villeneuve",
        "Réponse Parti radical de gauche.docx": "Parti radical de gauche",
    })
    assert got == {
        "Reponse CUF - PS.docx": ("PS", RespondentSource.FILE_NAME),
        "Questionnaire_CUF_EELV_final.docx": ("EELV", RespondentSource.FILE_NAME),
        "scan_0003.docx": (None, None),
        # Its own Company differs from the batch's: it is the respondent's.
        "Réponse Parti radical de gauche.docx": ("Parti radical de gauche",
                                                 RespondentSource.PROPERTIES),
    }


def test_company_shared_by_two_replies_of_many_stays(tmp_path: Path) -> None:
    companies: dict[str, str | None] = {f"Parti {n}.docx": None for n in "ABCD"}
    companies["Parti A.docx"] = companies["Parti B.docx"] = "Mairie de Villeneuve"
    got = _batch(tmp_path, companies, same_respondent=2)
    assert got["Parti C.docx"] == ("Parti C", RespondentSource.FILE_NAME)
    # Two of four is not "most replies": the property is still believed, and the two
    # replies said to come from the same organisation.
    assert got["Parti A.docx"] == ("Mairie de Villeneuve", RespondentSource.PROPERTIES)


def test_same_company_on_every_reply_gives_no_same_respondent_warning(tmp_path: Path) -> None:
    got = _batch(tmp_path, {f"Réponse {party}.docx": "CITES UNIES FRANCE SA"
                            for party in ("PS", "LR", "PCF", "UDI", "EELV")})
    assert got == {f"Réponse {party}.docx": (party, RespondentSource.FILE_NAME)
                   for party in ("PS", "LR", "PCF", "UDI", "EELV")}


def test_inherited_company_is_set_aside_for_cached_results_too(tmp_path: Path) -> None:
    from cuf_extract.cache import ResultCache

    folder = tmp_path / "replies"
    folder.mkdir()
    for party in ("PS", "LR", "PCF"):
        answers = {q: [text_p(f"Réponse de {party} à {q}.")] for q in QIDS}
        (folder / f"Réponse {party}.docx").write_bytes(
            questionnaire_doc(answers, app_company="Mairie de Villeneuve"))
    files = [InputFile(path=p, display=p.name) for p in sorted(folder.iterdir())]
    runs = []
    for _ in range(2):
        cache = ResultCache(tmp_path / "cache", questionnaire_digest="test")
        runs.append(extract_files(files, load_questionnaire(), cache=cache))
    assert cache.hits == 3
    for run in runs:
        assert sorted(f.respondent or "" for f in run.files) == ["LR", "PCF", "PS"]
        assert not any(i.code.value == "same_respondent" for f in run.files for i in f.issues)
