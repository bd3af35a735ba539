"""The publication as one self-contained HTML page, to paste into a website.

No external asset (no script, font, image or stylesheet link): the style sits in the
page and uses the system's fonts; a viewport and a maximum width make it readable on a
phone. Plain semantic markup (h1–h3, p, ul/ol, a table of contents linking to each
question's id), every text escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

from cuf_extract.publication_model import (
    FREE_FORMAT_HEADING,
    FREE_FORMAT_NOTE,
    NO_ANSWER,
    NOT_REPLIED_HEADING,
    SYNTHESIS_HEADING,
    SYNTHESIS_NOTE,
    AnswerBlock,
    ListBlock,
    Paragraph,
    Publication,
    intro_lines,
    one_line_title,
    question_heading,
    synthesis_cells,
    synthesis_header,
)
from cuf_extract.writers import clean_text
from cuf_extract.writers.atomic import atomic_write

__all__ = ["FREE_FORMAT_ANCHOR", "NOT_REPLIED_ANCHOR", "question_anchor", "render_html",
           "write_publication_html"]

NOT_REPLIED_ANCHOR = "sans-reponse"
FREE_FORMAT_ANCHOR = "format-libre"
_ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

_STYLE = """
body { margin: 0; background: #fff; color: #1a1a1a; }
.publication { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 3rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; font-size: 1.05rem; line-height: 1.55; overflow-wrap: break-word; }
.publication h1 { font-size: 1.6rem; line-height: 1.25; margin: 1rem 0 .5rem; }
.publication h2 { font-size: 1.3rem; line-height: 1.3; margin: 2.5rem 0 1rem;
  padding-top: 1rem; border-top: 2px solid #1f4e78; color: #1f4e78; }
.publication h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.publication .byline { color: #555; margin-top: 0; }
.publication .no-answer { font-style: italic; color: #555; }
.publication nav ol { padding-left: 1.5rem; }
.publication nav li { margin: .35rem 0; }
.publication a { color: #1f4e78; }
.publication .table-wrap { overflow-x: auto; }
.publication table.synthesis { border-collapse: collapse; font-size: .95rem; }
.publication .synthesis th,
.publication .synthesis td { border: 1px solid #bbb; padding: .3rem .5rem;
  overflow-wrap: normal; hyphens: manual; }
.publication .synthesis .n { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _e(text: str) -> str:
    # The apostrophe is left as typed (’ or '): escaped, it would read « n&#x27;ayant »
    # in the source of the page the staff paste into their site.
    return escape(clean_text(text)[0], quote=False).replace('"', "&quot;")


def question_anchor(question_id: str, index: int) -> str:
    """The id of a question's section: the question id when it is a valid, simple
    anchor (« Q1 »), otherwise « question-N »."""
    simple = _ANCHOR.fullmatch(question_id) and question_id not in (NOT_REPLIED_ANCHOR,
                                                                    FREE_FORMAT_ANCHOR)
    return question_id if simple else f"question-{index}"


def _list(block: ListBlock, out: list[str]) -> None:
    if block.ordered:
        out.append("<ol>" if block.start == 1 else f'<ol start="{block.start}">')
    else:
        out.append("<ul>")
    for item in block.items:
        out.append(f"<li>{_e(item.text)}")
        for child in item.children:
            _list(child, out)
        out.append("</li>")
    out.append("</ol>" if block.ordered else "</ul>")


def _answer(blocks: Sequence[AnswerBlock], out: list[str]) -> None:
    if not blocks:
        out.append(f'<p class="no-answer"><em>{_e(NO_ANSWER)}</em></p>')
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(f"<p>{_e(block.text)}</p>")
        else:
            _list(block, out)


def render_html(publication: Publication) -> str:
    """The whole page."""
    title = one_line_title(publication.title)
    byline, replied = intro_lines(publication)
    anchors = [question_anchor(q.id, i) for i, q in enumerate(publication.questions, start=1)]
    out = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        '<main class="publication">',
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="byline">{_e(byline)}</p>',
        "</header>",
        f"<p>{_e(replied)}</p>",
    ]
    if publication.entries:
        out.append("<ul>")
        out.extend(f"<li>{_e(name)}</li>" for name in publication.organisations)
        out.append("</ul>")
    if publication.synthesis:
        out.append(f'<section id="synthese"><h2>{_e(SYNTHESIS_HEADING)}</h2>')
        out.append(f"<p>{_e(SYNTHESIS_NOTE)}</p>")
        out.append('<div class="table-wrap"><table class="synthesis"><thead><tr>')
        label_title, *count_titles = synthesis_header()
        out.append(f'<th scope="col">{_e(label_title)}</th>')
        out.extend(f'<th scope="col" class="n">{_e(title)}</th>' for title in count_titles)
        out.append("</tr></thead><tbody>")
        for line, anchor in zip(publication.synthesis, anchors, strict=True):
            label, *counts = synthesis_cells(line)
            out.append(f'<tr><th scope="row"><a href="#{anchor}" title="{_e(line.question.text)}">'
                       f"{_e(label)}</a></th>")
            out.extend(f'<td class="n">{count}</td>' for count in counts)
            out.append("</tr>")
        out.append("</tbody></table></div></section>")
    out.append('<nav aria-label="Sommaire"><h2>Sommaire</h2><ol>')
    for question, anchor in zip(publication.questions, anchors, strict=True):
        out.append(f'<li><a href="#{anchor}">{_e(question_heading(question.text))}</a></li>')
    if publication.free_format:
        out.append(f'<li><a href="#{FREE_FORMAT_ANCHOR}">{_e(FREE_FORMAT_HEADING)}</a></li>')
    if publication.not_replied:
        out.append(f'<li><a href="#{NOT_REPLIED_ANCHOR}">{_e(NOT_REPLIED_HEADING)}</a></li>')
    out.append("</ol></nav>")
    by_question = publication.by_question
    for question, anchor in zip(publication.questions, anchors, strict=True):
        out.append(f'<section id="{anchor}">')
        out.append(f"<h2>{_e(question_heading(question.text))}</h2>")
        for entry in by_question:
            out.append("<article>")
            out.append(f"<h3>{_e(entry.organisation)}</h3>")
            _answer(entry.answers.get(question.id, ()), out)
            out.append("</article>")
        out.append("</section>")
    if publication.free_format:
        out.append(f'<section id="{FREE_FORMAT_ANCHOR}">')
        out.append(f"<h2>{_e(FREE_FORMAT_HEADING)}</h2><p>{_e(FREE_FORMAT_NOTE)}</p>")
        for entry in publication.free_format:
            out.append("<article>")
            out.append(f"<h3>{_e(entry.organisation)}</h3>")
            _answer(entry.free_text, out)
            out.append("</article>")
        out.append("</section>")
    if publication.not_replied:
        out.append(f'<section id="{NOT_REPLIED_ANCHOR}">')
        out.append(f"<h2>{_e(NOT_REPLIED_HEADING)}</h2><ul>")
        out.extend(f"<li>{_e(name)}</li>" for name in publication.not_replied)
        out.append("</ul></section>")
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


def write_publication_html(publication: Publication, target: Path) -> Path:
    """Write the page atomically; returns the path written (a dated name beside `target`
    when `target` is locked)."""
    page = render_html(publication)
    return atomic_write(Path(target), lambda tmp: tmp.write_text(page, encoding="utf-8"))
