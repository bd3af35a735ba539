"""Saved e-mails (.eml built here with email.message.EmailMessage, real .msg and TNEF
files from public test suites) read into the documents they carry, through the
pipeline and the command."""

from __future__ import annotations

import io
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from cuf_extract.inputs import FileKind, sniff
from cuf_extract.mail.body import html_blocks, text_blocks
from cuf_extract.mail.message import MAX_NESTING, MAX_PARTS
from cuf_extract.mail.reader import read_message
from cuf_extract.mail.tnef import read_tnef
from cuf_extract.models import FileResult, IssueCode, RespondentSource, Status
from cuf_extract.pipeline import InputFile, extract_files
from cuf_extract.questionnaire import load_questionnaire
from tests.fixtures.builder import FORM
from tests.fixtures.variants import BY_NAME

EXTERNAL = Path(__file__).parent / "fixtures" / "external" / "mail"
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
REPLY = BY_NAME["answers_below_bullet"]


def message(*, sender: str = "Parti Radical <contact@parti-radical.fr>",
            subject: str = "Re: Questionnaire CUF", body: str = "Bonjour,\nCi-joint.\n",
            date: str = "Wed, 12 Feb 2020 10:03:00 +0100") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "secretariat@cites-unies-france.org"
    mail["Subject"] = subject
    mail["Date"] = date
    mail.set_content(body)
    return mail


def typed_reply(*, quoted: bool = True) -> list[str]:
    lines = ["Bonjour,", "Voici nos réponses :", ""]
    for qid, text in FORM.questions:
        lines += [text, f"Notre réponse à {qid}, tapée dans le courriel.", ""]
    lines += ["Bien cordialement,", "Union des Démocrates"]
    if quoted:
        lines += ["", "Le 12 févr. 2020 à 10:03, Cités Unies France <s@cuf.org> a écrit :",
                  "> Madame, Monsieur,", "> " + FORM.questions[0][1], "> Réponse ancienne"]
    return lines


def run(folder: Path) -> list[FileResult]:
    files = [InputFile(path=p, display=f"boite/{p.name}") for p in sorted(folder.iterdir())]
    return list(extract_files(files, load_questionnaire()).files)


def save(folder: Path, name: str, mail: EmailMessage | bytes) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(mail if isinstance(mail, bytes) else bytes(mail))
    return path


# ------------------------------------------------------------------------ the reader


def test_attachment_with_rfc2231_french_name_in_base64() -> None:
    mail = message()
    mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="Réponse du Parti — février.docx")
    raw = bytes(mail)
    assert b"filename*=utf-8''R%C3%A9ponse" in raw  # RFC 2231, as the library writes it
    read = read_message(raw, name="m.eml")
    assert [a.trail for a in read.attachments] == [("Réponse du Parti — février.docx",)]
    assert read.attachments[0].data == REPLY.build()
    assert read.sender.name == "Parti Radical"
    assert read.sender.address == "contact@parti-radical.fr"
    assert read.date == "2020-02-12T10:03:00+01:00"
    assert read.subject == "Re: Questionnaire CUF"


@pytest.mark.parametrize("header", [
    '=?iso-8859-1?Q?R=E9ponse_PS.docx?=',  # RFC 2047 in Latin-1
    "=?utf-8?B?UsOpcG9uc2UgUFMuZG9jeA==?=",  # RFC 2047 base64
])
def test_encoded_word_file_names(header: str) -> None:
    mail = message()
    mail.add_attachment(b"%PDF-1.4 x", "application", "pdf", filename="x.pdf")
    raw = bytes(mail).replace(b'filename="x.pdf"', f'filename="{header}"'.encode())
    assert [a.name for a in read_message(raw, name="m.eml").attachments] == ["Réponse PS.docx"]


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_raw_8bit_file_names(encoding: str) -> None:
    mail = message()
    mail.add_attachment(b"%PDF-1.4 x", "application", "pdf", filename="x.pdf")
    raw = bytes(mail).replace(b'filename="x.pdf"', b'filename="' +
                              "Réponse élus.pdf".encode(encoding) + b'"')
    assert [a.name for a in read_message(raw, name="m.eml").attachments] == ["Réponse élus.pdf"]


