"""Who has not replied yet: the list file, the matching, the « Destinataires » sheet."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.cli import EXIT_USAGE
from cuf_extract.layout import COLUMN_CORRECTED, STAFF_COLUMNS
from cuf_extract.models import (
    Campaign,
    ChangeKind,
    FileHistory,
    FileResult,
    QuestionnaireRef,
    Run,
    Status,
)
from cuf_extract.recipients import (
    Recipient,
    RecipientsError,
    RecipientState,
    SheetRecipient,
    load_recipients,
    match_organisations,
    not_replied,
    recipients_status,
    to_check,
)
from tests.conftest import answers_sheet, run_cli, type_in_sheet
from tests.fixtures.variants import BY_NAME
from tests.test_cli import REPORT, RESPONSES

LIST = (
    Recipient(name="Parti socialiste"),
    Recipient(name="Mouvement socialiste"),  # « socialiste » alone would fit both
    Recipient(name="Europe Écologie Les Verts", aliases=("EELV", "Les Écologistes")),
    Recipient(name="La France insoumise"),
    Recipient(name="Les Républicains"),
    Recipient(name="Mouvement démocrate"),
    Recipient(name="Rassemblement national"),
    Recipient(name="UDI"),
    Recipient(name="Groupe d'action municipale"),
)

# (reply's organisation, the listed organisation it certainly is, those it might be)
MATCHES = [
    ("Parti socialiste", "Parti socialiste", ()),
    ("PARTI SOCIALISTE", "Parti socialiste", ()),
    ("parti  socialiste.", "Parti socialiste", ()),
    ("Le Parti socialiste", "Parti socialiste", ()),
    ("Mouvement socialiste", "Mouvement socialiste", ()),
    # Stripping « parti » / « mouvement » makes these two collide: not stripped for them.
    ("Socialiste", None, ("Parti socialiste", "Mouvement socialiste")),
    ("France insoumise", "La France insoumise", ()),
    ("LA FRANCE INSOUMISE", "La France insoumise", ()),
    ("Républicains", "Les Républicains", ()),
    ("Les Republicains", "Les Républicains", ()),
    ("L'Europe écologie les verts", "Europe Écologie Les Verts", ()),
    ("EELV", "Europe Écologie Les Verts", ()),  # a declared alias
    ("les ecologistes", "Europe Écologie Les Verts", ()),
    ("Démocrate", "Mouvement démocrate", ()),
    ("Le Mouvement Démocrate", "Mouvement démocrate", ()),
    ("Parti démocrate", "Mouvement démocrate", ()),
    ("Action municipale", "Groupe d'action municipale", ()),
    ("Rassemblement National !", "Rassemblement national", ()),
    # Uncertain: an acronym nobody declared, a near spelling, a name fitting two.
    ("PS", None, ("Parti socialiste",)),
    ("LFI", None, ("La France insoumise",)),
    ("R.N.", None, ("Rassemblement national",)),
    ("Union des démocrates et indépendants", None, ("UDI",)),
    ("Républicain", None, ("Les Républicains",)),
    ("Rassemblement nationale", None, ("Rassemblement national",)),
    # Not on the list at all.
    ("Parti pirate", None, ()),
    ("Union des Territoires Solidaires", None, ()),
    ("Parti", None, ()),
    (None, None, ()),
    ("", None, ()),
]


@pytest.mark.parametrize(("organisation", "certain", "uncertain"), MATCHES)
def test_matching(organisation: str | None, certain: str | None,
                  uncertain: tuple[str, ...]) -> None:
    match = match_organisations(LIST, [organisation])[0]
    assert (LIST[match.certain].name if match.certain is not None else None) == certain
    assert tuple(LIST[i].name for i in match.uncertain) == tuple(
        sorted(uncertain, key=[r.name for r in LIST].index)
    )
    assert bool(match.reason) == bool(uncertain)


def test_an_alias_shared_by_two_organisations_is_uncertain() -> None:
    recipients = [Recipient(name="Les Verts", aliases=("Écolos",)),
                  Recipient(name="Génération écologie", aliases=("Écolos",))]
    match = match_organisations(recipients, ["ecolos"])[0]
    assert match.certain is None and match.uncertain == (0, 1)
    assert "plusieurs" in match.reason


def test_not_replied_leaves_out_certain_and_uncertain_replies() -> None:
    replies = ["PS", "Les Écologistes", "Parti pirate", None]
    assert not_replied(LIST, replies) == [
        "Mouvement socialiste", "La France insoumise", "Les Républicains",
        "Mouvement démocrate", "Rassemblement national", "UDI", "Groupe d'action municipale",
    ]
    assert to_check(LIST, replies) == ["Parti socialiste"]
    assert not_replied(LIST, []) == [r.name for r in LIST]


def _reply(path: str, respondent: str | None, status: Status = Status.OK) -> FileResult:
    return FileResult(path=path, name=Path(path).name, sha256=None, status=status,
                      respondent=respondent, answers=())


def test_status_counts_corrections_errors_and_keeps_staff_cells() -> None:
    run = Run(
        questionnaire=QuestionnaireRef(id="test", questions=()),
        files=(
            _reply("a.docx", "Parti soc."),  # corrected by the staff below
            _reply("b.docx", "Les Écologistes", Status.ERROR),  # unreadable, but it replied
            _reply("~$b.docx", "La France insoumise", Status.SKIPPED),  # Word's owner file
            _reply("c.docx", None),
        ),
    )
    campaign = Campaign(staff_columns=STAFF_COLUMNS, history={
        "a.docx": FileHistory(change=ChangeKind.UNCHANGED,
                              staff=((COLUMN_CORRECTED, " Parti  socialiste "),)),
    })
    previous = (
        SheetRecipient(name="Les Republicains", relance="relancé"),  # re-spelled since
        SheetRecipient(name="EELV", relance=datetime(2020, 2, 3)),  # now an alias
        SheetRecipient(name="Parti X", state="sans réponse",
                       extra=(("Contact", "M. Petit"),)),  # left the list
        SheetRecipient(name="Parti Y", relance=None),  # nothing typed: forgotten
    )
    status = recipients_status(run, campaign, LIST[:5], previous=previous, source="l.txt")
    assert [(r.recipient.name, r.state, r.replies, r.relance, r.extra) for r in status.rows] == [
        ("Parti socialiste", RecipientState.REPLIED, ("a.docx",), None, ()),
        ("Mouvement socialiste", RecipientState.NOT_REPLIED, (), None, ()),
        ("Europe Écologie Les Verts", RecipientState.REPLIED, ("b.docx",),
         datetime(2020, 2, 3), ()),
        ("La France insoumise", RecipientState.NOT_REPLIED, (), None, ()),
        ("Les Républicains", RecipientState.NOT_REPLIED, (), "relancé", ()),
        ("Parti X", RecipientState.REMOVED, (), None, (("Contact", "M. Petit"),)),
    ]
    assert status.not_replied == ["Mouvement socialiste", "La France insoumise",
                                  "Les Républicains"]
    assert [(u.path, u.organisation) for u in status.unlisted] == [("c.docx", None)]
    assert status.extra_columns == ("Contact",)


# --------------------------------------------------------------------------- files


def test_text_list_with_comments_aliases_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "destinataires.txt"
    path.write_text(
        "\ufeff# Campagne 2020\n\nParti socialiste\n  Europe Écologie Les Verts | EELV |"
        " Les Écologistes  \n# retiré : Parti X\nLa France insoumise\n\n"
        "parti socialiste | PS\n",  # the same organisation twice: merged
        encoding="utf-8",
    )
    assert load_recipients(path) == (
        Recipient(name="Parti socialiste", aliases=("PS",)),
        Recipient(name="Europe Écologie Les Verts", aliases=("EELV", "Les Écologistes")),
        Recipient(name="La France insoumise"),
    )


def test_text_list_saved_as_unicode_by_notepad(tmp_path: Path) -> None:
    path = tmp_path / "destinataires.txt"
    path.write_bytes("Les Républicains | LR\r\n|\r\nLa France insoumise\r\n".encode("utf-16"))
    assert load_recipients(path) == (
        Recipient(name="Les Républicains", aliases=("LR",)),
        Recipient(name="La France insoumise"),
    )


def test_csv_with_semicolons_bom_header_and_alias_column(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(
        "Organisation;Sigle;Courriel\r\n"
        "Europe Écologie Les Verts;EELV;contact@eelv.fr\r\n"
        "\"Parti communiste français; PCF\";;\r\n"
        ";;\r\n"
        "Les Républicains;LR | UMP | Républicains;lr@example.org\r\n".encode("utf-8-sig")
    )
    assert load_recipients(path) == (
        # The « Courriel » column gives the address a reply by e-mail comes from.
        Recipient(name="Europe Écologie Les Verts", aliases=("EELV",),
                  addresses=("contact@eelv.fr",)),
        Recipient(name="Parti communiste français; PCF"),
        # « Républicains » is the name itself once the article is dropped: not an alias.
        Recipient(name="Les Républicains", aliases=("LR", "UMP"), addresses=("lr@example.org",)),
    )


def test_csv_with_commas_and_no_header(tmp_path: Path) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Parti socialiste,PS\nLa France insoumise,LFI,contact@lfi.fr\n"
                    "Rassemblement national\n", encoding="utf-8")
    # Without a header, the other cells are aliases, or addresses, except what is not a name.
    assert load_recipients(path) == (
        Recipient(name="Parti socialiste", aliases=("PS",)),
        Recipient(name="La France insoumise", aliases=("LFI",), addresses=("contact@lfi.fr",)),
        Recipient(name="Rassemblement national"),
    )


def test_xlsx_first_column_of_the_first_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Organisation", "Contact", "Autres noms"])
    sheet.append(["Parti socialiste", "Claire Lefèvre", "PS"])
    sheet.append([None, None, None])
    sheet.append(["Les Républicains", "Jean Martin", None])
    workbook.create_sheet("Brouillon").append(["Pas une organisation"])
    path = tmp_path / "liste.xlsx"
    workbook.save(path)
    assert load_recipients(path) == (
        Recipient(name="Parti socialiste", aliases=("PS",)),
        Recipient(name="Les Républicains"),
    )

    no_header = openpyxl.Workbook()
    sheet = no_header.active
    assert sheet is not None
    sheet.append(["Parti socialiste"])
    sheet.append(["Mouvement démocrate", "MoDem"])
    no_header.save(path)
    assert load_recipients(path) == (
        Recipient(name="Parti socialiste"),
        Recipient(name="Mouvement démocrate", aliases=("MoDem",)),
    )


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("absente.txt", None, "n’existe pas"),
    ("vide.txt", b"# rien\n\n   \n", "ne contient aucune organisation"),
    ("latin1.txt", "Parti socialiste\nLes Républicains\n".encode("cp1252"), "UTF-8"),
    ("liste.csv", "Organisation\nRépublicains\n".encode("cp1252"), "CSV UTF-8"),
    ("liste.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "enregistrez-la en .xlsx"),
    ("liste.txt", b"PK\x03\x04" + bytes(100), "ni un fichier texte"),
    ("liste.xlsx", b"pas un classeur", "classeur Excel"),
    ("binaire.txt", b"Parti\x00socialiste", "pas un fichier texte"),
])
def test_unusable_lists_say_what_to_do(tmp_path: Path, name: str, content: bytes | None,
                                       expected: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecipientsError, match=expected) as error:
        load_recipients(path)
    assert name in str(error.value)


def test_the_corrected_organisation_column_is_a_staff_column() -> None:
    assert COLUMN_CORRECTED in STAFF_COLUMNS


# --------------------------------------------------------------------------- CLI

REPLIES = {  # file name (the organisation is read from it) -> variant
    "Parti socialiste.docx": "answers_below_bullet",
    "EELV.docx": "track_changes",
    "Republicain.docx": "two_column_qa_table",
    # Its organisation comes from its header: Union des Territoires Solidaires.
    "lettre.docx": "letterhead_signature_header",
}
DESTINATAIRES = (
    "# Municipales 2020\n"
    "Parti socialiste\n"
    "Europe Écologie Les Verts | EELV\n"
    "Les Républicains\n"
    "La France insoumise\n"
    "Rassemblement national\n"
)


@pytest.fixture
def campaign_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    for name, variant in REPLIES.items():
        (folder / name).write_bytes(BY_NAME[variant].build())
    (tmp_path / "destinataires.txt").write_text(DESTINATAIRES, encoding="utf-8")
    return tmp_path


def recipients_sheet(path: Path) -> tuple[list[dict[str, object]], list[tuple[object, ...]]]:
    """The listed organisations (by column title), and the rows of the part below."""
    sheet = openpyxl.load_workbook(path)["Destinataires"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0] if h is not None]
    listed: list[dict[str, object]] = []
    for index, row in enumerate(rows[1:], start=1):
        if row[0] is None:
            return listed, [r for r in rows[index + 1:] if any(v is not None for v in r)]
        listed.append(dict(zip(header, row, strict=False)))
    return listed, []


def type_in(path: Path, sheet_name: str, key_column: str, key: str,
            values: dict[str, object]) -> None:
    """Type values on the row whose `key_column` is `key`, as staff would in Excel."""
    type_in_sheet(path, sheet_name, {key: values}, key_column=key_column)


def test_destinataires_sheet_report_and_console(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_cli("replies", "--destinataires", "destinataires.txt", cwd=campaign_folder,
                        monkeypatch=monkeypatch, capsys=capsys)
    listed, below = recipients_sheet(campaign_folder / RESPONSES)
    assert [(r["Organisation sollicitée"], r["Statut"], r["Réponse(s)"]) for r in listed] == [
        ("Parti socialiste", "a répondu", "replies/Parti socialiste.docx"),
        ("Europe Écologie Les Verts", "a répondu", "replies/EELV.docx"),
        ("Les Républicains", "à vérifier", None),
        ("La France insoumise", "sans réponse", None),
        ("Rassemblement national", "sans réponse", None),
    ]
    assert listed[1]["Autres noms"] == "EELV"
    assert "replies/Republicain.docx" in str(listed[2]["À vérifier"])
    assert below[0][0] == "Réponses d’organisations absentes de la liste"
    unlisted = {row[0]: row[1:3] for row in below[2:]}
    assert unlisted == {
        "Republicain": ("replies/Republicain.docx",
                        "« Les Républicains » (nom proche mais pas identique) : à vérifier"),
        "Union des Territoires Solidaires": ("replies/lettre.docx", None),
    }

    assert "Sans réponse à ce jour : 2 organisations (sur 5 sollicitées)" in out
    assert "1 à vérifier" in out

    report = (campaign_folder / REPORT).read_text(encoding="utf-8")
    top = report.index("Sans réponse à ce jour : 2 organisations")
    # Below the top box, which says what to do first (the reminders among it).
    assert report.index('<section id="synthese"') < top
    assert "Relancer 2\u00a0organisations sans réponse" in report[:top]
    section = report[top:report.index("</section>", top)]
    assert "La France insoumise" in section and "Rassemblement national" in section
    assert "Parti socialiste" not in section
    assert "À vérifier (1)" in section and "Les Républicains" in section


def test_relance_and_staff_columns_survive_reruns(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(*extra: str) -> str:
        _, out, _ = run_cli("replies", *extra, cwd=campaign_folder,
                            monkeypatch=monkeypatch, capsys=capsys)
        return out

    workbook = campaign_folder / RESPONSES
    run("--destinataires", "destinataires.txt")
    type_in(workbook, "Destinataires", "Organisation sollicitée", "La France insoumise",
            {"Relance": datetime(2020, 2, 12), "Contact": "Mme Durand"})
    type_in(workbook, "Destinataires", "Organisation sollicitée", "Rassemblement national",
            {"Relance": "courriel envoyé, relancer par téléphone"})

    # Staff settle the uncertain reply: it is Les Républicains.
    type_in(workbook, "Réponses", "Fichier", "replies/Republicain.docx",
            {"Organisation (corrigée)": "Les Républicains"})
    out = run("--destinataires", "destinataires.txt")
    listed, _ = recipients_sheet(workbook)
    by_name = {r["Organisation sollicitée"]: r for r in listed}
    assert by_name["La France insoumise"]["Relance"] == datetime(2020, 2, 12)
    assert by_name["La France insoumise"]["Contact"] == "Mme Durand"
    assert by_name["Rassemblement national"]["Relance"] == (
        "courriel envoyé, relancer par téléphone")
    assert by_name["Les Républicains"]["Statut"] == "a répondu"
    assert by_name["Les Républicains"]["Réponse(s)"] == "replies/Republicain.docx"
    assert "Sans réponse à ce jour : 2 organisations" in out
    assert "à vérifier" not in out.split("Sans réponse")[1].split("\n")[0]
    sheet = openpyxl.load_workbook(workbook)["Destinataires"]
    relance_cell = next(r for r in sheet.iter_rows(min_row=2)
                        if r[0].value == "La France insoumise")[5]
    assert relance_cell.is_date and relance_cell.number_format == "DD/MM/YYYY"

    # Without the option, the sheet's own list is reused and the cells kept.
    out = run()
    listed, _ = recipients_sheet(workbook)
    assert [r["Organisation sollicitée"] for r in listed] == [
        "Parti socialiste", "Europe Écologie Les Verts", "Les Républicains",
        "La France insoumise", "Rassemblement national",
    ]
    assert {r["Organisation sollicitée"]: r["Relance"] for r in listed}[
        "La France insoumise"] == datetime(2020, 2, 12)
    assert "Sans réponse à ce jour : 2 organisations" in out
    report = (campaign_folder / REPORT).read_text(encoding="utf-8")
    assert "du tableur précédent" in report
    assert "relance\u00a0: 12/02/2020" in report

    # An organisation leaves the list: what the staff typed on its row stays.
    (campaign_folder / "destinataires.txt").write_text(
        DESTINATAIRES.replace("Rassemblement national\n", ""), encoding="utf-8")
    out = run("--destinataires", "destinataires.txt")
    listed, _ = recipients_sheet(workbook)
    last = listed[-1]
    assert (last["Organisation sollicitée"], last["Statut"], last["Relance"]) == (
        "Rassemblement national", "retirée de la liste",
        "courriel envoyé, relancer par téléphone")
    assert "Sans réponse à ce jour : 1 organisation (sur 4 sollicitées)" in out


def test_a_late_reply_moves_its_organisation_to_replied(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli("replies", "--destinataires", "destinataires.txt", cwd=campaign_folder,
            monkeypatch=monkeypatch, capsys=capsys)
    type_in(campaign_folder / RESPONSES, "Destinataires", "Organisation sollicitée",
            "La France insoumise", {"Relance": "relancée le 10/02"})
    (campaign_folder / "replies" / "La France Insoumise - réponse.docx").write_bytes(
        BY_NAME["answer_on_question_line"].build())
    _, out, _ = run_cli("replies", "--destinataires", "destinataires.txt",
                        cwd=campaign_folder, monkeypatch=monkeypatch, capsys=capsys)
    by_name = {r["Organisation sollicitée"]: r
               for r in recipients_sheet(campaign_folder / RESPONSES)[0]}
    assert by_name["La France insoumise"]["Statut"] == "a répondu"
    assert by_name["La France insoumise"]["Relance"] == "relancée le 10/02"
    assert "Sans réponse à ce jour : 1 organisation (sur 5 sollicitées)" in out
    rows = answers_sheet(campaign_folder / RESPONSES)
    assert len(rows) == len(REPLIES) + 1


def test_an_unusable_list_stops_before_reading_anything(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli("replies", "--destinataires", "absente.txt", cwd=campaign_folder,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == EXIT_USAGE
    assert "Erreur : la liste des destinataires « absente.txt » n’existe pas" in err
    assert not (campaign_folder / RESPONSES).exists()


def test_without_a_list_there_is_no_destinataires_sheet(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_cli("replies", cwd=campaign_folder, monkeypatch=monkeypatch, capsys=capsys)
    assert "Destinataires" not in openpyxl.load_workbook(campaign_folder / RESPONSES).sheetnames
    assert "Sans réponse à ce jour" not in out
    assert "Sans réponse à ce jour" not in (campaign_folder / REPORT).read_text(encoding="utf-8")


def test_the_bundled_example_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    _, out, _ = run_cli(str(examples / "replies"), "--destinataires",
                        str(examples / "destinataires.txt"), cwd=tmp_path,
                        monkeypatch=monkeypatch, capsys=capsys)
    listed, below = recipients_sheet(tmp_path / RESPONSES)
    assert [(r["Organisation sollicitée"], r["Statut"]) for r in listed] == [
        ("Union des Territoires Solidaires", "a répondu"),
        ("Mouvement citoyen européen", "a répondu"),
        ("Parti des communes rurales", "a répondu"),  # « PARTI DES COMMUNES RURALES »
        ("Alliance écologie & territoires", "a répondu"),  # « … écologie et territoires »
        ("Fédération des progressistes", "à vérifier"),  # « FÉDÉRATION PROGRESSISTE »
        ("Rassemblement des villes ouvertes", "a répondu"),  # its reply is a PDF
        ("Rassemblement des élus de la montagne", "sans réponse"),
        ("Nouvelle Gauche municipale", "sans réponse"),
    ]
    assert [row[0] for row in below[2:]] == ["FÉDÉRATION PROGRESSISTE"]
    assert "Sans réponse à ce jour : 2 organisations (sur 8 sollicitées)" in out


@pytest.mark.parametrize("how", ["sheet deleted", "rows emptied"])
def test_staff_can_drop_the_list(
    how: str, campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_cli("replies", "--destinataires", "destinataires.txt", cwd=campaign_folder,
            monkeypatch=monkeypatch, capsys=capsys)
    workbook = openpyxl.load_workbook(campaign_folder / RESPONSES)
    if how == "sheet deleted":
        del workbook["Destinataires"]
    else:
        workbook["Destinataires"].delete_rows(2, 100)
    workbook.save(campaign_folder / RESPONSES)
    _, out, _ = run_cli("replies", cwd=campaign_folder, monkeypatch=monkeypatch,
                        capsys=capsys)
    assert "Destinataires" not in openpyxl.load_workbook(campaign_folder / RESPONSES).sheetnames
    assert "Sans réponse" not in out


def test_a_list_kept_among_the_replies_is_not_read_as_a_reply(
    campaign_folder: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (campaign_folder / "destinataires.txt").rename(campaign_folder / "replies" / "liste.txt")
    run_cli("replies", "--destinataires", "replies/liste.txt", cwd=campaign_folder,
            monkeypatch=monkeypatch, capsys=capsys)
    assert sorted(Path(str(r["Fichier"])).name
                  for r in answers_sheet(campaign_folder / RESPONSES)) == sorted(REPLIES)
    listed, _ = recipients_sheet(campaign_folder / RESPONSES)
    assert len(listed) == 5


def test_a_name_missing_a_word_of_the_listed_one_is_to_check() -> None:
    # « Parti communiste » for « Parti communiste français »: neither the same nor a
    # near spelling, yet most likely the same party; never silently « sans réponse ».
    recipients = [Recipient(name="Parti communiste français"),
                  Recipient(name="Parti socialiste")]
    match = match_organisations(recipients, ["Parti communiste"])[0]
    assert match.certain is None and match.uncertain == (0,)
    assert match.reason
    longer = match_organisations(recipients, ["Parti socialiste européen"])[0]
    assert longer.certain is None and longer.uncertain == (1,)
    # One shared word is not enough.
    assert match_organisations(recipients, ["Parti pirate"])[0].uncertain == ()
