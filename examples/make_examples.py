# ruff: noqa: E501
# (French answers stay on one line each, as respondents type them)
"""Regenerate the example replies in examples/replies/ (run from the project root).

    python examples/make_examples.py

Seven fictional replies to the 2020 questionnaire, written with the test fixture
builder (tests/fixtures/builder.py), which writes WordprocessingML the way Word
does. The .docx output is deterministic: running the script twice gives the same
bytes; the PDF is made by LibreOffice (`soffice`) and is not.

| file                                      | shows                                          | expected status |
| ----------------------------------------- | ---------------------------------------------- | --------------- |
| union-des-territoires-solidaires.docx     | answers below the bullets, header, signature   | ok              |
| mouvement-citoyen-europeen.docx           | Track Changes, answer on the question's line   | ok              |
| parti-des-communes-rurales.docx           | question/answer table, Q4 left blank           | warning         |
| alliance-ecologie-et-territoires.docx     | content controls, bullet lists, Q5 placeholder | warning         |
| federation-progressiste-lettre.docx       | free-format letter, no questions               | warning         |
| ~$ion-des-territoires-solidaires.docx     | Word owner (lock) file                         | skipped         |
| rassemblement-des-villes-ouvertes.pdf     | the form saved as PDF by LibreOffice           | ok (from PDF)   |

`EXPECTED` below holds the answers the extractor should find in each file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fixtures.builder import (  # noqa: E402
    FORM,
    build_docx,
    complex_field,
    dele,
    empty_p,
    ins,
    p,
    question_p,
    questionnaire_doc,
    run,
    sdt_block,
    table,
    text_p,
)

OUT = Path(__file__).resolve().parent / "replies"
QIDS = FORM.ids


def joined(paragraphs: list[str]) -> str | None:
    return "\n".join(paragraphs) or None


def below(paragraphs: list[str]) -> list[str]:
    """Answer paragraphs typed in the blank lines under a question bullet.

    The template's first blank line has the List Paragraph style (without numbering):
    typing there keeps it; the following lines are Normal.
    """
    return [text_p(t, style="ListParagraph" if i == 0 else None) for i, t in enumerate(paragraphs)]


# --------------------------------------------------------------------------- 1. answers below the bullets

UTS = "Union des Territoires Solidaires"
UTS_ANSWERS = {
    "Q1": [
        "Oui, sans ambiguïté.",
        "La charte de nos candidats, adoptée en novembre 2019, les engage à développer au moins un partenariat de coopération décentralisée au cours du mandat. Un guide pratique, rédigé avec nos maires déjà engagés, leur sera remis avant la campagne.",
    ],
    "Q2": [
        "Nous le recommanderons dans toutes les communes de plus de 10 000 habitants. Dans les plus petites, un conseiller municipal délégué à l’international nous paraît mieux adapté : l’essentiel est qu’un élu identifié porte cette politique.",
    ],
    "Q3": [
        "Oui. Depuis 2018, notre centre de formation propose une journée intitulée « Agir à l’international depuis son territoire ».",
        "Elle sera renouvelée au lendemain des élections pour les nouveaux élus, avec l’appui de praticiens de la coopération décentralisée.",
    ],
    "Q4": [
        "Oui. Nous proposerons un droit d’interpellation : une pétition signée par 2 % des habitants permettra d’inscrire un sujet à l’ordre du jour du conseil municipal. Les jumelages ou l’accueil de délégations étrangères y auront toute leur place.",
    ],
    "Q5": [
        "Oui. Chaque collectivité devrait publier un bilan annuel de son action internationale et le soumettre à un comité d’habitants, dont les recommandations seront rendues publiques.",
    ],
}
UTS_SIGNATURE = [
    "Fait à Lyon, le 6 février 2020",
    "Hélène Marchand",
    "Secrétaire nationale aux relations internationales",
]
UTS_EDITOR = "Hélène Marchand"


def union_des_territoires_solidaires() -> bytes:
    header = [p(run(UTS, bold=True, split=False), style="Header", jc="right")]
    signature = [empty_p(), *(text_p(t, jc="right") for t in UTS_SIGNATURE)]
    return questionnaire_doc(
        {qid: below(texts) for qid, texts in UTS_ANSWERS.items()},
        header=header,
        after_contact=signature,
        core={"creator": "CUF", "last_modified_by": UTS_EDITOR,
              "modified": "2020-02-06T16:05:00Z"},
    )


# --------------------------------------------------------------------------- 2. Track Changes

MCE = "Mouvement citoyen européen"
MCE_AUTHOR = "Sophie Garnier"
MCE_REVIEWER = "Lucas Perrin"
MCE_DATE = "2020-02-04T18:20:00Z"
MCE_REVIEW_DATE = "2020-02-07T09:45:00Z"

MCE_Q1 = [
    "Oui. Pour notre mouvement, l’Europe se construit d’abord dans les territoires : nous demanderons à chaque tête de liste de présenter un projet de coopération avec une ville d’un autre pays de l’Union.",
    "Les jumelages existants seront relancés autour de projets concrets pour la jeunesse.",
]
# Typed on the question's own line, after its question mark.
MCE_Q2 = "Oui, dans les villes de plus de 30 000 habitants, avec une délégation élargie aux affaires européennes. Ailleurs, le maire pourra la garder s’il le souhaite."
MCE_Q3_START = "Notre académie des élus "
MCE_Q3_DELETED = "envisage d’ouvrir "
MCE_Q3_REST = "a ouvert en janvier 2020 un cycle « Europe et coopération internationale ». Il présente les programmes européens accessibles aux communes et le fonctionnement des réseaux de villes."
MCE_Q4 = "Oui. Des assemblées citoyennes de quartier pourront inscrire deux sujets par an à l’ordre du jour du conseil municipal. L’accueil des réfugiés ou les partenariats avec des villes européennes pourraient en faire partie."
MCE_Q5_START = "Oui. Un panel d’habitants tirés au sort évaluera, à mi-mandat, la politique européenne et internationale de la commune."
MCE_Q5_DELETED = " Ses conclusions resteront internes."
MCE_Q5_INSERTED = " Ses conclusions seront présentées en séance publique."


def mouvement_citoyen_europeen() -> bytes:
    def typed(*inline: str) -> str:
        return ins(*inline, author=MCE_AUTHOR, date=MCE_DATE)

    def answer_p(*inline: str, first: bool = False) -> str:
        # The paragraph mark is inserted too: Enter was pressed with Track Changes on.
        return p(*inline, style="ListParagraph" if first else None, ins_mark=True,
                 author=MCE_AUTHOR, date=MCE_DATE)

    questions = {"Q2": [question_p("Q2", typed(" " + MCE_Q2))]}
    answers = {
        "Q1": [answer_p(typed(MCE_Q1[0]), first=True), answer_p(typed(MCE_Q1[1]))],
        # The reviewer struck out a fragment of the author's draft and replaced it.
        "Q3": [answer_p(typed(MCE_Q3_START),
                        dele(MCE_Q3_DELETED, author=MCE_REVIEWER, date=MCE_REVIEW_DATE),
                        ins(MCE_Q3_REST, author=MCE_REVIEWER, date=MCE_REVIEW_DATE),
                        first=True)],
        "Q4": [answer_p(typed(MCE_Q4), first=True)],
        "Q5": [answer_p(typed(MCE_Q5_START),
                        dele(MCE_Q5_DELETED, author=MCE_REVIEWER, date=MCE_REVIEW_DATE),
                        ins(MCE_Q5_INSERTED, author=MCE_REVIEWER, date=MCE_REVIEW_DATE),
                        first=True)],
    }
    return questionnaire_doc(
        answers, questions=questions, track_revisions=True, app_company=MCE,
        core={"creator": "CUF", "last_modified_by": MCE_REVIEWER,
              "modified": MCE_REVIEW_DATE, "revision": 7},
    )


# --------------------------------------------------------------------------- 3. question/answer table

PCR = "Parti des communes rurales"
PCR_LETTERHEAD = [
    "PARTI DES COMMUNES RURALES",
    "Commission nationale des élus locaux – 18 avenue des Tilleuls, 87000 Limoges",
]
PCR_ANSWERS = {
    "Q1": [
        "Oui, à la mesure des moyens des petites communes. Nous les encouragerons à s’engager à plusieurs, à l’échelle de l’intercommunalité, plutôt que seules.",
    ],
    "Q2": [
        "Non. Dans une commune rurale, le conseil municipal compte peu d’adjoints et leurs délégations sont déjà lourdes.",
        "Nous suggérerons plutôt de confier ce sujet à un conseiller communautaire.",
    ],
    "Q3": [
        "Pas à ce jour. Notre formation des élus porte d’abord sur les finances locales et l’urbanisme. Un module sur les coopérations intercommunales à l’international est à l’étude pour 2021.",
    ],
    "Q4": [],  # left blank
    "Q5": [
        "Oui, sous une forme simple : une réunion publique annuelle où le maire rend compte des partenariats de la commune et recueille l’avis des habitants.",
    ],
}


def parti_des_communes_rurales() -> bytes:
    # No header row: a "Questions | Réponses" row is reported as unassigned text.
    rows = [
        [[p(run(FORM.q(qid), bold=True))], [text_p(t) for t in PCR_ANSWERS[qid]]]
        for qid in QIDS
    ]
    letterhead = [p(run(PCR_LETTERHEAD[0], bold=True), jc="center"),
                  text_p(PCR_LETTERHEAD[1], jc="center"), empty_p()]
    return questionnaire_doc(
        questions={qid: [] for qid in QIDS}, blanks=0,
        before_title=letterhead,
        after_lead_in=[table(rows, widths=[4531, 4531]), empty_p()],
        core={"creator": "CUF", "last_modified_by": "Bernard Chauvet",
              "modified": "2020-02-09T11:30:00Z"},
    )


# --------------------------------------------------------------------------- 4. content controls

AET = "Alliance écologie et territoires"
# (intro paragraph or None, bullets); Q5's control keeps its placeholder.
AET_ANSWERS: dict[str, tuple[str | None, list[str]]] = {
    "Q1": ("Oui, autour de trois priorités :", [
        "la transition écologique, avec des partenariats sur l’eau, l’énergie et l’agriculture ;",
        "la solidarité avec les territoires les plus exposés au dérèglement climatique ;",
        "les échanges de jeunes et les missions de service civique à l’étranger.",
    ]),
    "Q2": (None, [
        "oui dans les communes de plus de 20 000 habitants ;",
        "une délégation qui associe action internationale et transition écologique ;",
        "ailleurs, un conseiller municipal délégué.",
    ]),
    "Q3": ("Oui, le module « Climat et coopération » de notre école des élus :", [
        "une journée ouverte aux élus de toutes les collectivités ;",
        "des intervenants issus d’associations de solidarité internationale.",
    ]),
    "Q4": (None, [
        "un budget participatif ouvert aux projets de solidarité internationale ;",
        "la possibilité pour 500 habitants d’inscrire un point à l’ordre du jour du conseil municipal.",
    ]),
}


def alliance_ecologie_et_territoires() -> bytes:
    answers: dict[str, list[str]] = {}
    for n, qid in enumerate(QIDS, start=1):
        if qid not in AET_ANSWERS:
            answers[qid] = [sdt_block(placeholder=True, tag=f"reponse{n}", alias=f"Réponse {n}")]
            continue
        intro, bullets = AET_ANSWERS[qid]
        # Word starts a new list (numId) for each answer; odd numIds are bullets.
        num = (1 + 2 * n, 0)
        blocks = [text_p(intro, style="ListParagraph")] if intro else []
        blocks += [text_p(t, style="ListParagraph", num=num) for t in bullets]
        answers[qid] = [sdt_block(*blocks, tag=f"reponse{n}", alias=f"Réponse {n}")]
    return questionnaire_doc(
        answers, blanks=1, app_company=AET,
        core={"creator": "CUF", "last_modified_by": "Yanis Lemoine",
              "modified": "2020-02-10T08:50:00Z"},
    )


def aet_expected(qid: str) -> str | None:
    if qid not in AET_ANSWERS:
        return None
    intro, bullets = AET_ANSWERS[qid]
    return "\n".join(([intro] if intro else []) + ["- " + t for t in bullets])


# --------------------------------------------------------------------------- 5. free-format letter

FP = "Fédération progressiste"
FP_LETTER = [
    "Nous vous remercions de votre questionnaire, auquel nous avons choisi de répondre par ce courrier. La Fédération progressiste considère l’action internationale des collectivités comme une politique publique à part entière, et ses candidats seront invités à l’inscrire dans leur programme municipal.",
    "Nous ne fixerons pas de règle nationale sur l’organisation des exécutifs municipaux : chaque équipe décidera s’il convient de nommer un adjoint chargé de l’action internationale. Nous recommanderons toutefois qu’un élu en soit explicitement responsable.",
    "Notre institut de formation consacrera, dès le printemps, une session à la coopération décentralisée et aux financements européens, ouverte à tous nos élus.",
    "Enfin, nous sommes favorables à ce que les habitants puissent saisir le conseil municipal de questions internationales et participer, au sein de conseils citoyens, à l’évaluation des partenariats de leur commune.",
]


def federation_progressiste_lettre() -> bytes:
    body = [
        p(run(FP.upper(), bold=True, split=False)),
        text_p("Secrétariat national aux relations internationales"),
        text_p("41 boulevard des Lilas – 69003 Lyon"),
        empty_p(),
        text_p("Lyon, le 8 février 2020", jc="right"),
        text_p("Madame Geneviève Sevrin", jc="right"),
        text_p("Directrice générale de Cités Unies France", jc="right"),
        empty_p(),
        p(run("Objet : ", bold=True), "votre questionnaire sur l’action internationale des "
          "collectivités territoriales"),
        empty_p(),
        text_p("Madame la Directrice générale,"),
        *(text_p(t, jc="both") for t in FP_LETTER),
        text_p("Je vous prie d’agréer, Madame la Directrice générale, l’expression de ma "
               "considération distinguée.", jc="both"),
        empty_p(),
        text_p("Antoine Rivière", jc="right"),
        text_p("Secrétaire national aux relations internationales", jc="right"),
    ]
    return build_docx(body, core={"creator": "Antoine Rivière",
                                  "created": "2020-02-07T15:00:00Z",
                                  "modified": "2020-02-08T10:15:00Z", "revision": 2})


# --------------------------------------------------------------------------- 6. Word owner file


def owner_file(user: str) -> bytes:
    """The 162-byte "~$" owner file Word keeps next to an open document.

    Byte 0 is the length of the user name, followed by the name in the ANSI code
    page, zero-padded to byte 54; then the length again (16-bit little-endian) and
    the name in UTF-16LE, zero-padded to 162 bytes.
    """
    ansi = user.encode("cp1252")[:53]
    data = bytes([len(user)]) + ansi.ljust(53, b"\0")
    data += len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    return data.ljust(162, b"\0")


# --------------------------------------------------------------------------- 6. a PDF

RVO = "Rassemblement des villes ouvertes"
RVO_ANSWERS = {
    "Q1": [
        "Oui. Nos candidats s’engageront à consacrer au moins 0,5 % du budget d’investissement de leur commune à des projets menés avec des villes partenaires, en Europe comme en Afrique.",
    ],
    "Q2": [
        "Oui, partout où la commune compte plus de 5 000 habitants. L’adjoint aux relations internationales travaillera avec les associations de solidarité, les établissements scolaires et les entreprises exportatrices du territoire.",
        "Dans les plus petites communes, nous encouragerons les délégations intercommunales.",
    ],
    "Q3": [
        "Pas encore : un cycle de trois webinaires sera proposé aux nouveaux élus au printemps 2020, en lien avec les réseaux régionaux multi-acteurs.",
    ],
    "Q4": [
        "Oui. Une fois par an, le conseil municipal consacrera une séance publique aux partenariats internationaux de la ville, ouverte aux questions des habitants.",
    ],
    "Q5": [
        "Oui : un panel d’habitants tirés au sort évaluera tous les deux ans la politique internationale de la commune, et ses avis seront publiés sur le site de la ville.",
    ],
}


def rassemblement_des_villes_ouvertes_source() -> bytes:
    """The Word reply that LibreOffice turns into the example PDF (see `pdf_example`)."""
    header = [p(run(RVO, bold=True, split=False), style="Header")]
    footer = [p(run("Page ", split=False), complex_field(" PAGE ", "1"), style="Footer",
                jc="center")]
    return questionnaire_doc(
        {qid: below(texts) for qid, texts in RVO_ANSWERS.items()},
        header=header, footer=footer,
        core={"creator": "Marc Duval", "last_modified_by": "Marc Duval",
              "modified": "2020-02-08T11:00:00Z"},
    )


# --------------------------------------------------------------------------- the files

FILES = {
    "union-des-territoires-solidaires.docx": union_des_territoires_solidaires,
    "mouvement-citoyen-europeen.docx": mouvement_citoyen_europeen,
    "parti-des-communes-rurales.docx": parti_des_communes_rurales,
    "alliance-ecologie-et-territoires.docx": alliance_ecologie_et_territoires,
    "federation-progressiste-lettre.docx": federation_progressiste_lettre,
    "~$ion-des-territoires-solidaires.docx": lambda: owner_file(UTS_EDITOR),
}

#: PDF examples: made by LibreOffice from a Word source, so not byte-for-byte
#: reproducible; `main` runs exactly:
#: soffice -env:UserInstallation=file://$T/profile --headless --convert-to pdf --outdir $T $T/NAME.docx
PDF_FILES = {
    "rassemblement-des-villes-ouvertes.pdf": rassemblement_des_villes_ouvertes_source,
}

#: What the extractor should find: (status, answers by question id).
EXPECTED: dict[str, tuple[str, dict[str, str | None]]] = {
    "union-des-territoires-solidaires.docx": (
        "ok", {qid: joined(t) for qid, t in UTS_ANSWERS.items()}),
    "mouvement-citoyen-europeen.docx": ("ok", {
        "Q1": joined(MCE_Q1),
        "Q2": MCE_Q2,
        "Q3": MCE_Q3_START + MCE_Q3_REST,
        "Q4": MCE_Q4,
        "Q5": MCE_Q5_START + MCE_Q5_INSERTED,
    }),
    "parti-des-communes-rurales.docx": (
        "warning", {qid: joined(t) for qid, t in PCR_ANSWERS.items()}),
    "alliance-ecologie-et-territoires.docx": (
        "warning", {qid: aet_expected(qid) for qid in QIDS}),
    "federation-progressiste-lettre.docx": ("warning", dict.fromkeys(QIDS)),
    "~$ion-des-territoires-solidaires.docx": ("skipped", {}),
    "rassemblement-des-villes-ouvertes.pdf": (
        "ok", {qid: joined(t) for qid, t in RVO_ANSWERS.items()}),
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in FILES.items():
        data = make()
        (OUT / name).write_bytes(data)
        print(f"{len(data):>7} B  {OUT.relative_to(ROOT) / name}")
    for name, make in PDF_FILES.items():
        pdf_example(name, make())


def pdf_example(name: str, docx: bytes) -> None:
    """Write `name` in replies/: the Word source saved as PDF by LibreOffice."""
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cuf-example-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / (Path(name).stem + ".docx")
        source.write_bytes(docx)
        subprocess.run(
            ["soffice", f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp), str(source)],
            check=True, capture_output=True, timeout=180)
        shutil.copyfile(tmp / name, OUT / name)
    print(f"{(OUT / name).stat().st_size:>7} B  {OUT.relative_to(ROOT) / name}")


if __name__ == "__main__":
    main()
