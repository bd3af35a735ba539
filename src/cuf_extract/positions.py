"""Each answer's position on its question (oui, non, nuancé, non précisé), and the synthesis.

The automatic position is a first draft for the staff, never a verdict: the rules below
are plain French formulas in tables that anyone can read and extend, and when two of
them disagree the answer is `non précisé` (a wrong position is worse than none). Staff
confirm or correct positions in the spreadsheet; `synthesis_table` counts theirs over
the automatic ones. Pure: no I/O.

How an answer is read:

1. Leading noise is dropped: spaces, a list marker (« - », « • », « 1) »), a character
   typed as in a spreadsheet formula (« = », « + », « - », « @ »), a label such as
   « Réponse : ». An option after an empty tick box (« ☐ Oui ☒ Non ») is not the
   answer: it is dropped too.
2. The text is compared without capitals or accents, apostrophes made straight; the
   sentence ends are kept (a « … » in a formula stays within one sentence). The object
   pronouns after « nous » are ignored, in the text and in the formulas alike: « nous le
   proposerons », « nous y sommes favorables » read as « nous proposerons », « nous
   sommes favorables ».
3. The opening words (`OPENINGS`) give a first signal: « Oui », « Non »,
   « Pas encore », « Yes »… A stance split in two (`SPLIT_STANCES`: « oui pour les
   grandes villes, non pour les autres ») is looked for before they are dropped.
4. Insisting words (`INTENSIFIERS`: « pleinement », « tout à fait »…) are dropped from
   the rest, so that « nous soutenons pleinement » reads as « nous soutenons ».
5. The formulas (`FORMULAS`) are looked for everywhere, longest first; a formula found
   hides the shorter ones inside it (« même si » hides « si »). Each is noted with its
   sentence (a « : » or « ; » ends one too), whether it opens it, and whether a « mais »
   comes before it.
6. The opening sentence weighs first (`_decide`):
   - after a plain « Oui », only what stands in that sentence or opens a later one can
     qualify it: a condition there (« Oui, à condition que », « Oui. À condition
     que… ») makes it `nuancé`; a word deep in a long yes (« éventuellement »,
     « même modeste ») does not; a « non » there makes it `non précisé`;
   - after a plain « Non », what is offered instead (« Non : nous préférons plutôt X »,
     « Non, mais nous conseillons… ») leaves it `non`; only a nuance in that sentence
     (« à l'étude », « pas en l'état ») makes it `nuancé`;
   - without an opening word, the first sentence that takes a stance decides, with
     what opens the later ones: a yes and a no together → `non précisé`, unless the no
     follows a « mais » (« Nous soutenons X, mais Y n'est pas nécessaire » → `non`); a
     refusal with another way → `non`; another way alone or a nuance → `nuancé`; a yes
     with a condition → `nuancé`; a yes alone → `oui`; a no → `non`; nothing →
     `non précisé`.

Only answers to closed questions are read (`QuestionKind`, see `questionnaire.py`):
an open question (« Quelle place… ? ») gets no automatic position.

Cost: each answer is folded (case, accents) once; the tables are turned into patterns
once per process, each formula's pattern compiled only when an answer holds its words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cuf_extract.models import Campaign, Position, QuestionKind, Run, Status
from cuf_extract.text import fold

__all__ = [
    "FORMULAS",
    "INTENSIFIERS",
    "LEADING_LABELS",
    "OPENINGS",
    "SPLIT_STANCES",
    "PositionReading",
    "SynthesisRow",
    "automatic_position",
    "parse_position",
    "read_position",
    "staff_positions",
    "synthesis_table",
]


class Signal(StrEnum):
    """What a formula says about the answer's position."""

    YES = "oui"
    NO = "non"
    NUANCED = "nuancé"  # conditional, partial, not yet, being studied
    ALTERNATIVE = "autre proposition"  # another way than the one asked: nuancé
    CONDITION = "condition"  # restricts a yes (makes it nuancé); alone, says nothing
    RESERVED = "réserve"  # nuancé alone; a detail after a plain « Oui » (« éventuellement »)
    NEUTRAL = "sans effet"  # looks like a signal but is not one (« même si », « non seulement »)


# Short names for the tables below, so that they read as French.
OUI = Signal.YES
NON = Signal.NO
NUANCE = Signal.NUANCED
AUTRE = Signal.ALTERNATIVE
CONDITION = Signal.CONDITION
RESERVE = Signal.RESERVED
SANS_EFFET = Signal.NEUTRAL

# ---------------------------------------------------------------------------------------
# Les règles, en français. Pour en ajouter une : une ligne ("formule", SIGNAL), écrite
# comme on la lit (les majuscules, les accents et la ponctuation ne comptent pas).
# « … » dans une formule veut dire « n'importe quels mots, dans la même phrase ».
# Les formules les plus longues passent en premier : « nous ne sommes pas opposés »
# l'emporte sur « sommes opposés ».
# ---------------------------------------------------------------------------------------

# Étiquettes tapées avant la réponse, ignorées quand elles sont suivies de « : ».
LEADING_LABELS: tuple[str, ...] = (
    "réponse", "notre réponse", "réponse du parti", "réponse du groupe", "rép", "rép.",
    "r", "commentaire", "position", "notre position",
)

