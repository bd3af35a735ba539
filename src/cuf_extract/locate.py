"""Blocks of a reply + the questionnaire -> each question's answer, and the text left over.

Questions are found by their wording, never by list style or position: respondents
retype them, number them, turn them into headings or table cells, and Word's bullets
are not in the text anyway. A block is compared with each question after
normalisation (accents, case, punctuation and spacing removed, a leading "1)" or
"Question 1 :" dropped), allowing for small rewording and typos.

The answer to a question is every non-template block between it and the next
question (or the closing block), plus what was typed on the question's own line.
Nothing typed is dropped: text that is not in an answer is returned as extra text,
marked `in_questions_area` when it sits among the questions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from cuf_extract.questionnaire import Questionnaire
from cuf_extract.signature import find_signature
from cuf_extract.text import fold, normalise

if TYPE_CHECKING:
    from cuf_extract.document import Block

# rapidfuzz is imported where text is compared: a rerun whose results all come from the
# cache uses `normalise` only (through respondent), not the matching.

# A block matches a question when its normalised text is at least this similar
# (rapidfuzz ratio, 0-100) to the normalised question. Measured on retyped questions
# with typos, lost accents and a changed word: 84-99; on answers: below 60.
QUESTION_MIN_SCORE = 80.0
# Below this prefix similarity, a block is not even tried as a question preceded by
# other words ("Réponse à la question 1 : …" scores 70-92): French answers score 45-65.
FALLBACK_MIN_SCORE = 65.0
# A long template paragraph this similar to the form's is the form's paragraph, edited:
# it keeps its place (a slightly edited closing block still ends the last answer) and
# its text goes to extra text, since the respondent changed it. Short ones must match.
TEMPLATE_MIN_SCORE = 95.0
TEMPLATE_FUZZY_MIN_LENGTH = 80
# The closing's first characters (normalised) looked for inside the last answer's
# paragraph, and how similar they must be there (rapidfuzz partial ratio, 0-100).
CLOSING_KEY_LENGTH = 60
CLOSING_MIN_SCORE = 90.0
# Among the answers, template lines shorter than this are taken as typed text.
SHORT_TEMPLATE_LENGTH = 40

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NON_WORD = re.compile(r"[\W_]+")
# "1", "1)", "Q1", "Question 1 :", "question n°1" -- after normalisation.
_ENUMERATOR = re.compile(r"^(?:(?:question|q)\s*(?:n\s*o?\s*)?)?\d{1,2}\s+|^(?:question|q)\s+")
# Headings respondents put above their answers ("Questions | Réponses" table header):
# kept in extra text, but no reason to warn.
_COLUMN_LABELS = frozenset(
    {"question", "questions", "reponse", "reponses", "nos reponses", "vos questions",
     "questions posees", "reponses du parti", "questionnaire"}
)
# The polite formulas that open a French letter's sign-off.
_SIGN_OFF = re.compile(
    r"\s*(?:(?:bien |tr[eè]s )?cordialement|bien [àa] vous|salutations|veuillez agr[ée]er|"
    r"(?:je|nous) vous prions d.agr[ée]er|recevez|avec (?:nos|mes) (?:meilleures|sinc[eè]res)|"
    r"avec (?:toutes )?(?:nos|mes) (?:\w+ )?(?:salutations|amiti[ée]s)|"
    r"(?:je reste|nous restons|restant|je demeure|nous demeurons) (?:[àa] votre|[àa] ta|"
    r"[àa] vos) (?:enti[eè]re |pleine )?disposition)\b",
    re.IGNORECASE,
)
# A label typed before a question ("Réponse à la question 1 :"): not worth keeping.
_LABEL = re.compile(
    r"^(?:(?:en |notre |nos |ma |mes )?(?:reponses?|rep) (?:a |de |pour )?(?:la |votre )?)?"
    r"(?:(?:question|q) ?(?:n ?o? ?)?\d{0,2}|(?:premiere|deuxieme|seconde|troisieme|"
    r"quatrieme|cinquieme) question)?$"
)
_TRAILING_PUNCTUATION = " \t\n\u00a0\u202f?:;.,-\u2013\u2014\u2012\u2015)"
# What a form leaves to fill in after a label: "Précisions : ______", "Date : ……".
_FILLER = re.compile(r"_{2,}|\.{3,}|…+")
_FILLER_CHARACTERS = " \t\u00a0\u202f_.…:"
# Check boxes: empty as printed, or ticked (a Word check box reads ☒; typed ticks too).
EMPTY_BOXES = "☐□▢"
TICKED_BOXES = "☒☑✓✔✗✘■▣⊠"
_BOX = re.compile(f"([{EMPTY_BOXES}{TICKED_BOXES}])")
# A box ticked by typing an X over it, or in brackets: "X Oui", "[X] Oui", "(x) Non".
_TYPED_TICK = re.compile(r"(?:(?<![\w\]])[xX](?=\s)|[\[(]\s*[xX]\s*[\])])")


# One character as `normalise` sees it: accents off, case folded.
_fold = lru_cache(maxsize=4096)(fold)


def _normalise_with_index(text: str) -> tuple[str, list[int]]:
    """`normalise`, plus for each output character the index of its source character."""
    out: list[str] = []
    index: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        for piece in _fold(ch):
            if piece.isalnum():
                if pending_space and out:
                    out.append(" ")
                    index.append(i)
                pending_space = False
                out.append(piece)
                index.append(i)
            else:
                pending_space = True
    return "".join(out), index


def _strip_enumerator(norm: str) -> tuple[str, int]:
    match = _ENUMERATOR.match(norm)
    if match is None:
        return norm, 0
    return norm[match.end():], match.end()


class Role(Enum):
    EMPTY = "empty"
    TEMPLATE = "template"
    END_OF_QUESTIONS = "end"  # closing or contact block: ends the last answer
    LEAD_IN = "lead_in"  # the sentence introducing the questions
    QUESTION = "question"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Classified:
    block: Block
    role: Role
    question: str | None = None
    trailing: str = ""  # text typed on the question's own line, after it
    leading: str = ""  # text typed on the question's own line, before it (not a label)
    edited: bool = False  # a template paragraph the respondent changed a little
    form_line: bool = False  # printed among the questions (heading, note…): never an answer
    kept_choice: bool = False  # a check-box line kept while its sisters were deleted


class Place(Enum):
    """Where `locate` put a block."""

    ANSWER = "answer"  # in the answer of `Placement.question`
    QUESTION = "question"  # the question itself; text typed on its line is in `trailing`
    FORM = "form"  # the form's own text (title, instructions, form lines): no answer
    FIELD = "field"  # the value typed in an identification field (`Located.identification`)
    EXTRA = "extra"  # the file's extra text
    EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Placement:
    place: Place
    question: str | None = None  # the question whose area the block stands in
    trailing: str = ""  # for a question: the answer typed on its own line


@dataclass(frozen=True, slots=True)
class Located:
    """Where each question was found and what was typed for it."""

    answers: dict[str, str | None]
    found: frozenset[str]
    extra_text: tuple[str, ...]
    unassigned: tuple[str, ...]  # extra text standing among the questions
    letterhead: str | None  # the first line typed above the form, if any
    # Questions found twice with text after both occurrences (both answers are kept).
    answered_twice: frozenset[str] = frozenset()
    table_header: tuple[str, ...] = ()  # header row of a question/answer table
    possible_signature: tuple[str, ...] = ()  # lines ending the last answer, kept in it
    signature_organisation: str | None = None  # named in a signature cut from the answer
    # What was typed in the form's identification fields: (label, value), in order.
    identification: tuple[tuple[str, str], ...] = ()
    # Questions printed with check boxes, answered, with no box ticked.
    unticked: frozenset[str] = frozenset()
    placements: tuple[Placement, ...] = ()  # one per block, in order: where it was put


class Matcher:
    """The questionnaire, prepared for fast comparisons with a reply's blocks."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire
        self.questions = [(q.id, normalise(q.text)) for q in questionnaire.questions]
        self.questions = [(qid, _strip_enumerator(norm)[0]) for qid, norm in self.questions]
        self.end_marks = {
            q.id: q.text.rstrip()[-1] if q.text.rstrip()[-1:] in ("?", ":") else None
            for q in questionnaire.questions
        }
        end_texts = (*questionnaire.closing, *questionnaire.contact)
        self.template: dict[str, Role] = {}
        for text in questionnaire.template_paragraphs():
            for piece in (text, *text.split("\n")):
                key = normalise(piece)
                if key:
                    self.template.setdefault(key, Role.TEMPLATE)
        for text in end_texts:
            self.template[normalise(text)] = Role.END_OF_QUESTIONS
        if questionnaire.lead_in:
            self.template[normalise(questionnaire.lead_in)] = Role.LEAD_IN
        self.long_template = [k for k in self.template if len(k) >= TEMPLATE_FUZZY_MIN_LENGTH]
        self.form_lines = _form_line_keys(questionnaire.form_lines())
        # Per question, each sub-point's keys: see `_kept_choices`. Sub-questions ("(a) how
        # many … ?") are not choices: they are never the answer.
        self.subpoints = {
            q.id: [_form_line_keys((line,)) for line in q.subpoints]
            for q in questionnaire.questions
            if q.subpoints and not all(_is_label(line) for line in q.subpoints)
        }
        # Per question, the labels it prints for the answer to follow ("Précisions :",
        # "Si non, pourquoi :", sub-questions): text typed after one is the answer,
        # without the label. Longest first, so that "si non pourquoi" wins over "si non".
        self.labels = {
            q.id: tuple(sorted(_form_line_keys(tuple(line for line in (*q.instructions,
                                                                      *q.subpoints)
                                                     if _is_label(line))),
                               key=len, reverse=True))
            for q in questionnaire.questions
        }
        # Per question, its check-box lines: the labels and whether a box comes first.
        self.boxes = {q.id: boxes for q in questionnaire.questions
                      if (boxes := _box_lines(q.instructions))}
        # Check boxes printed one per line ("☐ Oui", "☐ Non"): choices, like sub-points.
        self.box_choices = {
            q.id: [_form_line_keys((line,)) for line in q.instructions
                   if len(_box_lines((line,))) == 1 and len(_box_lines((line,))[0][0]) == 1]
            for q in questionnaire.questions}
        self.box_choices = {qid: groups for qid, groups in self.box_choices.items()
                            if len(groups) >= 2}
        self.fields = [(_field_label(text), normalise(_field_label(text)))
                       for text in questionnaire.fields]
        for key in self.form_lines:
            self.template.setdefault(key, Role.TEMPLATE)
        self.title_key = normalise(questionnaire.title)
        # The start of the closing, to find it run into the last answer's paragraph.
        self.closing_key = normalise(questionnaire.closing[0])[:CLOSING_KEY_LENGTH] if (
            questionnaire.closing) else ""
        # Instruction lines are template only as printed: "Oui ☒ Non ☐" normalises like
        # "Oui ☐ Non ☐" but is the respondent's answer.
        self.instructions: dict[str, set[str]] = {}
        for question in questionnaire.questions:
            for line in question.instructions:
                self.instructions.setdefault(normalise(line), set()).add(" ".join(line.split()))

    def classify(self, block: Block) -> Classified:
        norm = normalise(block.text)
        if not norm:
            return Classified(block, Role.EMPTY)
        role = self.template.get(norm)
        printed = self.instructions.get(norm)
        if printed is not None and " ".join(block.text.split()) not in printed:
            return Classified(block, Role.TEXT)  # an instruction line the respondent edited
        if role is not None:
            return Classified(block, role, form_line=norm in self.form_lines)
        question = self._match_question(block.text, norm)
        if question is not None:
            qid, trailing, leading = question
            return Classified(block, Role.QUESTION, question=qid, trailing=trailing,
                              leading=leading)
        if len(norm) >= TEMPLATE_FUZZY_MIN_LENGTH and self.long_template:
            from rapidfuzz import fuzz, process  # (imported here: most blocks return above)

            best = process.extractOne(
                norm, self.long_template, scorer=fuzz.ratio, score_cutoff=TEMPLATE_MIN_SCORE
            )
            if best is not None:
                return Classified(block, self.template[best[0]], edited=True)
        return Classified(block, Role.TEXT)

    def _match_question(self, text: str, norm: str) -> tuple[str, str, str] | None:
        """(question id, text typed after it on the same line, text typed before it),
        or None."""
        from rapidfuzz import fuzz
        body, _ = _strip_enumerator(norm)
        best_id, best_score, best_norm, best_start = None, 0.0, "", 0
        for qid, qnorm in self.questions:
            if len(body) < 0.6 * len(qnorm):
                continue
            start = 0
            score = fuzz.ratio(qnorm, body[: len(qnorm)], score_cutoff=FALLBACK_MIN_SCORE)
            if 0 < score < QUESTION_MIN_SCORE and len(body) > len(qnorm):
                # The question may not start the paragraph ("Réponse à la question 1 : …").
                alignment = fuzz.partial_ratio_alignment(qnorm, body, score_cutoff=60)
                if alignment is not None and alignment.dest_start <= 40:
                    score, start = alignment.score, alignment.dest_start
            if score > best_score:
                best_id, best_score, best_norm, best_start = qid, score, qnorm, start
        if best_id is None or best_score < QUESTION_MIN_SCORE:
            return None
        trailing, leading = _around_question(text, best_norm, self.end_marks[best_id], best_start)
        return best_id, trailing, leading


