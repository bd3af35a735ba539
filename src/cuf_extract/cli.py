"""The command line: parse options, show progress and a summary, choose the exit code.

The only module that prints. Heavy modules (python-docx, openpyxl, lxml, rich's
progress) are imported inside the commands so that `--help` and `--version` start fast.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from cuf_extract import __version__

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console

    from cuf_extract.cache import ResultCache
    from cuf_extract.models import Campaign, FileResult, Run
    from cuf_extract.questionnaire import Questionnaire
    from cuf_extract.recipients import Recipient

EXIT_OK = 0
EXIT_FLAGGED = 1  # outputs written, but some file needs a look (or an output was renamed)
EXIT_USAGE = 2  # bad usage, or nothing could be written

EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
DEFAULT_XLSX = Path("reponses.xlsx")
REPORT_SUFFIX = "-rapport.html"
PROGRESS_MIN_FILES = 10
MAX_LISTED_FILES = 40

USAGE = (
    "Usage : cuf-extract [OPTIONS] FICHIERS_OU_DOSSIERS...\n"
    "Exemple : cuf-extract reponses   (le dossier : tous les formats)\n"
    "Aide : cuf-extract --help"
)


class _FrenchHelp:
    """French for the few strings the CLI framework writes itself."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "Affiche cette aide et quitte."
        return option

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Usage : ")

    def format_help(self, ctx: Any, formatter: Any) -> None:
        super().format_help(ctx, formatter)  # type: ignore[misc]
        text = "".join(formatter.buffer)
        for english, french in _FRENCH_HELP:
            text = text.replace(english, french)
        formatter.buffer[:] = [text]


# The framework's own words in help pages, and its type hints we do not want shown.
_FRENCH_HELP = (
    ("[required]", "[obligatoire]"),
    ("[default:", "[défaut :"),
    ("Arguments:", "Arguments :"),
    ("Options:", "Options :"),
    ("Commands:", "Commandes :"),
    ("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]..."),
    (" <list[str]>", ""),
    (" <path>", ""),
    ("{FICHIERS...}...", "FICHIERS..."),
    ("{FICHIER}", "FICHIER"),
    ("{FORMULAIRE}", "FORMULAIRE"),
    (" <file>", ""),
    ("  [x>=1]", ""),
)


class _Command(_FrenchHelp, TyperCommand):
    pass


# English names of the commands, kept working (hidden from the help) for scripts.
ALIASES = {"extract": "extraire", "check": "verifier", "template": "modele"}
# Words staff may type for a command.
_COMMAND_WORDS = {"publier": "publication", "publie": "publication", "extraction": "extraire",
                  "examiner": "verifier", "verification": "verifier", "vierge": "modele"}


def _near_command(word: str, commands: Any) -> str | None:
    """The command `word` was probably meant to be, when it names no file."""
    import difflib

    if Path(word).exists() or any(c in word for c in "/\\.*?[") or word.startswith("-"):
        return None
    folded = word.casefold().replace("é", "e").replace("è", "e")
    if folded in _COMMAND_WORDS:
        return _COMMAND_WORDS[folded]
    visible = [name for name, command in commands.items() if not command.hidden]
    near = difflib.get_close_matches(folded, visible, n=1, cutoff=0.75)
    return near[0] if near else None