# Mots d'ouverture : lus seulement au tout début de la réponse.
OPENINGS: tuple[tuple[str, Signal], ...] = (
    # Oui franc
    ("oui", OUI),
    ("absolument", OUI),
    ("bien sûr", OUI),
    ("bien entendu", OUI),
    ("tout à fait", OUI),
    ("évidemment", OUI),
    ("certainement", OUI),
    ("naturellement", OUI),
    ("assurément", OUI),
    ("sans aucun doute", OUI),
    ("sans hésitation", OUI),
    ("sans réserve", OUI),
    ("d'accord", OUI),
    ("bien sûr que oui", OUI),
    # Non franc, et les négations des mots du oui
    ("non", NON),
    ("absolument pas", NON),
    ("certainement pas", NON),
    ("évidemment pas", NON),
    ("évidemment non", NON),
    ("bien sûr que non", NON),
    ("pas du tout", NON),
    ("pas question", NON),
    ("pas question de renoncer", SANS_EFFET),  # refuser de renoncer n'est pas refuser
    ("pas question d'abandonner", SANS_EFFET),
    ("pas question de revenir sur", SANS_EFFET),
    ("en aucun cas", NON),
    ("aucunement", NON),
    ("nullement", NON),
    # Ni oui ni non franc : nuancé
    ("oui mais", NUANCE),
    ("oui et non", NUANCE),
    ("oui sauf", NUANCE),
    # « Non, mais nous conseillons… » reste un non : ce qui est proposé à la place n'est
    # pas ce qui était demandé.
    ("non sauf", NUANCE),
    ("non pas encore", NUANCE),
    ("pas encore", NUANCE),
    ("pas de manière systématique", NUANCE),
    ("pas de façon systématique", NUANCE),
    ("pas systématiquement", NUANCE),
    ("pas nécessairement", NUANCE),
    ("pas forcément", NUANCE),
    ("pas obligatoirement", NUANCE),
    ("pas tout à fait", NUANCE),
    ("pas pour l'instant", NUANCE),
    ("pas pour le moment", NUANCE),
    ("pas à ce stade", NUANCE),
    ("pas à ce jour", NUANCE),
    ("pas dans l'immédiat", NUANCE),
    ("pas en l'état", NUANCE),
    ("en partie", NUANCE),
    ("partiellement", NUANCE),
    ("plutôt oui", NUANCE),
    ("plutôt non", NUANCE),
    ("pourquoi pas", NUANCE),
    ("peut-être", NUANCE),
    # « Non seulement … mais aussi » n'est pas un non.
    ("non seulement", SANS_EFFET),
    ("non sans", SANS_EFFET),
    # « Non applicable » : la question ne s'applique pas, ce n'est pas un refus.
    ("non applicable", SANS_EFFET),
    ("non concerné", SANS_EFFET),
    ("non concernés", SANS_EFFET),
    ("non renseigné", SANS_EFFET),
    ("non communiqué", SANS_EFFET),
    # In English.
    ("yes", OUI),
    ("absolutely", OUI),
    ("of course", OUI),
    ("certainly", OUI),
    ("definitely", OUI),
    ("indeed", OUI),
    ("no", NON),
    ("absolutely not", NON),
    ("certainly not", NON),
    ("of course not", NON),
    ("not at all", NON),
    ("yes but", NUANCE),
    ("yes and no", NUANCE),
    ("not yet", NUANCE),
    ("not at this stage", NUANCE),
    ("not for now", NUANCE),
    ("not for the time being", NUANCE),
    ("not necessarily", NUANCE),
    ("not systematically", NUANCE),
    ("partly", NUANCE),
    ("partially", NUANCE),
    ("maybe", NUANCE),
    ("perhaps", NUANCE),
    ("why not", NUANCE),
    ("not only", SANS_EFFET),
    ("not applicable", SANS_EFFET),
    ("no comment", SANS_EFFET),
    ("no comments", SANS_EFFET),
    ("no further comment", SANS_EFFET),
    ("no further comments", SANS_EFFET),
)

# Un oui pour les uns et un non pour les autres : nuancé. Cherchées avant que le mot
# d'ouverture ne soit retiré (« Oui pour les grandes villes, non pour les villages »).
SPLIT_STANCES: tuple[str, ...] = (
    "oui pour … non pour",
    "pour … oui pour … non",
    "yes for … no for",
)

# Mots d'insistance : retirés avant de chercher les formules (« nous soutenons
# pleinement » se lit « nous soutenons »).
INTENSIFIERS: tuple[str, ...] = (
    "tout à fait", "très", "pleinement", "totalement", "entièrement", "résolument",
    "fortement", "vivement", "évidemment", "bien sûr", "bien entendu", "naturellement",
    "absolument", "bien évidemment", "clairement", "donc", "aussi", "également", "bien",
    "certainement", "sincèrement", "activement",
    "fully", "strongly", "very", "really", "also", "clearly", "actively", "wholeheartedly",
)

