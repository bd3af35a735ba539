"""What a message carries, as frozen values, and the limits that bound reading it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cuf_extract.document import DocumentText

_MIB = 1024 * 1024

#: MIME parts walked in one message, forwards included (a reply has a few dozen; each
#: part costs about 1 ms to parse with policy.default).
MAX_PARTS = 200
#: Documents kept from one message: attachments at every depth, bodies included.
MAX_ATTACHMENTS = 50
#: Forwards, attached messages, zips and winmail.dat inside one another.
MAX_NESTING = 5
#: Sum of what the attachments of one message decode and inflate to.
MAX_EXPANDED_BYTES = 200 * _MIB
#: Characters of one body kept (text or HTML before conversion): a reply is ~20,000.
MAX_BODY_CHARS = 2_000_000


class MailError(Exception):
    """A message that cannot be read at all; `message` is French and names the file."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True, slots=True)
class Sender:
    name: str | None = None
    address: str | None = None

    def shown(self) -> str:
        """« Parti X <contact@parti-x.fr> », or whichever half is known."""
        if self.name and self.address and self.name.casefold() != self.address.casefold():
            return f"{self.name} <{self.address}>"
        return self.name or self.address or ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by the message. `trail` names it from the message down:
    ("TR_ Réponse.eml", "reponses.zip", "PS.docx") for a file inside a zip attached to
    a forwarded message; its last item is the file's own name."""

    trail: tuple[str, ...]
    data: bytes
    content_type: str = ""
    image: bool = False  # a picture: read only once OCR exists

    @property
    def name(self) -> str:
        return self.trail[-1]


@dataclass(frozen=True, slots=True)
class Body:
    """The text typed in a message (the top one, or one forwarded inside it): the fresh
    part as blocks, and the quoted history set aside (never an answer)."""

    trail: tuple[str, ...]  # () for the message itself, else the forwarded message's names
    document: DocumentText
    quoted: tuple[str, ...] = ()
    html: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    sender: Sender
    date: str | None  # ISO 8601 with its offset, as sent ("2020-02-12T10:03:00+01:00")
    subject: str
    attachments: tuple[Attachment, ...] = ()
    bodies: tuple[Body, ...] = ()
    ignored: tuple[str, ...] = ()  # French: « logo.png (image dans le texte du courriel) »
    problems: tuple[str, ...] = ()  # French: what was refused or could not be read
    kind: str = "eml"  # "eml" or "msg"


@dataclass
class Collector:
    """What reading a message gathers, with the limits counted across every depth."""

    attachments: list[Attachment] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    parts: int = 0
    expanded: int = 0
    _refused_attachments: int = 0

    def count_part(self) -> bool:
        """Count one MIME part; False once MAX_PARTS is passed (stop walking)."""
        self.parts += 1
        if self.parts == MAX_PARTS + 1:
            self.over_parts()
        return self.parts <= MAX_PARTS

    def over_parts(self) -> None:
        message = (f"le courriel contient plus de {MAX_PARTS} parties : seules les "
                   "premières ont été lues")
        if message not in self.problems:
            self.problems.append(message)

    def room(self) -> bool:
        return len(self.attachments) + len(self.bodies) < MAX_ATTACHMENTS

    def add(self, attachment: Attachment) -> None:
        if not self.room():
            self._refused(" › ".join(attachment.trail))
            return
        if self.expanded + len(attachment.data) > MAX_EXPANDED_BYTES:
            self.over_expanded(attachment.trail)
            return
        self.expanded += len(attachment.data)
        self.attachments.append(attachment)

    def over_expanded(self, trail: tuple[str, ...]) -> None:
        self.problems.append(
            f"« {' › '.join(trail)} » n’a pas été lu : les pièces jointes du courriel "
            f"dépassent ensemble {MAX_EXPANDED_BYTES // _MIB} Mo")

    def add_body(self, body: Body) -> None:
        if self.room():
            self.bodies.append(body)
        else:
            self._refused("texte du courriel " + " › ".join(body.trail))

    def _refused(self, what: str) -> None:
        self._refused_attachments += 1
        if self._refused_attachments == 1:
            self.problems.append(
                f"le courriel porte plus de {MAX_ATTACHMENTS} documents : « {what} » et les "
                "suivants n’ont pas été lus")

    def too_deep(self, trail: tuple[str, ...]) -> bool:
        if len(trail) <= MAX_NESTING:
            return False
        self.problems.append(
            f"« {' › '.join(trail)} » n’a pas été ouvert : plus de {MAX_NESTING} messages ou "
            "archives emboîtés les uns dans les autres")
        return True