class _ExtractByDefault(_FrenchHelp, TyperGroup):
    """`cuf-extract FILES…` runs `extraire`; `cuf-extract modele` runs a subcommand."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage("cuf-extract", "[OPTIONS] DOSSIER_OU_FICHIERS...",
                              prefix="Usage : ")
        formatter.write_usage("cuf-extract", "COMMANDE [ARGUMENTS]...", prefix="   ou : ")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args:
            _fail("indiquez les fichiers ou dossiers de réponses à lire.\n" + USAGE)
        first = args[0]
        if first not in self.commands and first not in ("--help", "-h", "--version"):
            near = _near_command(first, self.commands)
            if near is not None:
                _fail(f"« {first} » n’est ni un fichier ni une commande. Vouliez-vous dire "
                      f"« cuf-extract {near} » ?\nAide : cuf-extract --help")
            args = ["extraire", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


app = typer.Typer(
    cls=_ExtractByDefault,
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=(
        "Extrait les réponses au questionnaire de Cités Unies France des fichiers Word "
        "renvoyés (Word, PDF, .odt, .doc), et écrit un tableur, un rapport de validation "
        "et, sur demande, un JSON.\n\n"
        "Exemple : cuf-extract reponses   (lit tout le dossier reponses)"
    ),
)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cuf-extract {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Affiche la version et quitte."),
    ] = False,
) -> None:
    """Extrait les réponses au questionnaire des fichiers Word renvoyés."""


def _load_questionnaire(path: Path | None, cache_base: Path | None = None) -> Questionnaire:
    """The bundled questionnaire, a TOML file, or a blank form's (derived, cached in
    `cache_base`/.cuf-extract/questionnaires by the form's hash)."""
    from cuf_extract.derive import campaign_questionnaire
    from cuf_extract.questionnaire import QuestionnaireError

    try:
        questionnaire, warnings = campaign_questionnaire(path, cache_base or Path.cwd())
    except QuestionnaireError as exc:
        _fail(str(exc))
    for warning in warnings:
        typer.echo(f"Attention : {warning}", err=True)
    return questionnaire


QuestionnaireOption = Annotated[
    Path | None,
    typer.Option(
        "--questionnaire",
        help="Le formulaire vierge de la campagne (.docx, .odt, .doc : ses questions sont "
        "retrouvées automatiquement) ou son fichier TOML (voir "
        "docs/questionnaire-format.md). Par défaut : le questionnaire 2020 intégré.",
        dir_okay=False,
        metavar="FICHIER",
    ),
]