# Formules cherchées partout dans la réponse.
FORMULAS: tuple[tuple[str, Signal], ...] = (
    # --- Oui : engagement, soutien
    ("nous y sommes favorables", OUI),
    ("sommes favorables", OUI),
    ("y sommes favorables", OUI),
    ("est favorable", OUI),
    ("y est favorable", OUI),
    ("nous le proposerons", OUI),
    ("nous proposerons", OUI),
    ("nous proposons", OUI),
    ("nous le proposons", OUI),
    ("nous soutenons", OUI),
    ("nous soutiendrons", OUI),
    ("nous le soutenons", OUI),
    ("nous appuierons", OUI),
    ("nous encouragerons", OUI),
    ("nous encourageons", OUI),
    ("nous inciterons", OUI),
    ("nous incitons", OUI),
    ("nous entendons", OUI),
    ("nous recommandons", OUI),
    ("nous recommanderons", OUI),
    ("nous défendons", OUI),
    ("nous défendrons", OUI),
    ("nous nous engageons", OUI),
    ("nous nous y engageons", OUI),
    ("nous y veillerons", OUI),
    ("nous le ferons", OUI),
    ("nous le souhaitons", OUI),
    ("nous y sommes prêts", OUI),
    ("nous approuvons", OUI),
    ("nous partageons", OUI),
    ("nous y adhérons", OUI),
    ("nous demanderons", OUI),
    ("nous inviterons", OUI),
    ("nous invitons", OUI),
    ("notre parti soutient", OUI),
    ("le parti soutient", OUI),
    ("notre programme prévoit", OUI),
    ("figure dans notre programme", OUI),
    ("figure déjà dans notre programme", OUI),
    ("c'est déjà le cas", OUI),
    ("nous le faisons déjà", OUI),
    ("c'est une priorité", OUI),
    ("la réponse est oui", OUI),
    ("nous pensons que oui", OUI),
    # --- Non : refus
    ("nous ne souhaitons pas", NON),
    ("nous ne le souhaitons pas", NON),
    ("nous ne le proposerons pas", NON),
    ("nous ne proposerons pas", NON),
    ("nous ne soutenons pas", NON),
    ("nous ne soutiendrons pas", NON),
    ("nous ne le ferons pas", NON),
    ("nous n'entendons pas", NON),
    ("nous n'envisageons pas", NON),
    ("nous ne prévoyons pas", NON),
    ("nous ne comptons pas", NON),
    ("nous n'inciterons pas", NON),
    ("nous n'y sommes pas favorables", NON),
    ("pas favorable", NON),
    ("pas favorables", NON),
    ("défavorable", NON),
    ("défavorables", NON),
    ("sommes opposés", NON),
    ("y sommes opposés", NON),
    ("est opposé", NON),
    ("sommes contre", NON),
    ("nous refusons", NON),
    ("nous rejetons", NON),
    ("n'est pas une priorité", NON),
    ("n'est pas souhaitable", NON),
    ("n'est pas nécessaire", NON),
    ("n'est pas utile", NON),
    ("n'est pas pertinent", NON),
    ("ne nous semble pas opportun", NON),
    ("ne nous semble pas pertinent", NON),
    ("ne nous semble pas nécessaire", NON),
    ("il n'est pas question", NON),
    ("hors de question", NON),
    # Refuser de renoncer n'est pas refuser : tout dépend de ce qui serait abandonné.
    ("pas question de renoncer", SANS_EFFET),
    ("pas question d'abandonner", SANS_EFFET),
    ("pas question de revenir sur", SANS_EFFET),
    ("hors de question de renoncer", SANS_EFFET),
    ("hors de question d'abandonner", SANS_EFFET),
    ("hors de question de revenir sur", SANS_EFFET),
    ("la réponse est non", NON),
    ("nous pensons que non", NON),
    # --- Nuancé : à l'étude, pas encore, non-opposition (une non-opposition n'est pas
    # un engagement : nuancé, pas oui)
    ("nous y réfléchissons", NUANCE),
    ("nous y réfléchirons", NUANCE),
    ("nous réfléchissons", NUANCE),
    ("réflexion est en cours", NUANCE),
    ("à l'étude", NUANCE),
    ("nous étudierons", NUANCE),
    ("nous l'étudierons", NUANCE),
    ("nous étudions", NUANCE),
    ("nous allons étudier", NUANCE),
    ("c'est une piste intéressante", NUANCE),
    ("constitue une piste intéressante", NUANCE),
    ("une piste à explorer", NUANCE),
    ("une piste à étudier", NUANCE),
    ("c'est une idée intéressante", NUANCE),
    ("nous ne sommes pas opposés", NUANCE),
    ("nous n'y sommes pas opposés", NUANCE),
    ("pas opposés", NUANCE),
    ("pas hostiles", NUANCE),
    ("nous ne sommes pas contre", NUANCE),
    ("nous n'avons rien contre", NUANCE),
    ("pourquoi pas", NUANCE),
    ("peut-être", NUANCE),
    # Nuancé seul ; après un « Oui » franc, un détail (« oui, éventuellement sous la
    # forme d'un comité ») qui ne rend pas l'engagement conditionnel.
    ("éventuellement", RESERVE),
    ("pas en l'état", NUANCE),
    ("pas pour l'instant", NUANCE),
    ("pas pour le moment", NUANCE),
    ("pas à ce stade", NUANCE),
    ("pas dans l'immédiat", NUANCE),
    ("la décision appartient … mais", NUANCE),
    ("il appartient … mais", NUANCE),
    ("ce choix appartient … mais", NUANCE),
    # --- Autre proposition : nuancé
    ("plutôt", AUTRE),
    ("nous préférons", AUTRE),
    ("nous privilégions", AUTRE),
    ("nous privilégierons", AUTRE),
    ("une autre solution", AUTRE),
    ("une alternative", AUTRE),
    ("we prefer", AUTRE),
    ("we would rather", AUTRE),
    ("rather than", AUTRE),
    ("instead", AUTRE),
    # --- Conditions qui restreignent un oui (il devient nuancé)
    ("à condition que", CONDITION),
    ("à condition de", CONDITION),
    ("à la condition", CONDITION),
    ("sous réserve", CONDITION),
    ("sous condition", CONDITION),
    ("pourvu que", CONDITION),
    ("dans la mesure du possible", CONDITION),
    ("dans la mesure où", CONDITION),
    ("au cas par cas", CONDITION),
    ("selon les cas", CONDITION),
    ("selon les", CONDITION),
    ("selon leur", CONDITION),
    ("selon leurs", CONDITION),
    ("en fonction de", CONDITION),
    ("en fonction des", CONDITION),
    ("en fonction du", CONDITION),
    ("le cas échéant", CONDITION),
    ("dans certains cas", CONDITION),
    ("lorsque c'est possible", CONDITION),
    ("lorsque cela est possible", CONDITION),
    ("quand c'est possible", CONDITION),
    ("quand cela est possible", CONDITION),
    ("là où c'est possible", CONDITION),
    ("là où cela", CONDITION),
    ("sans en faire une obligation", CONDITION),
    ("ne souhaitons pas en faire une obligation", CONDITION),
    ("ne souhaitons pas l'imposer", CONDITION),
    ("ne souhaitons pas imposer", CONDITION),
    ("sans obligation", CONDITION),
    ("sans l'imposer", CONDITION),
    ("sans imposer", CONDITION),
    ("sans contrainte", CONDITION),
    ("ne pas imposer", CONDITION),
    ("ne pouvons pas imposer", CONDITION),
    ("ne l'imposerons pas", CONDITION),
    ("n'imposerons pas", CONDITION),
    ("de manière facultative", CONDITION),
    ("de façon facultative", CONDITION),
    ("sur la base du volontariat", CONDITION),
    ("sur une base volontaire", CONDITION),
    ("pas de manière systématique", CONDITION),
    ("pas de façon systématique", CONDITION),
    ("de manière non systématique", CONDITION),
    ("pas systématiquement", CONDITION),
    ("pas nécessairement", CONDITION),
    ("pas forcément", CONDITION),
    ("pas obligatoirement", CONDITION),
    ("la décision appartient", CONDITION),
    ("il appartient", CONDITION),
    ("il revient à", CONDITION),
    ("il revient aux", CONDITION),
    ("libre administration", CONDITION),
    ("restent libres", CONDITION),
    ("à terme", CONDITION),
    ("dans un second temps", CONDITION),
    ("uniquement", CONDITION),
    ("seulement", CONDITION),
    ("sauf", CONDITION),
    ("hormis", CONDITION),
    ("à l'exception", CONDITION),
    ("de plus de … habitants", CONDITION),
    ("que si", CONDITION),
    ("qu'à condition", CONDITION),
    # « si » restreint quand il ouvre une condition : « si les moyens le permettent ».
    ("si possible", CONDITION),
    ("si nécessaire", CONDITION),
    ("si besoin", CONDITION),
    ("si le", CONDITION),
    ("si la", CONDITION),
    ("si les", CONDITION),
    ("si l'", CONDITION),
    ("s'il", CONDITION),
    ("s'ils", CONDITION),
    ("si elle", CONDITION),
    ("si elles", CONDITION),
    ("si nous", CONDITION),
    ("si vous", CONDITION),
    ("si on", CONDITION),
    ("si cela", CONDITION),
    ("si ce", CONDITION),
    ("si ces", CONDITION),
    ("si des", CONDITION),
    ("si un", CONDITION),
    ("si une", CONDITION),
    ("si leur", CONDITION),
    ("si leurs", CONDITION),
    ("si chaque", CONDITION),
    # --- Sans effet : ressemblent à une condition ou à un non, n'en sont pas
    ("même si", SANS_EFFET),
    ("même s'il", SANS_EFFET),
    ("même s'ils", SANS_EFFET),
    ("comme si", SANS_EFFET),
    ("si bien que", SANS_EFFET),
    ("non seulement", SANS_EFFET),
    ("pas seulement", SANS_EFFET),
    ("pas uniquement", SANS_EFFET),
    # Formule d'usage, qui ne restreint pas l'engagement.
    ("dans le respect de la libre administration", SANS_EFFET),
    # Une élection à gagner n'est pas une condition mise à l'engagement.
    ("si nous sommes élus", SANS_EFFET),
    ("si nous l'emportons", SANS_EFFET),
    ("si nos candidats sont élus", SANS_EFFET),
    # --- In English
    ("we support", OUI),
    ("we will support", OUI),
    ("we are in favour", OUI),
    ("we are in favor", OUI),
    ("we propose", OUI),
    ("we will propose", OUI),
    ("we encourage", OUI),
    ("we will encourage", OUI),
    ("we are committed", OUI),
    ("we commit", OUI),
    ("we will", OUI),
    ("we already do", OUI),
    ("already the case", OUI),
    ("we do not support", NON),
    ("we don't support", NON),
    ("we will not", NON),
    ("we won't", NON),
    ("we do not wish", NON),
    ("we don't want", NON),
    ("we oppose", NON),
    ("we are opposed", NON),
    ("we are against", NON),
    ("we reject", NON),
    ("we refuse", NON),
    ("is not a priority", NON),
    ("we are considering", NUANCE),
    ("under consideration", NUANCE),
    ("being prepared", NUANCE),
    ("being studied", NUANCE),
    ("we will consider", NUANCE),
    ("we will study", NUANCE),
    ("not yet", NUANCE),
    ("not at this stage", NUANCE),
    ("for the time being", NUANCE),
    ("possibly", RESERVE),
    ("provided that", CONDITION),
    ("provided", CONDITION),
    ("on condition that", CONDITION),
    ("as long as", CONDITION),
    ("only", CONDITION),
    ("except", CONDITION),
    ("where possible", CONDITION),
    ("when possible", CONDITION),
    ("if possible", CONDITION),
    ("if necessary", CONDITION),
    ("depending on", CONDITION),
    ("case by case", CONDITION),
    ("in some cases", CONDITION),
    ("subject to", CONDITION),
    ("above … inhabitants", CONDITION),
    ("over … inhabitants", CONDITION),
    ("more than … inhabitants", CONDITION),
    ("if the", CONDITION),
    ("if it", CONDITION),
    ("if they", CONDITION),
    ("if we", CONDITION),
    ("even if", SANS_EFFET),
    ("not only", SANS_EFFET),
    ("if we are elected", SANS_EFFET),
    ("if elected", SANS_EFFET),
)