# A list label a form line may carry in its text ("a) la jeunesse") but not in a reply
# whose Word list shows it outside the text, or the other way round.
_LINE_LABEL = re.compile(r"^(?:[a-z]|\d{1,2}|[ivx]{1,4}) ")


def _form_line_keys(lines: tuple[str, ...]) -> frozenset[str]:
    """Normalised form lines (each line of a multi-line one too), with and without a
    leading list label."""
    keys: set[str] = set()
    for text in lines:
        for piece in (text, *text.split("\n")):
            key = normalise(piece)
            if key:
                keys.add(key)
                stripped = _LINE_LABEL.sub("", key)
                if stripped:
                    keys.add(stripped)
    return frozenset(keys)


def _is_label(line: str) -> bool:
    """A form line that a typed answer follows on the same line: "Précisions :",
    "Si non, pourquoi : ……", "(a) how many … ?"."""
    return _FILLER.sub("", line).rstrip(_FILLER_CHARACTERS[:4] + "_.…").endswith((":", "?"))


def _field_label(text: str) -> str:
    """"Organisation : ______" -> "Organisation"."""
    return _FILLER.sub("", text).strip(_FILLER_CHARACTERS).strip()


# What closes a label where the typed text starts: its ":" or "?", or the dots left.
_LABEL_END = re.compile(r"^[\s\u00a0\u202f]*(?:[:?]|_{2,}|\.{3,}|…)")