@app.command("extraire", cls=_Command,
             short_help="Lit les réponses ; écrit le tableur et le rapport (par défaut).")
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Dossiers (tous les formats de réponse), fichiers ou motifs (*.docx) à lire.",
            show_default=False,
            metavar="FICHIERS...",
        ),
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Tableur à écrire.", dir_okay=False,
                     metavar="FICHIER")
    ] = DEFAULT_XLSX,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Rapport HTML à écrire. Par défaut : <tableur>-rapport.html.",
                     dir_okay=False, metavar="FICHIER"),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Écrit aussi toutes les réponses en JSON dans ce fichier.",
                     dir_okay=False, metavar="FICHIER"),
    ] = None,
    questionnaire_path: QuestionnaireOption = None,
    recursive: Annotated[
        bool, typer.Option("-r", "--recursive", help="Lit aussi les sous-dossiers.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Relit tous les fichiers, même inchangés.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("-j", "--jobs", min=1, metavar="N",
                     help="Nombre de processus de lecture. Par défaut : un par cœur (8 au plus)."),
    ] = None,
    destinataires: Annotated[
        Path | None,
        typer.Option("--destinataires", dir_okay=False, metavar="FICHIER",
                     help="Liste des organisations sollicitées (.txt, .csv ou .xlsx) : "
                     "ajoute la feuille « Destinataires » (qui n’a pas encore répondu)."),
    ] = None,
) -> None:
    """Lit les réponses et écrit le tableur et le rapport (commande par défaut)."""
    from cuf_extract.inputs import expand_paths, left_out_by_patterns
    from cuf_extract.pipeline import InputFile

    questionnaire = _load_questionnaire(questionnaire_path, output.absolute().parent)
    _refuse_other_campaign(output, questionnaire)
    recipients = _load_recipients(destinataires) if destinataires is not None else None
    report = report or output.with_name(output.stem + REPORT_SUFFIX)
    outputs = [p for p in (output, report, json_path) if p is not None]
    # The blank form and the list of recipients may sit among the replies: not replies.
    form = [questionnaire_path] if questionnaire_path is not None else []
    listed = [destinataires] if destinataires is not None else []
    expansion = expand_paths(paths, recursive=recursive, exclude=[*outputs, *form, *listed])
    for pattern in expansion.unmatched:
        hint = ""
        if not recursive and Path(pattern).is_dir() and any(Path(pattern).iterdir()):
            hint = " (ses sous-dossiers ne sont lus qu’avec l’option -r)"
        typer.echo(f"Attention : « {pattern} » ne contient aucun fichier à lire{hint}."
                   if Path(pattern).is_dir() else
                   f"Attention : « {pattern} » ne correspond à aucun fichier.", err=True)
    if not expansion.files:
        _fail("aucun fichier à lire. Vérifiez le chemin ou le motif indiqué.\n" + USAGE)
    for folder, counts in left_out_by_patterns(paths, expansion.files,
                                               exclude=[*outputs, *form, *listed]):
        total = sum(counts.values())
        kinds = " et ".join(f"{n} {'réponses' if n > 1 else 'réponse'} {kind}"
                            for kind, n in counts.items())
        verb = "ne sont" if total > 1 else "n’est"
        typer.echo(f"Attention : {kinds} du dossier « {folder} » {verb} pas dans la liste "
                   f"donnée : pour lire tout le dossier, lancez « cuf-extract {folder} ».",
                   err=True)

    for target in outputs:
        _check_writable_folder(target)
    cwd = Path.cwd().resolve()
    files = [InputFile(path=path, display=_display(path, cwd)) for path in expansion.files]
    err = _console(stderr=True)
    cache = None if no_cache else _cache_for(output, questionnaire)
    run = _run_with_progress(files, questionnaire, err, cache, jobs or _default_jobs())
    if cache is not None:
        cache.prune()
    from cuf_extract.outputs import OutputsFailed, write_outputs

    try:
        result = write_outputs(
            run, output=output, report=report, json_path=json_path, recipients=recipients,
            recipients_source=destinataires.name if destinataires else None,
            questionnaire=questionnaire, reuse=cache is not None,
            on_written=_COMPLETED.append,
        )
    except OutputsFailed as exc:
        for actual in exc.written:
            typer.echo(f"Écrit : {actual}", err=True)
        _fail(str(exc))
    for warning in result.warnings:
        typer.echo(f"Attention : {warning}", err=True)
    if result.kept_since is not None:
        from cuf_extract.layout import COLUMN_CHANGE

        typer.echo("Rien n’a changé depuis la dernière exécution : "
                   + ", ".join(f"« {p} »" for p in outputs) + " sont à jour (non réécrits). "
                   f"« {COLUMN_CHANGE} » y montre toujours les changements vus le "
                   f"{result.kept_since.strftime('%d/%m/%Y à %H:%M')}.")
    written, campaign, attention = list(result.written), result.campaign, result.attention
    _print_summary(run, written, campaign, result.recipients_line)
    flagged = any(r.status.value in ("warning", "error") for r in run.files)
    renamed = any(actual != wanted for wanted, actual in written)
    raise typer.Exit(EXIT_FLAGGED if flagged or renamed or attention else EXIT_OK)


def _load_recipients(path: Path) -> tuple[Recipient, ...]:
    from cuf_extract.recipients import RecipientsError, load_recipients

    try:
        return load_recipients(path)
    except RecipientsError as exc:
        _fail(str(exc))


def _refuse_other_campaign(output: Path, questionnaire: Questionnaire) -> None:
    """Two questionnaires' answers never share a workbook."""
    from cuf_extract.campaign import other_campaign

    reason = other_campaign(output, questionnaire.ref())
    if reason is not None:
        _fail(reason)


def _check_writable_folder(target: Path) -> None:
    """Fail before reading anything when an output cannot be written at all."""
    import os

    folder = target.absolute().parent
    if not folder.is_dir():
        _fail(f"le dossier « {folder} » n’existe pas : impossible d’y écrire {target.name}. "
              "Créez ce dossier, ou choisissez un autre emplacement (option -o).")
    if not os.access(folder, os.W_OK):
        _fail(f"impossible d’écrire dans le dossier « {folder} » : choisissez un autre "
              f"emplacement pour {target.name} (option -o).")