# ---------------------------------------------------------------------------------------
# Code (English from here on).
# ---------------------------------------------------------------------------------------

# Sentence ends, and the colon and semicolon that end a clause: « Oui : … » and
# « Non ; … » put the stance before them.
_SENTENCE_END = re.compile(r"[.!?…:;\n\r]+")
_NOT_WORD = re.compile(r"[^a-z0-9'\-. ]+")
_LOOSE_HYPHEN = re.compile(r"(?<![a-z0-9])-|-(?![a-z0-9])")
_SPACES = re.compile(r"\s+")
# "nous le proposerons" -> "nous proposerons"; "nous n'y sommes" -> "nous ne sommes".
_OBJECT_PRONOUNS = re.compile(
    r"(?<![a-z0-9'])nous (ne |n')?(?:(?:le|la|les|y|en|leur|lui) )*(?:l')?"
)
# Up to 20 words of the same sentence (sentence ends are " . " tokens).
_ANY_WORDS = r"(?: [^ .]+){0,20}"
# Words that may come before a formula and still leave it at the start of its sentence.
_LINKS = frozenset({"mais", "et", "toutefois", "cependant", "neanmoins", "but", "and",
                    "however", "yet"})
_BUT = frozenset({"mais", "toutefois", "cependant", "neanmoins", "but", "however", "yet"})