def _after_key(text: str, key: str, *, closed: bool = False) -> str | None:
    """What `text` holds after its first words, when they normalise to `key`: the label
    "Précisions :" taken off "Précisions : Nous proposerons…". None if they do not, or,
    when `closed`, if the label's ":" or "?" does not follow them ("Comments are
    welcome" does not start with the label "Comments:")."""
    norm, index = _normalise_with_index(text)
    if norm == key:
        return ""
    if not norm.startswith(key + " "):
        return None
    rest = text[index[len(key) - 1] + 1:]
    if closed and not _LABEL_END.match(rest):
        return None
    return _FILLER.sub(" ", rest).lstrip(_TRAILING_PUNCTUATION).rstrip()


def _strip_label(line: str, keys: tuple[str, ...]) -> str:
    """`line` without the form's label opening it (keys longest first)."""
    for key in keys:
        rest = _after_key(line, key, closed=True)
        if rest is not None:
            return rest
    return line


BoxLine = tuple[tuple[str, ...], bool]  # the labels of a check-box line, box first or not


def _box_lines(instructions: tuple[str, ...]) -> tuple[BoxLine, ...]:
    """The check-box lines among a question's instructions: "☐ Oui   ☐ Non" gives
    (("Oui", "Non"), True), "Oui ☐ Non ☐" (("Oui", "Non"), False)."""
    found: list[BoxLine] = []
    for line in instructions:
        pieces = _BOX.split(line)
        if len(pieces) < 3:
            continue
        box_first = not pieces[0].strip()
        texts = pieces[2::2] if box_first else pieces[0::2][:-1]
        labels = tuple(t.strip(" \t\u00a0/|,;") for t in texts)
        if all(labels):
            found.append((labels, box_first))
    return tuple(found)