def test_quoted_printable_body_and_latin1_body_without_charset() -> None:
    mail = message(body="Réponse à la question : « oui », évidemment.\n")
    mail.replace_header("Content-Transfer-Encoding", "quoted-printable")
    mail.set_content("Réponse à la question : « oui », évidemment.\n", cte="quoted-printable")
    read = read_message(bytes(mail), name="m.eml")
    assert [b.text for b in read.bodies[0].document.blocks] == [
        "Réponse à la question : « oui », évidemment."]
    raw = (b"From: a@parti.fr\r\nTo: b@cuf.org\r\nSubject: test\r\n"
           b"Date: Wed, 12 Feb 2020 10:03:00 +0100\r\nContent-Type: text/plain\r\n\r\n"
           + "Élus et collectivités\r\n".encode("latin-1"))
    read = read_message(raw, name="latin1.eml")
    assert [b.text for b in read.bodies[0].document.blocks] == ["Élus et collectivités"]


def test_plain_body_quoted_history_is_set_aside() -> None:
    document, quoted = text_blocks("\n".join(typed_reply()))
    texts = [b.text for b in document.blocks]
    assert "Notre réponse à Q1, tapée dans le courriel." in texts
    assert not any("Réponse ancienne" in t for t in texts)
    assert quoted[0].startswith("Le 12 févr. 2020 à 10:03")
    assert "> Réponse ancienne" in quoted


def test_outlook_header_block_starts_the_history() -> None:
    text = ("Nos réponses ci-dessous.\n\nDe : Cités Unies France <s@cuf.org>\n"
            "Envoyé : mercredi 12 février 2020 10:03\nÀ : contact@parti.fr\n"
            "Objet : Questionnaire\n\nMadame, Monsieur")
    document, quoted = text_blocks(text)
    assert [b.text for b in document.blocks] == ["Nos réponses ci-dessous."]
    assert quoted[0].startswith("De : Cités Unies France")


def test_html_body_lists_tables_and_blockquote_without_scripts() -> None:
    html = ("<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
            "<p>Bonjour,</p><ul><li>premier point</li><li>second point</li></ul>"
            "<ol><li>un</li><li>deux</li></ol>"
            "<table><tr><td>Question</td><td>Réponse</td></tr></table>"
            "<img src='https://tracker.example/pixel.png'>"
            "<div class='gmail_quote'>Le mer. 12 févr. 2020, CUF a écrit :"
            "<blockquote>ancien texte</blockquote></div></body></html>")
    document, quoted = html_blocks(html)
    blocks = [(b.text, b.list_label, b.cell is not None) for b in document.blocks]
    assert blocks == [("Bonjour,", None, False), ("premier point", "-", False),
                      ("second point", "-", False), ("un", "1.", False), ("deux", "2.", False),
                      ("Question", None, True), ("Réponse", None, True)]
    assert "ancien texte" in quoted
    assert not any("alert" in b.text or "color" in b.text for b in document.blocks)


def test_forward_zip_inline_logo_and_calendar() -> None:
    original = message(sender="Parti Socialiste <ps@parti-socialiste.fr>")
    original.add_attachment(REPLY.build(), *DOCX_TYPE, filename="PS.docx")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("réponses/A.docx", REPLY.build())
        z.writestr("réponses/B.pdf", b"%PDF-1.4 fake")
        z.writestr("__MACOSX/._A.docx", b"junk")
    mail = message(subject="TR: réponses")
    mail.add_alternative("<p>Voir pièces jointes <img src='cid:logo1'></p>", subtype="html")
    mail.get_payload()[1].add_related(b"\x89PNG\r\n\x1a\nxxxx", "image", "png", cid="<logo1>",
                                      filename="logo.png")
    mail.add_attachment(original)  # message/rfc822
    mail.add_attachment(archive.getvalue(), "application", "zip", filename="réponses.zip")
    mail.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar",
                        filename="invite.ics")
    read = read_message(bytes(mail), name="fwd.eml")
    trails = [a.trail for a in read.attachments]
    assert trails == [("Re: Questionnaire CUF.eml", "PS.docx"), ("réponses.zip", "A.docx"),
                      ("réponses.zip", "B.pdf")]
    assert any(i.startswith("logo.png (image dans le texte") for i in read.ignored)
    assert any(i.startswith("invite.ics (invitation") for i in read.ignored)
    assert read.problems == ()