_fold = fold  # lower case, no accents, straight apostrophes; once per answer


def _normalise(folded: str) -> str:
    """Folded text as words separated by single spaces; sentence ends as " . " tokens.
    Each step is skipped when the text cannot need it (they cost more than the search
    for formulas)."""
    text = _NOT_WORD.sub(" ", _SENTENCE_END.sub(" . ", folded))
    if "-" in text:
        text = _LOOSE_HYPHEN.sub(" ", text)
    if "' " in text:
        text = text.replace("' ", "'")  # "l' État" -> "l'etat"
    text = " " + " ".join(text.split()) + " "
    if " nous " not in text:
        return text
    return _OBJECT_PRONOUNS.sub(lambda m: "nous ne " if m.group(1) else "nous ", text)


def _pattern(formula: str) -> re.Pattern[str]:
    parts = [_normalise(_fold(part)).strip() for part in formula.split("…")]
    body = _ANY_WORDS.join(" " + re.escape(part) if i else re.escape(part)
                           for i, part in enumerate(parts))
    # Whole words only; a formula ending with an apostrophe ("si l'") runs into its word.
    end = "" if formula.endswith("'") else r"(?![a-z0-9'\-])"
    return re.compile(r"(?<![a-z0-9'\-])" + body + end)


def _words(formula: str) -> frozenset[str]:
    """The whole words a text must contain for `formula` to match in it (a quick test
    that spares most regular expressions: an answer holds few of the formulas)."""
    return frozenset(word for word in _normalise(_fold(formula.replace("…", " "))).split()
                     if not word.endswith("'"))