def _ticks(line: str, boxes: tuple[BoxLine, ...], *,
           kept: bool = False) -> tuple[list[str], bool] | None:
    """A check-box line of a reply read as its answer: the label of each ticked box,
    followed by any text typed with it, then text typed by an empty box ("☒ Oui ☐ Non"
    -> ["Oui"]; "☐ Oui ☒ Non, trop cher" -> ["Non, trop cher"]); and whether a box was
    ticked (or chosen). None when the line is not one of the question's check-box lines.

    With no box ticked, boxes the respondent kept while deleting the others are chosen,
    as « Oui » left of « Oui / Non » is: "☐ Oui" left of "☐ Oui ☐ Non", or a line
    "☐ Oui" whose sister line "☐ Non" was deleted (`kept`, see `_kept_choices`)."""
    all_labels = [label for labels, _ in boxes for label in labels]
    keys = sorted({normalise(label) for label in all_labels}, key=len, reverse=True)
    if not keys:
        return None
    labels_at = "|".join(re.escape(label) for label in sorted(set(all_labels), key=len,
                                                             reverse=True))
    line = re.sub(rf"{_TYPED_TICK.pattern}\s*(?=(?:{labels_at})\b)", "☒ ", line,
                  flags=re.IGNORECASE)
    pieces = _BOX.split(line)
    if len(pieces) < 3:
        return None
    box_first = next((first for labels, first in boxes), True)
    # Each box of the line: (glyph, its label's key or None, the text by the box, the
    # label as typed, text typed before the label).
    entries: list[tuple[str, str | None, str, str, str]] = []
    lead = ""
    if box_first:
        lead = pieces[0].strip()
        for glyph, text in zip(pieces[1::2], pieces[2::2], strict=True):
            text = text.strip(" \t\u00a0/|;")
            key = next((k for k in keys if _after_key(text, k) is not None), None)
            entries.append((glyph, key, text, text.rstrip(" ,"), ""))
        tail = ""
    else:  # "Oui ☐ Non ☐": each box follows its label
        texts, glyphs = pieces[0::2], pieces[1::2]
        for k, glyph in enumerate(glyphs):
            text = texts[k].strip(" \t\u00a0/|;,")
            key = next((kk for kk in keys if normalise(text).endswith(kk)), None)
            if key is None:
                entries.append((glyph, None, text, "", ""))
                continue
            norm, index = _normalise_with_index(text)
            start = index[len(norm) - len(key)] if norm else 0
            entries.append((glyph, key, text, text[start:], text[:start].strip(" ,;")))
        tail = texts[-1].strip(" \t\u00a0/|;,")
    seen = {key for _, key, _, _, _ in entries if key is not None}
    if not seen:
        return None  # glyphs standing by none of the labels: typed text ("■ a bullet")
    ticked = any(glyph in TICKED_BOXES for glyph, key, _, _, _ in entries if key)
    printed = max((frozenset(normalise(label) for label in labels) for labels, _ in boxes),
                  key=lambda line_keys: len(line_keys & seen))
    chosen = not ticked and (kept or seen < printed)
    out = [lead] if lead else []
    for glyph, key, text, label, before in entries:
        if before:
            out.append(before)
        if key is None:
            if text:
                out.append(text)
        elif glyph in TICKED_BOXES or chosen:
            out.append(label)
        elif box_first:
            rest = _after_key(text, key)
            if rest:
                out.append(rest)
    if tail and out and entries[-1][1] and (entries[-1][0] in TICKED_BOXES or chosen):
        out[-1] = f"{out[-1]} {tail}"  # "Non ☒ trop cher" -> "Non trop cher"
    elif tail:
        out.append(tail)
    return out, ticked or chosen


_FIELD_SEPARATOR = re.compile(r"^[\s\u00a0\u202f]*(?::|_{2,}|\.{3,}|…)")


def _field_value(text: str, fields: list[tuple[str, str]]) -> tuple[str, str] | None:
    """(label, value) when `text` is an identification field with something typed
    after its label and colon: "Organisation : Parti des Communes"."""
    for label, key in fields:
        if not key:
            continue
        norm, index = _normalise_with_index(text)
        if not norm.startswith(key + " "):
            continue
        if not _FIELD_SEPARATOR.match(text[index[len(key) - 1] + 1:]):
            continue  # "Date limite de réponse…": not the field
        rest = _after_key(text, key)
        if rest:
            return label, rest
    return None


def _filled(text: str) -> str:
    """A value typed in a field's cell or under it, without what is left of the dots."""
    return " ".join(_FILLER.sub(" ", text).split()).strip(" :")