def test_real_tnef_files() -> None:
    files = read_tnef((EXTERNAL / "two-files.tnef").read_bytes())
    assert [(f.name, len(f.data)) for f in files] == [("AUTHORS", 244), ("README", 893)]
    long = read_tnef((EXTERNAL / "long-filename.tnef").read_bytes())
    assert [f.name for f in long] == ["allproductsmar2000.dat"]


def test_winmail_dat_attached_to_an_eml() -> None:
    mail = message()
    mail.add_attachment((EXTERNAL / "two-files.tnef").read_bytes(), "application", "ms-tnef",
                        filename="winmail.dat")
    read = read_message(bytes(mail), name="m.eml")
    assert [a.trail for a in read.attachments] == [("winmail.dat", "AUTHORS"),
                                                   ("winmail.dat", "README")]


def test_real_msg_files() -> None:
    order = read_message((EXTERNAL / "attachmentsOrder.msg").read_bytes(), name="o.msg")
    assert order.subject == "Attachments order"
    assert [a.name for a in order.attachments] == ["A.docx", "B.docx", "C.docx", "D.docx"]
    assert all(a.data.startswith(b"PK\x03\x04") for a in order.attachments)
    outer = read_message((EXTERNAL / "Outer mail.msg").read_bytes(), name="outer.msg")
    assert [a.trail for a in outer.attachments] == [
        ("OUTER 1.pdf",), ("OUTER 2.pdf",), ("Inner mail.msg", "INNER 1.pdf"),
        ("Inner mail.msg", "INNER 2.pdf")]
    assert [b.trail for b in outer.bodies] == [(), ("Inner mail.msg",)]
    inline = read_message((EXTERNAL / "attachAndInline.msg").read_bytes(), name="i.msg")
    assert [a.name for a in inline.attachments] == ["attach.png"]
    assert inline.attachments[0].image
    assert inline.ignored and inline.ignored[0].startswith("image001.png")
    ansi = read_message((EXTERNAL / "nonUnicodeMail.msg").read_bytes(), name="a.msg")
    assert ansi.subject == "Non Unicode mail subject"
    assert [b.text for b in ansi.bodies[0].document.blocks] == ["Non Unicode mail body!"]
    nested = read_message((EXTERNAL / "msgInMsg.msg").read_bytes(), name="n.msg")
    assert len(nested.bodies) == 2 and nested.bodies[1].trail[0].endswith(".msg")