def _label_pattern() -> re.Pattern[str]:
    labels = "|".join(re.escape(_fold(label)) for label in
                      sorted(LEADING_LABELS, key=len, reverse=True))
    return re.compile(rf"^(?:{labels})\s*[:：]")


# List markers and characters typed as in a formula: bullets, dashes, "1)", "a.", quotes.
_LEADING_MARK = re.compile(
    r"^(?:[\s\-–—•·*+=@▪◦►▶➢➤→✓✔☑☒■>\"'«»“”(\[]+|\(?(?:\d{1,2}|[a-h]|[ivx]{1,4})[).:]\s)"
)


@dataclass(frozen=True)
class _Formula:
    text: str
    signal: Signal
    needed: frozenset[str]

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Compiled on first need: most formulas are never tried in a run (an answer
        tries only those whose words it holds), and compiling all of them would cost
        more than reading a few hundred answers."""
        return _pattern(self.text)


@dataclass(frozen=True)
class _Rules:
    label: re.Pattern[str]
    # The openings by their first word, each list longest first: (words, as written, signal).
    openings: Mapping[str, tuple[tuple[str, str, Signal], ...]]
    intensifiers: tuple[tuple[frozenset[str], re.Pattern[str]], ...]
    split_stances: tuple[_Formula, ...]
    formulas: tuple[_Formula, ...]  # in the order they are tried
    # Each formula's rank in `formulas`, under one word it needs (its longest): an answer
    # tries only the formulas whose word it holds. Formulas without a whole word:
    always: tuple[int, ...]
    by_word: Mapping[str, tuple[int, ...]]


def _formula(text: str, signal: Signal) -> _Formula:
    return _Formula(text, signal, _words(text))


@functools.cache
def _rules() -> _Rules:
    """The tables above as compiled patterns, made once per process, on first use:
    compiling them costs ~50 ms, which a rerun whose results all come from the cache
    need not pay (the spreadsheet's synthesis imports this module only to count staff
    positions)."""
    # Neutral formulas first (they hide what they contain), then the longest first
    # (as read: "nous le souhaitons" is as long as "nous souhaitons").
    formulas = tuple(
        _formula(text, signal) for text, signal in sorted(
            FORMULAS,
            key=lambda item: (item[1] is not Signal.NEUTRAL,
                              -len(_normalise(_fold(item[0])).strip())),
        )
    )
    by_word: dict[str, list[int]] = {}
    always: list[int] = []
    for rank, formula in enumerate(formulas):
        if formula.needed:
            by_word.setdefault(max(formula.needed, key=len), []).append(rank)
        else:
            always.append(rank)
    return _Rules(
        label=_label_pattern(),
        openings=_by_first_word(OPENINGS),
        intensifiers=tuple((_words(word), _pattern(word))
                           for word in sorted(INTENSIFIERS, key=len, reverse=True)),
        split_stances=tuple(_formula(text, Signal.NUANCED) for text in SPLIT_STANCES),
        formulas=formulas,
        always=tuple(always),
        by_word={word: tuple(ranks) for word, ranks in by_word.items()},
    )


def _by_first_word(
    openings: tuple[tuple[str, Signal], ...],
) -> dict[str, tuple[tuple[str, str, Signal], ...]]:
    grouped: dict[str, list[tuple[str, str, Signal]]] = {}
    for written, signal in openings:
        phrase = _normalise(_fold(written)).strip()
        grouped.setdefault(phrase.split()[0], []).append((phrase, written, signal))
    return {first: tuple(sorted(items, key=lambda item: len(item[0]), reverse=True))
            for first, items in grouped.items()}


# An empty tick box and the option after it, up to the next box or the end of the line.
_UNTICKED = re.compile(r"[☐□][^☐□☑☒■✓✔\n]*")


def _strip_leading_noise(folded: str, label: re.Pattern[str]) -> str:
    text = (_UNTICKED.sub(" ", folded) if "☐" in folded or "□" in folded else folded).strip()
    while True:
        before = text
        text = _LEADING_MARK.sub("", text).lstrip()
        text = label.sub("", text).lstrip()
        if text == before:
            return text


@dataclass(frozen=True)
class PositionReading:
    """An answer's automatic position and the formulas it was read from (for tests and
    for anyone checking why)."""

    position: Position | None
    opening: str | None = None
    found: tuple[tuple[str, Signal], ...] = ()


@dataclass(frozen=True)
class _Hit:
    """A formula found, and where: the sentence (0 for the first), whether only linking
    words come before it in its sentence, whether a « mais » does."""

    signal: Signal
    sentence: int
    at_start: bool
    after_but: bool


def _hit(text: str, start: int, signal: Signal) -> _Hit:
    before = text[:start]
    sentence_start = before.rfind(" . ")
    words = before[sentence_start + 3 if sentence_start >= 0 else 0:].split()
    return _Hit(signal, before.count(" . "), all(w in _LINKS for w in words),
                any(w in _BUT for w in words))


def read_position(text: str | None) -> PositionReading:
    """The automatic position of an answer, with the opening and formulas found.

    No position (None) when there is no answer. `Position.UNSPECIFIED` when the text
    takes no position the rules can see, or when its signals disagree.
    """
    if text is None or not text.strip():
        return PositionReading(None)
    rules = _rules()
    rest = _normalise(_strip_leading_noise(_fold(text), rules.label))
    found: list[tuple[str, Signal]] = []
    hits: list[_Hit] = []
    present = set(rest.split())
    for split in rules.split_stances:  # « Oui pour les villes, non pour les villages »
        match = split.pattern.search(rest) if split.needed <= present else None
        if match is not None:
            found.append((split.text, split.signal))
            hits.append(_hit(rest, match.start(), split.signal))
    opening: str | None = None
    opening_signal: Signal | None = None
    words = rest.replace(" . ", " ")
    first_word = words[1:words.find(" ", 1)]
    for phrase, written, signal in rules.openings.get(first_word, ()):
        if words.startswith(f" {phrase} "):
            opening = written
            if signal is not Signal.NEUTRAL:
                found.append((written, signal))
                opening_signal = signal
            rest = _drop_words(rest, len(phrase.split()))
            break
    present = set(rest.split())
    intensified = False
    for needed, intensifier in rules.intensifiers:
        if needed <= present:
            rest, count = intensifier.subn(" ", rest)
            intensified = intensified or count > 0
    if intensified:
        rest = " " + " ".join(rest.split()) + " "
        present = set(rest.split())
    ranks = sorted({rank for word in present for rank in rules.by_word.get(word, ())}
                   .union(rules.always))
    for rank in ranks:
        formula = rules.formulas[rank]
        if not formula.needed <= present:
            continue
        matches = list(formula.pattern.finditer(rest))
        if not matches:
            continue
        if formula.signal is not Signal.NEUTRAL:
            found.append((formula.text, formula.signal))
            hits.extend(_hit(rest, match.start(), formula.signal) for match in matches)
        rest = formula.pattern.sub(" # ", rest)  # hidden from shorter formulas
    return PositionReading(_decide(opening_signal, hits), opening, tuple(found))


def _drop_words(text: str, count: int) -> str:
    """`text` without its first `count` words (sentence-end tokens are not words)."""
    tokens = text.split()
    kept: list[str] = []
    for index, token in enumerate(tokens):
        if count == 0:
            kept = tokens[index:]
            break
        if token != ".":
            count -= 1
    return " " + " ".join(kept) + " "


_STANCES = (Signal.YES, Signal.NO, Signal.NUANCED, Signal.ALTERNATIVE, Signal.RESERVED)
_RESTRICTIONS = (Signal.NUANCED, Signal.ALTERNATIVE, Signal.CONDITION)


def _decide(opening: Signal | None, hits: list[_Hit]) -> Position:
    """The position, the opening sentence weighed first.

    After a plain « Oui » or « Non », only what stands in the opening sentence or opens a
    later one can qualify the stance: a condition word deep in a long yes does not, and
    what a refusal offers instead (« Non, mais nous conseillons… ») leaves it a refusal.
    """
    if opening is Signal.NUANCED:
        return Position.NUANCED
    if opening is not None:
        stance = {h.signal for h in hits if h.sentence == 0 or h.at_start}
        if opening is Signal.NO:
            return Position.NUANCED if Signal.NUANCED in stance else Position.NO
        if Signal.NO in stance:
            return Position.UNSPECIFIED  # « Oui … nous ne le souhaitons pas »: unsure
        return Position.NUANCED if stance & set(_RESTRICTIONS) else Position.YES
    # No opening word: the first sentence that takes a stance weighs first.
    first = min((h.sentence for h in hits if h.signal in _STANCES), default=None)
    if first is None:
        return Position.UNSPECIFIED  # a condition alone says nothing
    kept = [h for h in hits if h.sentence <= first or h.at_start
            or h.signal in (Signal.YES, Signal.NO)]
    signals = {Signal.NUANCED if h.signal is Signal.RESERVED else h.signal for h in kept}
    yes, no = Signal.YES in signals, Signal.NO in signals
    if yes and no:
        # « Nous soutenons X, mais Y n'est pas nécessaire »: what follows « mais » wins.
        if all(h.sentence == first and h.after_but for h in kept if h.signal is Signal.NO) \
                and not any(h.after_but for h in kept if h.signal is Signal.YES):
            return Position.NO
        return Position.UNSPECIFIED  # two signals disagree: no position rather than a wrong one
    if Signal.ALTERNATIVE in signals:
        return Position.NO if no else Position.NUANCED  # refused, or another way
    if Signal.NUANCED in signals:
        return Position.NUANCED
    if yes:
        return Position.NUANCED if Signal.CONDITION in signals else Position.YES
    if no:
        return Position.NO
    return Position.UNSPECIFIED


def automatic_position(text: str | None) -> Position | None:
    """The automatic position of an answer; None when there is no answer."""
    return read_position(text).position


# What staff may type in a Position column, as they might type it.
_TYPED: dict[str, Position] = {
    "oui": Position.YES,
    "non": Position.NO,
    "nuance": Position.NUANCED,
    "nuancee": Position.NUANCED,
    "non precise": Position.UNSPECIFIED,
    "non precisee": Position.UNSPECIFIED,
    "np": Position.UNSPECIFIED,
}


def parse_position(value: str) -> Position | None:
    """A position typed by staff ("Oui", "nuance", "Non précisé"); None if not one."""
    words = _SPACES.sub(" ", re.sub(r"[^a-z ]+", " ", _fold(value))).strip()
    words = words.removesuffix(" a confirmer").strip()
    return _TYPED.get(words)


# --------------------------------------------------------------------------- synthesis


@dataclass(frozen=True)
class SynthesisRow:
    """One question's positions across the replies.

    `confirmed` counts the positions staff typed, `automatic` those still automatic;
    `unrecognised` the staff entries that are not a position (counted in neither). An
    open question's answers get no automatic position: they are counted in `open_answers`
    (staff may still type a position, counted in `confirmed`).
    """

    question: str
    confirmed: Mapping[Position, int] = field(default_factory=dict)
    automatic: Mapping[Position, int] = field(default_factory=dict)
    unrecognised: int = 0
    no_answer: int = 0  # replies without an answer nor a staff position
    kind: QuestionKind = QuestionKind.CLOSED
    open_answers: int = 0  # answers to an open question without a staff position

    @property
    def is_open(self) -> bool:
        return self.kind is QuestionKind.OPEN

    def count(self, position: Position) -> int:
        """Staff positions counted over automatic ones."""
        return self.confirmed.get(position, 0) + self.automatic.get(position, 0)

    @property
    def total(self) -> int:
        return sum(self.confirmed.values()) + sum(self.automatic.values())

    @property
    def still_automatic(self) -> int:
        return sum(self.automatic.values())

    @property
    def share_automatic(self) -> float:
        """The share of this question's positions not yet confirmed (0 when none)."""
        return self.still_automatic / self.total if self.total else 0.0