def _around_question(
    text: str, qnorm: str, end_mark: str | None, start: int
) -> tuple[str, str]:
    """What was typed after the question in the same paragraph, and before it (beyond a
    mere "Question 1 :" label), in the original characters. `start` is where the
    question begins in the normalised paragraph, after any enumerator."""
    from rapidfuzz import fuzz

    lo, hi = len(qnorm) * 0.6, len(qnorm) * 1.3
    if (
        start == 0
        and end_mark
        and text.rstrip().endswith(end_mark)
        and text.count(end_mark) == 1
        and lo <= len(_strip_enumerator(normalise(text))[0]) <= hi
    ):
        # The usual case, decided without the slow per-character mapping: the only
        # closing mark ends the paragraph where the question should end.
        return "", ""
    norm, index = _normalise_with_index(text)
    body, offset = _strip_enumerator(norm)
    leading = ""
    if start > 0:
        before = text[: index[offset + start]].strip(_TRAILING_PUNCTUATION + "«»\"'")
        if not _LABEL.match(normalise(before)):
            leading = before
    # The question's own closing mark ("?") where the question should end is the cut:
    # of several ("… avec la commune ? Si oui, laquelle ?"), the nearest to its length.
    if end_mark:
        cuts = []
        for match in re.finditer(re.escape(end_mark), text):
            position = bisect_left(index, match.start()) - offset - start
            if lo <= position <= hi:
                cuts.append((abs(position - len(qnorm)), match.end()))
        if cuts:
            cut = min(cuts)[1]
            return _after_question(text[cut:]), leading
    # Otherwise, the word boundary that makes the best match with the question.
    question_body = body[start:]
    candidates = [m.start() for m in re.finditer(" ", question_body)] + [len(question_body)]
    best_end, best_score = len(question_body), -1.0
    for end in candidates:
        if lo <= end <= hi:
            score = fuzz.ratio(qnorm, question_body[:end])
            if score > best_score:
                best_end, best_score = end, score
    if best_end >= len(question_body):
        return "", leading
    cut = index[offset + start + best_end - 1] + 1  # just after the question's last letter
    return _after_question(text[cut:]), leading


def _after_question(text: str) -> str:
    """The answer typed after the question on its line, without the punctuation that
    separates them (« ? », « : », « – »); a dash glued to the answer's first word
    (« -Oui ») is the answer's own."""
    stripped = text.lstrip(_TRAILING_PUNCTUATION)
    separator = text[:len(text) - len(stripped)]
    if separator.endswith(("-", "\u2013", "\u2014")) and stripped[:1].isalnum():
        return (separator[-1] + stripped).strip()
    return stripped.strip()


def _format(block: Block, text: str | None = None) -> str:
    value = (block.text if text is None else text).strip()
    if block.list_label and text is None:
        return f"{'  ' * block.list_level}{block.list_label} {value}"
    return value


def locate(blocks: tuple[Block, ...] | list[Block], matcher: Matcher) -> Located:
    """Assign each block of a reply to a question's answer, the template, or extra text."""
    classified = [matcher.classify(block) for block in blocks]
    question_ids = [q.id for q in matcher.questionnaire.questions]
    markers = [i for i, c in enumerate(classified) if c.role is Role.QUESTION]
    if markers and len({classified[i].question for i in markers}) < len(question_ids):
        _questions_run_in(classified, markers[0], matcher)
        markers = [i for i, c in enumerate(classified) if c.role is Role.QUESTION]
    _question_labels(classified, markers)
    if matcher.subpoints:
        _kept_choices(classified, markers, matcher.subpoints)
    if matcher.box_choices:
        _kept_choices(classified, markers, matcher.box_choices, boxes=True)
    if not markers:
        return Located(
            answers=dict.fromkeys(question_ids),
            found=frozenset(),
            # A letter may well repeat a line of the form (the addressee's title): keep all.
            extra_text=tuple(_format(c.block) for c in classified if c.role is not Role.EMPTY),
            unassigned=(),
            letterhead=_letterhead(classified),
            placements=tuple(Placement(Place.EMPTY if c.role is Role.EMPTY else Place.EXTRA)
                             for c in classified),
        )

    _closing_run_in(classified, markers[-1], matcher)
    first_marker = markers[0]
    for i in _title_pieces(classified[:first_marker], matcher):
        classified[i] = replace(classified[i], role=Role.TEMPLATE)
    lead_in = next((i for i, c in enumerate(classified) if c.role is Role.LEAD_IN), None)
    end = next(
        (i for i in range(markers[-1] + 1, len(classified))
         if classified[i].role is Role.END_OF_QUESTIONS),
        None,
    )
    if end is None:
        # The closing block was deleted: a letter's sign-off ("Cordialement, …") still
        # ends the last answer, so the signature is not taken for part of it.
        end = next(
            (i for i in range(markers[-1] + 1, len(classified))
             if classified[i].role is Role.TEXT and _SIGN_OFF.match(classified[i].block.text)),
            None,
        )
    signature: tuple[tuple[str, ...], str | None] = ((), None)
    if end is None:
        # No sign-off formula either: the last lines may still be a signature.
        end, signature = _signature_end(classified, markers[-1], first_marker)

    header_row = _table_header_row(classified, markers)
    form_block = _form_blocks(classified, first_marker, end)
    parts: dict[str, list[str]] = {qid: [] for qid in question_ids}
    extra: list[str] = []
    unassigned: list[str] = []
    current: str | None = None
    # Per question, how many of its occurrences have text after them.
    answered: dict[str, int] = dict.fromkeys(question_ids, 0)
    occurrence_has_text = False
    identification: list[tuple[str, str]] = []
    field_keys = {key: label for label, key in matcher.fields if key}
    pending_field: str | None = None  # an untouched field line just above
    field_rows: dict[tuple[int, int], str] = {}  # (table, row) of a field's label cell
    ticked: set[str] = set()
    placements: list[Placement] = []
    for i, item in enumerate(classified):
        placements.append(_placement(item, current, i, first_marker, end, header_row,
                                     form_block))
        if item.role is Role.EMPTY:
            continue
        outside = i < first_marker or i >= end or current is None
        if field_keys and outside and item.role is not Role.QUESTION:
            label = field_keys.get(normalise(_FILLER.sub(" ", item.block.text)))
            if label is not None and item.role is Role.TEMPLATE:
                pending_field = label
                if item.block.cell is not None:
                    field_rows[item.block.cell[:2]] = label
                continue
            if item.role is Role.TEXT:
                value = _identification(item.block, matcher.fields, field_rows,
                                        pending_field if i < first_marker else None)
                pending_field = None
                if value is not None:
                    if value[1]:
                        identification.append(value)
                    placements[-1] = Placement(Place.FIELD, current)
                    continue
        pending_field = None
        if item.role is Role.QUESTION:
            current = item.question
            placements[-1] = Placement(Place.QUESTION, current, item.trailing)
            occurrence_has_text = False
            if item.leading:
                extra.append(item.leading)
            if item.trailing and current is not None:
                parts[current].append(item.trailing)
                answered[current] += 1
                occurrence_has_text = True
            continue
        if item.role is not Role.TEXT and not (
            first_marker < i < end and _short_template(item) and i not in form_block
        ):
            if item.edited:
                extra.append(_format(item.block))
            continue
        line = _format(item.block)
        if i in header_row and i > first_marker:
            # A question/answer table typed after the form's untouched questions: its
            # header row is layout, not the end of the previous question's answer.
            extra.append(line)
        elif i < first_marker:
            extra.append(line)
            if (lead_in is not None and i > lead_in and normalise(line) not in _COLUMN_LABELS
                    and i not in header_row):
                unassigned.append(line)
        elif i >= end or current is None:
            extra.append(line)
        else:
            lines = [line]
            read = (_ticks(line, matcher.boxes[current], kept=item.kept_choice)
                    if current in matcher.boxes else None)
            if read is not None:
                lines = read[0]
                if read[1]:
                    ticked.add(current)
            elif matcher.labels.get(current):
                lines = [_strip_label(line, matcher.labels[current])]
            lines = [text for text in lines if text]
            if not lines:
                continue  # a label or an empty box line, edited but with nothing typed
            parts[current].extend(lines)
            if not occurrence_has_text:
                answered[current] += 1
                occurrence_has_text = True

    answers = {qid: ("\n".join(lines) if lines else None) for qid, lines in parts.items()}
    return Located(
        answers=answers,
        found=frozenset(c.question for c in classified if c.question is not None),
        extra_text=tuple(extra),
        unassigned=tuple(unassigned),
        letterhead=_letterhead(classified),
        answered_twice=frozenset(qid for qid, count in answered.items() if count > 1),
        table_header=tuple(classified[i].block.text.strip() for i in sorted(header_row)
                           if classified[i].role is Role.TEXT),
        possible_signature=signature[0],
        signature_organisation=signature[1],
        identification=tuple(identification),
        unticked=frozenset(qid for qid in matcher.boxes if answers.get(qid)
                           and qid not in ticked),
        placements=tuple(placements),
    )