def _display(path: Path, cwd: Path | None = None) -> str:
    """The path as staff will recognise it: relative to the current folder (`cwd`,
    resolved; resolved here when not given) when inside it."""
    try:
        return str(path.resolve().relative_to(cwd or Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _console(*, stderr: bool) -> Console:
    # A character the terminal's encoding lacks (an emoji or U+FFFD read from a reply,
    # printed to a Windows console or file in cp1252) prints as "?" instead of failing.
    stream = sys.stderr if stderr else sys.stdout
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "replace") == "strict":
        with contextlib.suppress(OSError, ValueError, TypeError):
            reconfigure(errors="replace")
    return _no_break_console_class()(stderr=stderr, highlight=False, soft_wrap=False)


# Rich wraps lines at any Unicode space, U+00A0 included (its word pattern is \s*\S+\s*),
# so « voir la feuille « Destinataires ». » could end a line on its opening «. The console
# below lays text out with a stand-in for U+00A0 that is not a space (U+FDD0, one cell
# wide as U+00A0 is: a Unicode noncharacter, set aside for a program's internal use) and
# gives the real U+00A0 back in the segments it writes: the line breaks where the French
# allows, and the output is unchanged. A U+FDD0 in a reply (never meant to be text) is
# shown as U+FFFD in the terminal, so that it cannot come out as a space.
_NO_BREAK_STAND_IN = "\ufdd0"


def _laid_out(text: str) -> str:
    from cuf_extract.typography import NBSP

    return text.replace(_NO_BREAK_STAND_IN, "\ufffd").replace(NBSP, _NO_BREAK_STAND_IN)


@functools.cache
def _no_break_console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment
    from rich.text import Text

    from cuf_extract.typography import NBSP

    class NoBreakConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Text:
            return super().render_str(_laid_out(text), **kwargs)

        def render(self, renderable: Any, options: Any = None) -> Iterator[Segment]:
            if isinstance(renderable, Text) and NBSP in renderable.plain:  # not laid out yet
                renderable = renderable.copy()  # same length: the styles' spans still fit
                renderable.plain = _laid_out(renderable.plain)
            for segment in super().render(renderable, options):
                if _NO_BREAK_STAND_IN in segment.text:
                    segment = Segment(segment.text.replace(_NO_BREAK_STAND_IN, NBSP),
                                      segment.style, segment.control)
                yield segment

    return NoBreakConsole


def _cache_for(output: Path, questionnaire: Questionnaire) -> ResultCache:
    import hashlib

    from cuf_extract.cache import CACHE_FOLDER, ResultCache

    digest = hashlib.sha256(questionnaire.model_dump_json().encode()).hexdigest()
    return ResultCache(output.absolute().parent / CACHE_FOLDER, questionnaire_digest=digest)


def _default_jobs() -> int:
    import os

    cpus = os.process_cpu_count() if hasattr(os, "process_cpu_count") else os.cpu_count()
    return max(1, min(cpus or 1, 8))


def _run_with_progress(
    files: list[Any], questionnaire: Questionnaire, err: Console, cache: ResultCache | None,
    jobs: int,
) -> Run:
    from cuf_extract.pipeline import extract_files

    if not (err.is_terminal and len(files) >= PROGRESS_MIN_FILES):
        return extract_files(files, questionnaire, cache=cache, jobs=jobs)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Lecture des réponses"), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True,
    ) as progress:
        task = progress.add_task("lecture", total=len(files))

        def advance(_: FileResult) -> None:
            progress.advance(task)

        return extract_files(files, questionnaire, on_result=advance, cache=cache, jobs=jobs)