def test_sniffing_by_content(tmp_path: Path) -> None:
    eml = save(tmp_path, "no-extension", message())
    assert sniff(eml).kind is FileKind.EML
    msg = tmp_path / "renamed.docx"
    msg.write_bytes((EXTERNAL / "msgInMsg.msg").read_bytes())
    assert sniff(msg).kind is FileKind.MSG
    mhtml = tmp_path / "page.mht"
    mhtml.write_bytes(b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n")
    assert sniff(mhtml).kind is FileKind.HTML


# ---------------------------------------------------------------------------- hostile


def test_ten_thousand_parts_are_bounded() -> None:
    mail = message()
    for index in range(10_000):
        mail.add_attachment(b"x", "application", "octet-stream", filename=f"{index}.bin")
    read = read_message(bytes(mail), name="parts.eml")
    assert len(read.attachments) <= 50
    assert any(str(MAX_PARTS) in p or "50" in p for p in read.problems)


def test_zip_bomb_attached_is_refused() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.docx", b"\x00" * (50 * 1024 * 1024))
    mail = message()
    mail.add_attachment(bomb.getvalue(), "application", "zip", filename="bombe.zip")
    read = read_message(bytes(mail), name="bomb.eml")
    assert read.attachments == ()
    assert any("bombe.zip" in p and "décompression" in p for p in read.problems)


def test_forwards_nested_fifty_deep_stop_at_the_limit() -> None:
    inner = message(subject="niveau 0")
    inner.add_attachment(REPLY.build(), *DOCX_TYPE, filename="fond.docx")
    for depth in range(1, 50):
        outer = message(subject=f"niveau {depth}")
        outer.add_attachment(inner)
        inner = outer
    read = read_message(bytes(inner), name="deep.eml")
    assert read.attachments == ()
    assert any(f"plus de {MAX_NESTING}" in p for p in read.problems)


def test_truncated_msg_is_unreadable_and_the_batch_goes_on(tmp_path: Path) -> None:
    data = (EXTERNAL / "attachmentsOrder.msg").read_bytes()
    save(tmp_path / "boite", "cut.msg", data[:3000])
    save(tmp_path / "boite", "ok.eml", message())
    results = {r.name: r for r in run(tmp_path / "boite")}
    assert results["cut.msg"].status is Status.ERROR
    assert results["cut.msg"].issues[0].code is IssueCode.UNREADABLE
    assert "ok.eml › texte du courriel" in results


# --------------------------------------------------------------------------- pipeline


def test_one_result_per_reply_traced_to_its_message(tmp_path: Path) -> None:
    box = tmp_path / "boite"
    mail = message()
    mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="Reponse_PS.docx")
    save(box, "Re_ Questionnaire.eml", mail)
    body = message(sender="Jean Dupont <jean@gmail.com>", body="\n".join(typed_reply()))
    save(box, "corps.eml", body)
    results = {r.path: r for r in run(box)}
    attached = results["boite/Re_ Questionnaire.eml › Reponse_PS.docx"]
    assert attached.message == "boite/Re_ Questionnaire.eml"
    assert attached.sender_address == "contact@parti-radical.fr"
    assert attached.received == "2020-02-12T10:03:00+01:00"
    for qid, expected in REPLY.answers.items():
        assert attached.answer(qid) == expected
    assert any(e.startswith("Texte du courriel : Bonjour") for e in attached.extra_text)
    typed = results["boite/corps.eml › texte du courriel"]
    assert [typed.answer(q) for q in FORM.ids] == [
        f"Notre réponse à {q}, tapée dans le courriel." for q in FORM.ids]
    assert any("Réponse ancienne" in e for e in typed.extra_text)
    assert not any("Réponse ancienne" in (a.text or "") for a in typed.answers)
    assert typed.respondent != "Bonjour,"


def test_same_attachment_in_two_messages_is_a_duplicate(tmp_path: Path) -> None:
    box = tmp_path / "boite"
    first = message()
    first.add_attachment(REPLY.build(), *DOCX_TYPE, filename="PS.docx")
    save(box, "a.eml", first)
    forward = message(subject="TR: Re: Questionnaire", sender="Secrétariat <s@cuf.org>")
    forward.add_attachment(first)
    save(box, "b.eml", forward)
    results = [r for r in run(box) if r.name == "PS.docx"]
    assert len(results) == 2
    assert all(IssueCode.DUPLICATE_FILE in {i.code for i in r.issues} for r in results)


def test_sender_is_a_respondent_candidate(tmp_path: Path) -> None:
    box = tmp_path / "boite"
    mail = message(sender="Mouvement Démocrate <contact@mouvement.fr>")
    mail.add_attachment(BY_NAME["answers_below_bullet"].build(), *DOCX_TYPE,
                        filename="questionnaire.docx")
    save(box, "m.eml", mail)
    (result,) = run(box)
    assert ("Mouvement Démocrate", RespondentSource.SENDER) in result.respondent_candidates
    assert ("mouvement.fr", RespondentSource.SENDER) in result.respondent_candidates


def test_message_without_reply_keeps_its_text(tmp_path: Path) -> None:
    box = tmp_path / "boite"
    save(box, "merci.eml", message(body="Merci, nous répondrons la semaine prochaine.\n"))
    (result,) = run(box)
    assert IssueCode.QUESTIONS_NOT_FOUND in {i.code for i in result.issues}
    assert "Merci, nous répondrons la semaine prochaine." in result.extra_text