def staff_positions(campaign: Campaign | None) -> dict[str, dict[str, str]]:
    """Staff positions by file path, then question id, as typed."""
    if campaign is None:
        return {}
    return {path: dict(item.positions) for path, item in campaign.history.items()
            if item.positions}


# The tool's mark on a staff position whose answer changed (writers.STALE_MARK).
STALE_WORDS = "(à vérifier)"


def synthesis_table(run: Run, campaign: Campaign | None = None) -> tuple[SynthesisRow, ...]:
    """Per question, how many replies say oui, non, nuancé, non précisé.

    Only the replies that will be published count (`Campaign.excluded` lists the
    others: excluded by the staff, in error, or superseded by a newer reply), rows kept
    without being read included. A reply's position is the staff's (from the previous
    workbook, carried by `campaign`) when they typed one on the answer shown now, else
    the automatic one: a staff position whose answer changed since is not confirmed any
    more. An open question's answers have no automatic one (its row says so: `kind`,
    `open_answers`), and writers show such rows apart. Skipped files (Word's owner
    files) are not replies; files gone from the folder are not counted.
    """
    typed = staff_positions(campaign)
    stale = ({path: set(item.stale_positions) for path, item in campaign.history.items()}
             if campaign is not None else {})
    excluded = {item.path for item in campaign.excluded} if campaign is not None else set()
    kept = [k for k in campaign.kept if k.path not in excluded
            and k.status is not Status.SKIPPED] if campaign is not None else []
    rows: list[SynthesisRow] = []
    for question in run.questionnaire.questions:
        confirmed: dict[Position, int] = dict.fromkeys(Position, 0)
        automatic: dict[Position, int] = dict.fromkeys(Position, 0)
        unrecognised = no_answer = open_answers = 0
        is_open = question.kind is QuestionKind.OPEN
        for result in run.files:
            if result.status is Status.SKIPPED or result.path in excluded:
                continue
            staff = typed.get(result.path, {}).get(question.id)
            if staff is not None and question.id not in stale.get(result.path, ()):
                position = parse_position(staff)
                if position is None:
                    unrecognised += 1
                else:
                    confirmed[position] += 1
                continue
            answer = next((a for a in result.answers if a.question == question.id), None)
            if answer is None or answer.text is None:
                no_answer += 1
            elif is_open:
                open_answers += 1  # even a position read before the question was open
            elif answer.position is None:
                no_answer += 1
            else:
                automatic[answer.position] += 1
        for item in kept:
            staff = dict(item.positions).get(question.id)
            tool = dict(item.tool_positions).get(question.id)
            if staff is not None:
                position = parse_position(staff)
                if position is None:
                    unrecognised += 1
                else:
                    confirmed[position] += 1
            elif tool is not None and not is_open and (position := parse_position(
                    tool.removesuffix(STALE_WORDS).strip())) is not None:
                automatic[position] += 1
            elif tool is not None and is_open:
                open_answers += 1
            else:
                no_answer += 1
        rows.append(SynthesisRow(question.id, confirmed, automatic, unrecognised, no_answer,
                                 question.kind, open_answers))
    return tuple(rows)