def _print_summary(run: Run, written: list[tuple[Path, Path]], campaign: Campaign | None,
                   recipients_line: str | None = None) -> None:
    from rich.table import Table

    from cuf_extract.models import Severity, Status
    from cuf_extract.writers import STATUS_LABELS, issue_line

    out = _console(stderr=False)
    err = _console(stderr=True)
    for result in run.files:
        for issue in result.issues:
            if issue.severity is Severity.ERROR:
                err.print(f"Erreur : {issue.message}", markup=False)

    flagged = [r for r in run.files if r.status in (Status.WARNING, Status.ERROR)]
    if flagged:
        out.print(_fitted_table(
            "Fichiers à vérifier", ("Fichier", "Statut", "Problèmes"),
            [(r.path, STATUS_LABELS[r.status],
              ", ".join(issue_line(i) for i in r.issues if i.severity is not Severity.INFO))
             for r in flagged[:MAX_LISTED_FILES]],
            files=(0,), fixed=(1,), width=out.width))
        if len(flagged) > MAX_LISTED_FILES:
            out.print(f"… et {len(flagged) - MAX_LISTED_FILES} autres : voir le rapport.")

    summary = Table(title="Résumé", title_justify="left")
    summary.add_column("Statut")
    summary.add_column("Fichiers", justify="right")
    for status in Status:
        count = sum(1 for r in run.files if r.status is status)
        if count:
            summary.add_row(STATUS_LABELS[status], str(count))
    summary.add_row("Total", str(len(run.files)), style="bold")
    out.print(summary)
    from cuf_extract.writers.report_html import pdf_line

    line = pdf_line(run)
    if line is not None:
        out.print(line, markup=False)
    if campaign is not None and campaign.previous_found:
        from cuf_extract.campaign import kept_line, summary_line

        out.print(summary_line(campaign), markup=False)
        if campaign.hand_edits:
            count = len(campaign.hand_edits)
            s = "s" if count > 1 else ""
            out.print(f"{count} cellule{s} modifiée{s} à la main déplacée{s} dans « Notes » : "
                      "voir le rapport.", markup=False)
        kept = kept_line(campaign)
        if kept is not None:
            out.print(kept, markup=False)
    if recipients_line is not None:
        out.print(recipients_line, markup=False)
    for _, actual in written:
        out.print(f"Écrit : {actual}", markup=False)


@app.command("publication", cls=_Command,
             short_help="Écrit les réponses à publier (Word et page web).")
def publication(
    workbook: Annotated[
        Path,
        typer.Argument(help="Le tableur de la campagne, tel que vous l’avez complété.",
                       metavar="TABLEUR"),
    ] = DEFAULT_XLSX,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", dir_okay=False, metavar="FICHIER",
                     help="Document Word à écrire. Par défaut : <tableur>-publication.docx."),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", dir_okay=False, metavar="FICHIER",
                     help="Page HTML à écrire. Par défaut : <tableur>-publication.html."),
    ] = None,
    destinataires: Annotated[
        Path | None,
        typer.Option("--destinataires", dir_okay=False, metavar="FICHIER",
                     help="Liste des organisations sollicitées : la publication se termine "
                     "par celles qui n’ont pas répondu. Par défaut : la feuille « "
                     "Destinataires » du tableur, s’il en a une."),
    ] = None,
    list_not_replied: Annotated[
        bool,
        typer.Option("--non-repondants/--sans-non-repondants", show_default=False,
                     help="Termine par les organisations sollicitées sans réponse, quand "
                     "la liste est connue (par défaut : oui)."),
    ] = True,
    synthese: Annotated[
        bool,
        typer.Option("--synthese", help="Ajoute au début le tableau des positions "
                     "(seules les positions confirmées sont comptées)."),
    ] = False,
    force_synthese: Annotated[
        bool,
        typer.Option("--forcer-synthese", help="Avec --synthese : publie le tableau des "
                     "positions même si aucune n’est encore confirmée."),
    ] = False,
) -> None:
    """Écrit les réponses à publier (Word et HTML), question par question, d’après le tableur."""
    from cuf_extract.publication import PublicationError, publish
    from cuf_extract.writers.atomic import OutputError

    recipients = _load_recipients(destinataires) if destinataires is not None else None
    try:
        result = publish(workbook, docx_path=output, html_path=html_path,
                         recipients=recipients if list_not_replied else (),
                         synthesis=synthese or force_synthese,
                         force_synthesis=force_synthese)
    except (PublicationError, OutputError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"impossible d’écrire la publication ({exc.strerror or exc}) : vérifiez la place "
              "disque et les droits du dossier, puis relancez.")
    renamed = _print_publication(result)
    raise typer.Exit(EXIT_FLAGGED if result.publication.flags or renamed else EXIT_OK)