def test_cli_reads_a_folder_of_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import answers_sheet, run_cli

    box = tmp_path / "boite"
    mail = message()
    mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="Reponse_PS.docx")
    save(box, "Re_ Questionnaire.eml", mail)
    (box / "Outlook.msg").write_bytes((EXTERNAL / "attachmentsOrder.msg").read_bytes())
    code, _, err = run_cli("boite", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    assert code in (0, 1), err
    rows = {str(r["Fichier"]): r for r in answers_sheet(tmp_path / "reponses.xlsx")}
    row = rows["boite/Re_ Questionnaire.eml › Reponse_PS.docx"]
    assert row["Expéditeur du courriel"] == "Parti Radical <contact@parti-radical.fr>"
    assert row["Courriel reçu le"] == "12/02/2020 10:03"
    assert {f"boite/Outlook.msg › {n}.docx" for n in "ABCD"} <= set(rows)
    sheet = openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"]
    links = {c.value: c.hyperlink.target for c in sheet["A"][1:] if c.hyperlink}
    assert links["boite/Re_ Questionnaire.eml › Reponse_PS.docx"].endswith(
        "boite/Re_%20Questionnaire.eml")


def test_policy_default_round_trip_is_what_is_parsed() -> None:
    # The fixtures are what mail clients write: policy.default folds and encodes.
    assert message().policy == policy.default


# ------------------------------------------------------------------------ recipients


def test_recipients_list_gives_addresses_and_domains(tmp_path: Path) -> None:
    from cuf_extract.models import Campaign, Run
    from cuf_extract.recipients import RecipientState, load_recipients, recipients_status

    listing = tmp_path / "destinataires.txt"
    listing.write_text("Parti X | contact@parti-x.fr\nUnion Y | union-y.org\nP.S. | Parti S\n",
                       encoding="utf-8")
    recipients = load_recipients(listing)
    assert [(r.name, r.aliases, r.addresses) for r in recipients] == [
        ("Parti X", (), ("contact@parti-x.fr",)), ("Union Y", (), ("union-y.org",)),
        ("P.S.", ("Parti S",), ())]
    box = tmp_path / "boite"
    for name, sender in (("x.eml", "Jean <CONTACT@parti-x.fr>"),
                         ("y.eml", "Marie <marie.dupont@union-y.org>"),
                         ("z.eml", "Paul <paul@gmail.com>")):
        mail = message(sender=sender)
        mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="questionnaire.docx")
        save(box, name, mail)
    results = run(box)
    files = load_questionnaire()
    status = recipients_status(
        Run(questionnaire=files.ref(), files=tuple(results)),
        Campaign(staff_columns=(), history={}), recipients, source="liste")
    states = {row.recipient.name: row.state for row in status.rows}
    assert states == {"Parti X": RecipientState.REPLIED, "Union Y": RecipientState.REPLIED,
                      "P.S.": RecipientState.NOT_REPLIED}


def test_renamed_message_keeps_the_staff_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_cli import run_cli

    box = tmp_path / "boite"
    mail = message()
    mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="Reponse_PS.docx")
    save(box, "Re_ Questionnaire.eml", mail)
    run_cli("boite", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    workbook = openpyxl.load_workbook(tmp_path / "reponses.xlsx")
    sheet = workbook["Réponses"]
    titles = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=titles.index("Notes") + 1, value="appelé le 13/02")
    sheet.cell(row=1, column=len(titles) + 1, value="Reçu le")  # the staff's own column
    sheet.cell(row=2, column=len(titles) + 1, value="à la main")
    workbook.save(tmp_path / "reponses.xlsx")
    (box / "Re_ Questionnaire.eml").rename(box / "PS - réponse.eml")
    run_cli("boite", cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys)
    (row,) = [r for r in openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"]
              .iter_rows(min_row=2, values_only=True) if r[0]]
    titles = [c.value for c in openpyxl.load_workbook(tmp_path / "reponses.xlsx")["Réponses"][1]]
    cells = dict(zip(titles, row, strict=False))
    assert cells["Fichier"] == "boite/PS - réponse.eml › Reponse_PS.docx"
    assert cells["Notes"] == "appelé le 13/02"
    assert cells["Reçu le"] == "à la main"
    assert cells["Courriel reçu le"] == "12/02/2020 10:03"