def _placement(item: Classified, current: str | None, i: int, first_marker: int, end: int,
               header_row: frozenset[int], form_block: frozenset[int]) -> Placement:
    """Where the loop of `locate` puts block `i` (a question's and an identification
    field's placements are set there)."""
    if item.role is Role.EMPTY:
        return Placement(Place.EMPTY, current)
    if item.role is not Role.TEXT and not (
        first_marker < i < end and _short_template(item) and i not in form_block
    ):
        return Placement(Place.FORM, current)
    if (i in header_row and i > first_marker) or i < first_marker or i >= end or current is None:
        return Placement(Place.EXTRA, current)
    return Placement(Place.ANSWER, current)


def _identification(
    block: Block, fields: list[tuple[str, str]], field_rows: dict[tuple[int, int], str],
    pending: str | None,
) -> tuple[str, str] | None:
    """(label, value) when this typed block fills an identification field: the field's
    line with its value ("Organisation : Parti X"), the cell beside a field's label
    cell, or the line just under an untouched field line. None when it is none of them."""
    found = _field_value(block.text, fields)
    if found is not None:
        return found
    if block.cell is not None and block.cell[:2] in field_rows:
        return field_rows[block.cell[:2]], _filled(block.text)
    if pending is not None and block.cell is None and len(block.text) <= 120:
        return pending, _filled(block.text)
    return None


def _closing_run_in(classified: list[Classified], last_marker: int, matcher: Matcher) -> None:
    """The form's closing run into the end of the last answer's paragraph (or into the
    last question's, its answer left blank): split there, so that it ends the answer.
    A PDF without paragraph spacing joins the lines so; a respondent may type on in
    Word. What follows the closing in that paragraph stays visible as edited template
    text (extra text) unless it is only the form's."""
    key = matcher.closing_key
    if not key:
        return
    for i in range(last_marker, len(classified)):
        item = classified[i]
        if item.role is Role.END_OF_QUESTIONS:
            return  # the closing is found whole (or its next paragraph is)
        if item.role is Role.TEXT:
            text = item.block.text
        elif item.role is Role.QUESTION and item.trailing:
            text = item.trailing
        else:
            continue
        cut = _closing_start(text, key, whole=item.role is Role.QUESTION)
        if cut is None:
            continue
        head, tail = text[:cut].rstrip(), text[cut:].strip()
        ending = replace(item.block, text=tail, list_label=None, list_level=0)
        tail_norm = normalise(tail)
        ends = (*matcher.questionnaire.closing, *matcher.questionnaire.contact)
        known = any(tail_norm == normalise(" ".join(ends[:n])) for n in range(1, len(ends) + 1))
        closing = Classified(ending, Role.END_OF_QUESTIONS, edited=not known)
        if item.role is Role.QUESTION:
            classified[i] = replace(item, trailing=head)
        else:
            classified[i] = replace(item, block=replace(item.block, text=head),
                                    role=Role.TEXT if head else Role.EMPTY)
        classified.insert(i + 1, closing)
        return