def _fitted_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                  files: Sequence[int], width: int, fixed: Sequence[int] = ()) -> Any:
    """A table whose file-name columns (`files`) are as wide as their longest name, up to
    40, and never cut inside a name when it fits; `fixed` columns (a status) as wide as
    their longest value, unwrapped; the other columns share what is left and wrap between
    words. Widths are set by hand: rich crops a table whose column has a
    minimum width instead of shrinking it."""
    import os

    from rich.table import Table

    # File names relative to the folder they share, named in the title, so that they fit.
    paths = [r[i] for r in rows for i in files if r[i]]
    folder = os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else ""
    if folder:
        title = f"{title} (dans {folder}{os.sep})"
        rows = [tuple(os.path.relpath(v, folder) if i in files and v else v
                      for i, v in enumerate(r)) for r in rows]
    table = Table(title=title, title_justify="left")
    room = width - 3 * len(headers) - 1  # borders and padding
    widths = {i: min(40, max([len(headers[i]), *(len(r[i]) for r in rows)]))
              for i in (*files, *fixed)}
    others = [i for i in range(len(headers)) if i not in widths]
    share = max(12, (room - sum(widths.values())) // max(1, len(others)))
    for index, header in enumerate(headers):
        table.add_column(header, overflow="fold", width=widths.get(index, share),
                         no_wrap=index in fixed)
    for row in rows:
        table.add_row(*row)
    return table


def _print_publication(result: Any) -> bool:
    """The publication's summary; returns whether an output went to another name."""

    publication = result.publication
    out = _console(stderr=False)
    out.print(_fitted_table(
        f"Publiées ({len(publication.entries)})", ("Organisation", "Fichier"),
        [(e.organisation, e.file) for e in publication.entries[:MAX_LISTED_FILES]],
        files=(1,), width=out.width))
    if len(publication.entries) > MAX_LISTED_FILES:
        out.print(f"… et {len(publication.entries) - MAX_LISTED_FILES} autres.", markup=False)
    if publication.left_out:
        out.print(_fitted_table(
            f"Non publiées ({len(publication.left_out)})",
            ("Fichier", "Organisation", "Raison"),
            [(i.file, i.organisation, i.reason) for i in publication.left_out],
            files=(0,), width=out.width))
    if publication.flags:
        out.print(_fitted_table("À vérifier", ("Fichier", "Problème"),
                                [(f.file, f.message) for f in publication.flags],
                                files=(0,), width=out.width))
    renamed = False
    for wanted, actual in result.written:
        if actual != wanted:
            renamed = True
            typer.echo(
                f"Attention : « {wanted} » est ouvert dans un autre programme (Word ?) ; la "
                f"publication est dans « {actual} ». Fermez-le puis relancez pour mettre à "
                "jour le fichier habituel.",
                err=True,
            )
        out.print(f"Écrit : {actual}", markup=False)
    return renamed


@app.command("modele", cls=_Command,
             short_help="Écrit le questionnaire vierge (.docx).")
def template(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Fichier .docx à écrire.", dir_okay=False,
                           metavar="FICHIER")
    ] = Path("questionnaire.docx"),
    questionnaire_path: QuestionnaireOption = None,
) -> None:
    """Écrit le questionnaire vierge en .docx (pour recopier une réponse en format libre)."""
    from cuf_extract.template import write_template
    from cuf_extract.writers.atomic import OutputError

    questionnaire = _load_questionnaire(questionnaire_path)
    try:
        written = write_template(questionnaire, output)
    except OutputError as exc:
        _fail(str(exc))
    typer.echo(f"Écrit : {written}")