def test_reply_typed_in_an_html_body_with_outlook_history(tmp_path: Path) -> None:
    box = tmp_path / "boite"
    rows = "".join(f"<p><b>{text}</b></p><p>Réponse HTML à {qid}.</p>"
                   for qid, text in FORM.questions)
    html = (f"<html><body><p>Bonjour,</p>{rows}<p>Cordialement,</p>"
            "<div style='border:none;border-top:solid #E1E1E1 1.0pt'><p><b>De :</b> Cités "
            "Unies France &lt;s@cuf.org&gt;<br><b>Envoyé :</b> mercredi 12 février 2020<br>"
            "<b>À :</b> contact@parti.fr<br><b>Objet :</b> Questionnaire</p></div>"
            f"<p>{FORM.questions[0][1]}</p><p>texte de l'envoi d'origine</p></body></html>")
    mail = message(body="version texte")
    mail.add_alternative(html, subtype="html")
    save(box, "html.eml", mail)
    (result,) = run(box)
    assert [result.answer(q) for q in FORM.ids] == [f"Réponse HTML à {q}." for q in FORM.ids]
    assert any("texte de l'envoi d'origine" in e for e in result.extra_text)


def test_inflated_size_is_bounded_before_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    import cuf_extract.mail.message as message_module
    import cuf_extract.mail.reader as reader_module

    monkeypatch.setattr(message_module, "MAX_EXPANDED_BYTES", 300_000)
    monkeypatch.setattr(reader_module, "MAX_EXPANDED_BYTES", 300_000)
    noise = random.Random(7)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ("a.pdf", "b.pdf"):
            z.writestr(name, b"%PDF-1.4 " + noise.randbytes(200_000))
    mail = message()
    mail.add_attachment(archive.getvalue(), "application", "zip", filename="deux.zip")
    read = read_message(bytes(mail), name="m.eml")
    assert [a.trail for a in read.attachments] == [("deux.zip", "a.pdf")]
    assert any("deux.zip › b.pdf" in p for p in read.problems)


def test_damaged_messages_never_stop_the_batch(tmp_path: Path) -> None:
    """Random damage to a built .eml and a real .msg: every copy gives results, none
    of them the tool's own error."""
    import random

    from cuf_extract.locate import Matcher
    from cuf_extract.pipeline import extract_input

    mail = message()
    mail.add_attachment(REPLY.build(), *DOCX_TYPE, filename="PS.docx")
    sources = {"m.eml": bytes(mail), "m.msg": (EXTERNAL / "msgInMsg.msg").read_bytes()}
    matcher = Matcher(load_questionnaire())
    chance = random.Random(22)
    for index in range(60):
        name, data = list(sources.items())[index % 2]
        damaged = bytearray(data)
        if index % 3 == 0:
            damaged = damaged[: chance.randrange(len(damaged))]
        else:
            for _ in range(chance.randrange(1, 40)):
                damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        path = tmp_path / f"{index}-{name}"
        path.write_bytes(bytes(damaged))
        results = extract_input(InputFile(path=path, display=path.name), matcher)
        assert results
        for result in results:
            assert not any("erreur inattendue" in i.message for i in result.issues), (
                path.name, [i.message for i in result.issues])


@pytest.mark.slow
def test_an_attached_scan_is_read_by_ocr_and_a_logo_is_only_listed(tmp_path: Path) -> None:
    from cuf_extract.ocr_reader import find_tesseract
    from tests.fixtures import scans

    engine = find_tesseract()
    if engine is None or not engine.has_french:
        pytest.skip("Tesseract with its French data (tesseract-ocr-fra) is not installed")
    pytest.importorskip("PIL", reason="Pillow makes the scans (pip install -e '.[dev]')")
    png = scans.tall_screenshot(scans.pages(150))  # every page of the reply, one image
    mail = message(body="Bonjour,\nVoici notre questionnaire signé, scanné.\n")
    mail.add_attachment(png, maintype="image", subtype="png",
                        filename="questionnaire-signe.png")
    mail.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, maintype="image", subtype="png",
                        filename="logo.png")
    save(tmp_path / "boite", "scan.eml", mail)
    results = run(tmp_path / "boite")
    scanned = [r for r in results if r.path.endswith("questionnaire-signe.png")]
    assert len(scanned) == 1 and any(i.code is IssueCode.OCR for i in scanned[0].issues)
    assert any(a.text for a in scanned[0].answers)
    assert not [r for r in results if r.path.endswith("logo.png")]  # not a reply row
    listed = " ".join(line for r in results for line in r.extra_text)
    assert "logo.png (image sans les questions" in listed