# A question's number typed as its own paragraph above it: « Question 2 : », « Q2. ».
_NUMBER_LABEL = re.compile(r"^(?:question|q) ?(?:n ?o? ?)?\d{1,2}$")


def _question_labels(classified: list[Classified], markers: list[int]) -> None:
    """A « Question N : » paragraph right above a question is its label, as it would be
    on the question's own line: not the end of the previous answer."""
    for marker in markers:
        i = marker - 1
        while i >= 0 and classified[i].role is Role.EMPTY:
            i -= 1
        if (i >= 0 and classified[i].role is Role.TEXT
                and len(classified[i].block.text) <= 24
                and _NUMBER_LABEL.match(normalise(classified[i].block.text))):
            classified[i] = replace(classified[i], role=Role.TEMPLATE, form_line=True)


def _questions_run_in(classified: list[Classified], first_marker: int,
                      matcher: Matcher) -> None:
    """A question not found may have run into the paragraph before it: the previous
    answer's last sentence and the question in one paragraph (a PDF without paragraph
    spacing joins them when that sentence fills its last line). Split such a paragraph
    where the question starts, after a sentence's end."""
    found = {c.question for c in classified if c.question is not None}
    keys = [(qid, qnorm[:CLOSING_KEY_LENGTH]) for qid, qnorm in matcher.questions
            if qid not in found]
    i = first_marker + 1
    while i < len(classified) and keys:
        item = classified[i]
        i += 1
        if item.role is not Role.TEXT or len(item.block.text) < CLOSING_KEY_LENGTH:
            continue
        for qid, key in keys:
            cut = _closing_start(item.block.text, key, whole=False)
            if cut is None or not re.search(r"[.!?:…»)]\s*$", item.block.text[:cut]):
                continue
            question = matcher.classify(replace(item.block, text=item.block.text[cut:],
                                                list_label=None, list_level=0))
            if question.question != qid:
                continue
            classified[i - 1] = replace(item, block=replace(
                item.block, text=item.block.text[:cut].rstrip()))
            classified.insert(i, question)
            keys.remove((qid, key))
            break


def _closing_start(text: str, key: str, *, whole: bool) -> int | None:
    """Where the closing (`key`: its normalised start) begins inside `text`, after
    other words (or, if `whole`, at its very start too), or None."""
    from rapidfuzz import fuzz

    norm = normalise(text)
    if len(norm) < len(key) or fuzz.partial_ratio(key, norm) < CLOSING_MIN_SCORE:
        return None  # the usual case, decided without the per-character mapping
    norm, index = _normalise_with_index(text)
    found = fuzz.partial_ratio_alignment(key, norm, score_cutoff=CLOSING_MIN_SCORE)
    if found is None:
        return None
    start = found.dest_start
    if start and norm[start - 1] != " ":  # the alignment may start inside a word
        start = norm.rfind(" ", 0, start) + 1
    if start == 0:
        return 0 if whole else None
    return index[start]


def _kept_choices(classified: list[Classified], markers: list[int],
                  choices: dict[str, list[frozenset[str]]], *, boxes: bool = False) -> None:
    """Sub-points (or check-box lines, `boxes`) read as choices: when a respondent kept
    some of a question's sub-points and deleted the others ("b) une région" left of
    "a) … b) … c) …"), the ones kept are the answer, not the form's text."""
    for n, start in enumerate(markers):
        groups = choices.get(classified[start].question or "")
        if not groups:
            continue
        end = markers[n + 1] if n + 1 < len(markers) else len(classified)
        found: dict[int, int] = {}  # block index -> which sub-point, kept as printed
        edited: set[int] = set()  # sub-points still there, with text typed on their line
        for i in range(start + 1, end):
            item = classified[i]
            key = normalise(item.block.text)
            if item.form_line:
                which = next((k for k, keys in enumerate(groups) if key in keys), None)
                if which is not None:
                    found[i] = which
            elif item.role is Role.TEXT:
                edited.update(k for k, keys in enumerate(groups)
                              if any(key == printed or key.startswith(f"{printed} ")
                                     for printed in keys))
        present = set(found.values()) | edited
        if found and len(present) < len(groups):
            for i in found:
                classified[i] = replace(classified[i], role=Role.TEXT, form_line=False,
                                        kept_choice=boxes)