@app.command("questionnaire", cls=_Command,
             short_help="Retrouve les questions d’un formulaire vierge.")
def questionnaire_command(
    form: Annotated[Path, typer.Argument(
        help="Le formulaire vierge (.docx, .odt ou .doc), tel qu’il sera envoyé.",
        show_default=False, metavar="FORMULAIRE", dir_okay=False)],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", dir_okay=False, metavar="FICHIER",
                     help="Fichier TOML à écrire. Par défaut : à côté du formulaire, même nom "
                     "en .toml."),
    ] = None,
) -> None:
    """Retrouve les questions d’un formulaire vierge et écrit le questionnaire (TOML)."""
    from cuf_extract.outline import make_questionnaire, outline_table
    from cuf_extract.questionnaire import QuestionnaireError
    from cuf_extract.typography import plural
    from cuf_extract.writers.atomic import OutputError

    try:
        made = make_questionnaire(form, output)
    except (QuestionnaireError, OutputError) as exc:
        _fail(str(exc))
    out = _console(stderr=False)
    count = len(made.derived.questionnaire.questions)
    out.print(outline_table(made.derived, title=f"« {form.name} » : {plural(count, 'question')}"))
    for backup in made.backups:
        out.print(f"Version précédente sauvegardée : {backup}", markup=False)
    out.print(f"Écrit : {made.written}", markup=False)
    if made.unsure:
        typer.echo(f"Attention : vérifiez {', '.join(made.unsure)} dans le formulaire et dans "
                   f"« {made.written.name} » (questions trouvées sans certitude).", err=True)
    raise typer.Exit(EXIT_FLAGGED if made.unsure else EXIT_OK)


@app.command("schema", cls=_Command,
             short_help="Affiche le schéma JSON de l’export --json.")
def schema() -> None:
    """Affiche le schéma JSON de l’export --json."""
    import json

    from cuf_extract.models import Run

    typer.echo(json.dumps(Run.model_json_schema(mode="serialization"), indent=2,
                          ensure_ascii=False))


@app.command("verifier", cls=_Command,
             short_help="Examine un seul fichier.")
def check(
    file: Annotated[Path, typer.Argument(help="Le fichier à examiner.", show_default=False,
                                         metavar="FICHIER")],
    questionnaire_path: QuestionnaireOption = None,
) -> None:
    """Examine un seul fichier et affiche les questions trouvées et leurs réponses."""
    from cuf_extract.models import Status
    from cuf_extract.pipeline import InputFile, extract_files
    from cuf_extract.writers import SEVERITY_LABELS, SOURCE_LABELS, STATUS_LABELS

    questionnaire = _load_questionnaire(questionnaire_path)
    if not file.exists():
        _fail(f"le fichier « {file} » n’existe pas.")
    result = extract_files([InputFile(path=file, display=str(file))], questionnaire).files[0]
    out = _console(stderr=False)
    out.print(f"[bold]{result.name}[/bold] — {STATUS_LABELS[result.status]}")
    source = SOURCE_LABELS[result.respondent_source] if result.respondent_source else ""
    out.print(f"Organisation : {result.respondent or '(inconnue)'}"
              + (f" (d’après {source})" if source else ""), markup=False)
    for question in questionnaire.questions:
        out.print(f"\n[bold]{question.id}[/bold] {question.text}")
        answer = result.answer(question.id)
        out.print(answer if answer is not None else "[italic](pas de réponse)[/italic]",
                  markup=answer is None)
    if result.extra_text:
        out.print("\n[bold]Texte hors réponses[/bold]")
        for text in result.extra_text:
            out.print(text, markup=False)
    if result.issues:
        out.print("\n[bold]Problèmes[/bold]")
        for issue in result.issues:
            out.print(f"- {SEVERITY_LABELS[issue.severity]} : {issue.message}", markup=False)
    failed = result.status in (Status.WARNING, Status.ERROR)
    raise typer.Exit(EXIT_FLAGGED if failed else EXIT_OK)


for _english, _french in ALIASES.items():
    _callback = next(c.callback for c in app.registered_commands if c.name == _french)
    assert _callback is not None
    app.command(_english, cls=_Command, hidden=True,
                help=f"Ancien nom de « {_french} ».")(_callback)


def _french_usage_error(exc: Exception) -> str:
    """Click's usage errors, in French; their own text as a last resort."""
    name = type(exc).__name__
    if name == "NoSuchOption":
        option = getattr(exc, "option_name", "")
        possibilities = getattr(exc, "possibilities", None) or []
        hint = f" (vouliez-vous dire {', '.join(possibilities)} ?)" if possibilities else ""
        return f"option inconnue : {option}{hint}"
    if name == "MissingParameter":
        what = getattr(getattr(exc, "param", None), "name", "") or ""
        command = getattr(getattr(getattr(exc, "ctx", None), "command", None), "name", "")
        if what == "paths":
            return "indiquez le ou les fichiers à lire.\n" + USAGE
        if what == "file":
            return (f"indiquez le fichier à examiner.\nUsage : cuf-extract {command} FICHIER"
                    f"\nExemple : cuf-extract {command} reponses/parti.docx")
        if what == "form":
            return (f"indiquez le formulaire vierge.\nUsage : cuf-extract {command} "
                    f"FORMULAIRE\nExemple : cuf-extract {command} formulaire-2026.docx")
        return f"paramètre manquant : {what}"
    if name == "BadOptionUsage":
        return f"option mal utilisée : {getattr(exc, 'message', exc)}"
    if name == "BadParameter":
        param = getattr(exc, "param", None)
        opts = getattr(param, "opts", None) or []
        what = "/".join(opts) or getattr(param, "name", None) or "un paramètre"
        message = str(getattr(exc, "message", exc))
        # typer checks values with pydantic, whose messages are English.
        if "valid integer" in message or "greater than or equal" in message:
            example = f" (par exemple {opts[0]} 2)" if opts else ""
            floor = " (1 ou plus)" if "greater than" in message else ""
            return (f"valeur invalide pour {what} : un nombre entier{floor} est "
                    f"attendu{example}.")
        return f"valeur invalide pour {what} : {message}"
    message = str(getattr(exc, "message", exc))
    if message.startswith("Got unexpected extra argument"):
        return "trop d’arguments " + message.split("(", 1)[-1].join("()")
    return message


# Outputs written completely during this command (each write is atomic), for the
# message after Ctrl-C.
_COMPLETED: list[Path] = []


def _interrupted() -> NoReturn:
    """Ctrl-C: say what state the outputs are in, exit 130, no traceback."""
    if _COMPLETED:
        done = ", ".join(f"« {p} »" for p in _COMPLETED)
        typer.echo(f"Interrompu : les sorties déjà écrites sont complètes ({done}) ; les "
                   "autres n’ont pas été modifiées. Relancez la même commande.", err=True)
    else:
        typer.echo("Interrompu : le classeur n’a pas été modifié (aucune sortie écrite). "
                   "Relancez la même commande.", err=True)
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    """Entry point of the `cuf-extract` script and of `python -m cuf_extract`."""
    from typer._click.exceptions import UsageError  # typer >= 0.29 vendors click
    try:
        code = app(prog_name="cuf-extract", standalone_mode=False)
    except UsageError as exc:
        message = _french_usage_error(exc)
        if "Aide :" not in message:
            message += "\nAide : cuf-extract --help"
        typer.echo(f"Erreur : {message}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:
        if type(exc).__name__ != "Abort":  # click's own answer to Ctrl-C
            raise
        _interrupted()
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into this exit code
        _interrupted()
    sys.exit(code if isinstance(code, int) else EXIT_OK)