def _signature_end(
    classified: list[Classified], last_marker: int, first_marker: int = 0
) -> tuple[int, tuple[tuple[str, ...], str | None]]:
    """Where the last answer ends when nothing of the form closes it: before a
    signature block that is certainly one (its organisation line, if any, returned
    too); else at the end, with the lines of an unsure block to report. The text above
    the first question (a letterhead, a title naming the party) is what the reply says
    of itself: an organisation it names, alone on the last line, signs the reply."""
    above = " ".join(c.block.text for c in classified[:first_marker]
                     if c.role is not Role.EMPTY)
    trailing = [i for i in range(last_marker + 1, len(classified))
                if classified[i].role is Role.TEXT]
    # A signature is typed on plain lines, not in list items or table cells.
    tail: list[int] = []
    for i in reversed(trailing):
        block = classified[i].block
        if block.list_label or block.cell is not None:
            break
        tail.insert(0, i)
    # Line by line: a signature is often typed in one paragraph with line breaks.
    pieces = [(i, line.strip()) for i in tail
              for line in classified[i].block.text.split("\n") if line.strip()]
    found = find_signature([line for _, line in pieces], above) if pieces else None
    if found is None:
        return len(classified), ((), None)
    start = found.start
    # The answer is cut between paragraphs: a signature starting inside one starts at
    # the next (judged again from there), or is only reported.
    while 0 < start < len(pieces) and pieces[start - 1][0] == pieces[start][0]:
        start += 1
    reported = tuple(line for _, line in pieces[found.start:])
    if start == len(pieces):
        return len(classified), (reported, None)
    if start != found.start:
        found = find_signature([line for _, line in pieces[start:]], above)
        if found is None:
            return len(classified), ((), None)
        reported = tuple(line for _, line in pieces[start:])
    first = pieces[start][0]
    if found.certain and trailing.index(first) > 0:
        return first, ((), found.organisation)
    return len(classified), (reported, None)


# A header cell of a question/answer table is short: "Question", "Réponse du Groupe …".
TABLE_HEADER_MAX_LENGTH = 100


def _table_header_row(classified: list[Classified], markers: list[int]) -> frozenset[int]:
    """In each table holding questions, the blocks of the rows above its first question's
    row, when they are a header (short cells, or a row Word repeats as header:
    `w:tblHeader`): layout typed by the respondent, not an answer put in the wrong place.
    Every table counts, not only the first question's: a reply may keep the form's
    questions untouched and answer in a question/answer table pasted after them."""
    found: set[int] = set()
    seen: set[int] = set()
    for marker in markers:
        first = classified[marker].block.cell
        if first is None or first[0] in seen:
            continue
        seen.add(first[0])
        rows = [i for i in range(marker)
                if (cell := classified[i].block.cell) is not None
                and cell[0] == first[0] and cell[1] < first[1]]
        if not any(classified[i].role is Role.TEXT and not classified[i].block.table_header
                   and len(classified[i].block.text.strip()) > TABLE_HEADER_MAX_LENGTH
                   for i in rows):
            found.update(rows)
    return frozenset(found)


def _title_pieces(classified: list[Classified], matcher: Matcher) -> list[int]:
    """The text lines, above the questions, that are the form's title wrapped at other
    places than the form's own line break (as a PDF wraps a large title): consecutive
    lines that together give the whole title. They are the form's, not a letterhead.
    A heading typed with some of the title's words is not the whole title: kept."""
    title = matcher.title_key
    pieces: list[int] = []
    run: list[int] = []
    joined = ""
    for i, item in enumerate(classified):
        if item.role is Role.EMPTY:
            continue
        key = normalise(item.block.text)
        candidate = f"{joined} {key}".strip()
        if item.role in (Role.TEXT, Role.TEMPLATE) and title.startswith(candidate) and (
                len(candidate) == len(title) or title[len(candidate)] == " "):
            run.append(i)
            joined = candidate
            if joined == title:
                pieces += [j for j in run if classified[j].role is Role.TEXT]
                run, joined = [], ""
            continue
        run, joined = [], ""
        if item.role in (Role.TEXT, Role.TEMPLATE) and title.startswith(key) and (
                len(key) == len(title) or title[len(key)] == " "):
            run, joined = [i], key
    return pieces


def _form_blocks(classified: list[Classified], first_marker: int, end: int) -> frozenset[int]:
    """Template lines, among the answers, that are part of an untouched block of the form
    (the closing and contact block between the form's questions and a copy of the
    questions pasted below it): runs of template lines, one of them long, that lie
    wholly among the answers. Their short lines ("Contact :") are the form's there."""
    found: set[int] = set()
    run: list[int] = []
    for i in range(first_marker + 1, end + 1):
        item = classified[i] if i < end else None
        if item is not None and item.role is Role.EMPTY:
            continue
        if item is not None and item.role in (Role.TEMPLATE, Role.END_OF_QUESTIONS,
                                              Role.LEAD_IN) and not item.edited:
            run.append(i)
            continue
        if len(run) >= 2 and not all(_short_template(classified[j]) for j in run):
            found.update(run)
        run = []
    return frozenset(found)


def _short_template(item: Classified) -> bool:
    """A short template line ("Contact :") met among the answers is taken as typed text:
    nothing of the form stands between the questions, and "Contact" is a fine answer.
    Lines the form prints among its questions (headings, notes, instructions) are not."""
    if item.form_line:
        return False
    return item.role in (Role.TEMPLATE, Role.END_OF_QUESTIONS, Role.LEAD_IN) and (
        len(normalise(item.block.text)) < SHORT_TEMPLATE_LENGTH
    )


def _letterhead(classified: list[Classified]) -> str | None:
    """The first short line typed above the form's first template paragraph."""
    for item in classified:
        if item.role in (Role.TEMPLATE, Role.LEAD_IN, Role.QUESTION, Role.END_OF_QUESTIONS):
            return None
        if item.role is Role.TEXT:
            line = item.block.text.strip().split("\n")[0].strip()
            return line if 0 < len(line) <= 120 else None
    return None
