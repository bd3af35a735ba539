"""From a saved message's bytes to a `Message`: .eml through Python's `email` package
(policy.default), .msg through `outlook`, and what each carries, opened in memory at
every depth (forwards, attached .msg, .zip, winmail.dat) within the limits of
`message.py`."""

from __future__ import annotations

import contextlib
import posixpath
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from cuf_extract.mail.body import html_blocks, text_blocks
from cuf_extract.mail.message import (
    MAX_ATTACHMENTS,
    MAX_BODY_CHARS,
    MAX_EXPANDED_BYTES,
    MAX_NESTING,
    MAX_PARTS,
    Attachment,
    Body,
    Collector,
    MailError,
    Message,
    Sender,
)
from cuf_extract.mail.outlook import OLE_MAGIC, MsgItem, read_msg
from cuf_extract.mail.sniff import SNIFF_HEADER_CHARS, is_msg_storage, looks_like_message
from cuf_extract.mail.tnef import TnefError, is_tnef, read_tnef
from cuf_extract.typography import plural

_ZIP_MAGIC = b"PK\x03\x04"
# Parts that are never replies: set aside and listed.
_IGNORED_TYPES = {
    "text/calendar": "invitation de calendrier",
    "application/ics": "invitation de calendrier",
    "text/vcard": "carte de visite",
    "text/x-vcard": "carte de visite",
    "application/pkcs7-signature": "signature électronique du courriel",
    "application/x-pkcs7-signature": "signature électronique du courriel",
    "application/pgp-signature": "signature électronique du courriel",
    "application/pgp-keys": "clé de chiffrement",
    "message/delivery-status": "avis de remise",
    "message/disposition-notification": "accusé de lecture",
}
_IGNORED_EXTENSIONS = {
    ".ics": "invitation de calendrier", ".vcs": "invitation de calendrier",
    ".vcf": "carte de visite", ".p7s": "signature électronique du courriel",
    ".asc": "signature électronique du courriel", ".url": "raccourci internet",
    ".lnk": "raccourci", ".sig": "signature électronique du courriel",
}
_IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff",
                               ".heic", ".heif", ".webp", ".emz", ".wmz", ".emf", ".wmf"})
_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_JUNK_ENTRIES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def looks_like_msg(data: bytes) -> bool:
    """Whether `data` is an Outlook item (OLE compound file with MAPI property streams)."""
    if not data.startswith(OLE_MAGIC):
        return False
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return is_msg_storage(["/".join(map(str, e)) for e in ole.listdir(streams=True,
                                                                     storages=True)
                                   if len(e) == 1])
    except Exception:  # olefile raises many kinds on damaged files
        return False


def read_message(data: bytes, *, name: str) -> Message:
    """Everything `data` (a .eml or a .msg) carries. Raises `MailError` (French, names
    the file) when it is not a message or cannot be read at all; what cannot be read
    inside it becomes `Message.problems`."""
    collector = Collector()
    if data.startswith(OLE_MAGIC):
        try:
            item = read_msg(data, max_attachments=MAX_ATTACHMENTS, max_depth=MAX_NESTING)
        except Exception as error:  # olefile raises many kinds on damaged files
            raise MailError(
                f"« {name} » ne peut pas être lu : le message Outlook (.msg) est endommagé "
                f"ou incomplet ({type(error).__name__}). Enregistrez-le de nouveau depuis "
                "Outlook (glisser-déposer dans le dossier) ou demandez un nouvel envoi.") from error
        _collect_msg(item, (), collector)
        return _message(collector, Sender(item.sender_name, _clean_address(item.sender_address)),
                        item.date, item.subject, kind="msg")
    message = _parse(data, collector)
    if message is None or not looks_like_message(data[:SNIFF_HEADER_CHARS]):
        raise MailError(
            f"« {name} » ne peut pas être lu comme un courriel : ses en-têtes sont illisibles. "
            "Enregistrez le message de nouveau depuis la messagerie, ou reportez ses réponses "
            "à la main.")
    _collect_eml(message, (), collector)
    return _message(collector, _sender(message), _date(message), _subject(message), kind="eml")


def _message(collector: Collector, sender: Sender, date: str | None, subject: str, *,
             kind: str) -> Message:
    return Message(sender=sender, date=date, subject=subject,
                   attachments=tuple(collector.attachments), bodies=tuple(collector.bodies),
                   ignored=tuple(dict.fromkeys(collector.ignored)),
                   problems=tuple(collector.problems), kind=kind)


# ------------------------------------------------------------------------------- .eml


def _parse(data: bytes, collector: Collector) -> EmailMessage | None:
    if data.startswith(b"From "):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    data = _bounded(data, collector)
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(data)
    except Exception:  # the parser is lenient; anything raised here is damage
        return None
    return parsed if isinstance(parsed, EmailMessage) else None


def _bounded(data: bytes, collector: Collector) -> bytes:
    """`data` cut before its part past the limit. policy.default parses every part's
    headers while parsing (about 1 ms a part), so a message of 10,000 parts would take
    10 s before any part is counted: the boundary lines ("--" at a line start; base64
    never starts a line so) are counted in the bytes first. The parser reads a message
    cut short, its last boundary missing, as the parts before the cut."""
    allowed = 2 * MAX_PARTS  # each part has an opening boundary; slack for text lines
    position = 0
    for _ in range(allowed):
        position = data.find(b"\n--", position)
        if position < 0:
            return data
        position += 3
    cut = data.find(b"\n--", position)
    if cut < 0:
        return data
    collector.over_parts()
    return data[:cut + 1]


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header that policy.default cannot fold
        value = None
    if value is None:
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        value = raw[0] if raw else ""
    return _unescape(str(value))


def _unescape(text: str) -> str:
    """Raw 8-bit bytes in a header come through as surrogates: UTF-8, else Windows-1252."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _subject(message: EmailMessage) -> str:
    return " ".join(_header(message, "Subject").split())


def _sender(message: EmailMessage) -> Sender:
    raw = _header(message, "From")
    try:
        header = message["From"]
        addresses = getattr(header, "addresses", ())
    except Exception:
        addresses = ()
    if addresses:
        first = addresses[0]
        name = _unescape(first.display_name) or None
        address = _clean_address(first.addr_spec)
        if address:
            return Sender(name, address)
    name, address = parseaddr(raw)
    return Sender(name or None, _clean_address(address))


def _clean_address(address: str | None) -> str | None:
    if not address:
        return None
    address = address.strip().strip("<>").strip()
    return address.lower() if "@" in address else None


def _date(message: EmailMessage) -> str | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _collect_eml(message: EmailMessage, trail: tuple[str, ...], collector: Collector) -> None:
    try:
        body = message.get_body(preferencelist=("html", "plain"))
    except Exception:
        body = None
    if isinstance(body, EmailMessage):
        collector.add_body(_body_of_part(body, trail))
    for part in _leaves(message, collector, 0):
        if part is body:
            continue
        _collect_part(part, trail, collector)


def _leaves(message: EmailMessage, collector: Collector, depth: int) -> list[EmailMessage]:
    """The non-multipart parts of `message` (attached messages not entered), in order."""
    found: list[EmailMessage] = []
    stack: list[tuple[EmailMessage, int]] = [(message, depth)]
    while stack:
        part, level = stack.pop()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list) and level < 100:
                stack.extend((c, level + 1) for c in reversed(children)
                             if isinstance(c, EmailMessage))
            continue
        if part is not message and not collector.count_part():
            break
        found.append(part)
    return found


def _part_name(part: EmailMessage) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        content_type = part.get("Content-Type")
        params = getattr(content_type, "params", {}) or {}
        name = params.get("name")
    if name and "\ufffd" in str(name):
        name = _raw_8bit_name(part) or name
    return _safe_name(_unescape(str(name)) if name else "")


_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _raw_8bit_name(part: EmailMessage) -> str | None:
    """A file name sent as raw 8-bit bytes (no RFC 2231/2047): policy.default replaces
    them by U+FFFD; the raw header keeps them, as UTF-8 or, failing that, Windows-1252."""
    for header, value in part.raw_items():
        if header.lower() in ("content-disposition", "content-type"):
            match = _RAW_NAME.search(str(value))
            if match:
                return _unescape(match.group(1) or match.group(2))
    return None


def _safe_name(name: str) -> str:
    """A file name as the sender's system wrote it, without folders or control characters."""
    name = name.replace("\\", "/")
    name = posixpath.basename(name.rstrip("/"))
    name = "".join(c for c in name if c >= " " and c != "\x7f").strip()
    return name[:200]


def _collect_part(part: EmailMessage, trail: tuple[str, ...], collector: Collector) -> None:
    content_type = part.get_content_type()
    name = _part_name(part)
    disposition = (part.get_content_disposition() or "").lower()
    if content_type in ("message/rfc822", "message/global") and part.is_multipart():
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner_message, EmailMessage):
            subject = _subject(inner_message)
            label = name or f"{subject or 'message transféré'}.eml"
            sub_trail = (*trail, label)
            if not collector.too_deep(sub_trail):
                _collect_eml(inner_message, sub_trail, collector)
        return
    if content_type in ("text/plain", "text/html") and not name and disposition != "attachment":
        return  # the other version of the body (multipart/alternative)
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        data = b""
    # A picture with a Content-ID is shown in the text (a logo), whatever its disposition.
    inline = disposition == "inline" or (bool(part.get("Content-ID")) and (
        disposition != "attachment" or content_type.startswith("image/")))
    carry(collector, trail, name or _unnamed(content_type), data, content_type, inline=inline)


def _unnamed(content_type: str) -> str:
    extension = {"application/pdf": ".pdf", "application/msword": ".doc",
                 "application/rtf": ".rtf", "text/rtf": ".rtf",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
                     ".docx", "application/vnd.oasis.opendocument.text": ".odt",
                 "message/rfc822": ".eml", "application/ms-tnef": ".dat",
                 "text/plain": ".txt", "text/html": ".html"}.get(content_type, "")
    return f"pièce jointe sans nom{extension}"


def _body_of_part(part: EmailMessage, trail: tuple[str, ...]) -> Body:
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    text = _decode_text(data, part.get_content_charset())[:MAX_BODY_CHARS]
    if part.get_content_subtype() == "html":
        document, quoted = html_blocks(text)
        return Body(trail=trail, document=document, quoted=quoted, html=True)
    content_type = part.get("Content-Type")
    params = getattr(content_type, "params", {}) or {}
    flowed = str(params.get("format", "")).lower() == "flowed"
    delsp = str(params.get("delsp", "")).lower() == "yes"
    document, quoted = text_blocks(text, flowed=flowed, delsp=delsp)
    return Body(trail=trail, document=document, quoted=quoted)


def _decode_text(data: bytes, charset: str | None) -> str:
    """Bytes of a text part: its declared charset when it decodes, else UTF-8, else
    Windows-1252 (what a Latin-1 body sent without a charset needs)."""
    import codecs

    candidates = []
    if charset:
        with contextlib.suppress(LookupError):
            candidates.append(codecs.lookup(charset).name)
    for fallback in ("utf-8", "cp1252"):
        if fallback not in candidates:
            candidates.append(fallback)
    if candidates[0] in ("ascii", "us-ascii"):
        candidates.pop(0)
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", "replace")


# ------------------------------------------------------------------------------- .msg


def _collect_msg(item: MsgItem, trail: tuple[str, ...], collector: Collector) -> None:
    if item.body_html and item.body_html.strip():
        document, quoted = html_blocks(item.body_html[:MAX_BODY_CHARS])
        collector.add_body(Body(trail=trail, document=document, quoted=quoted, html=True))
    elif item.body_text:
        document, quoted = text_blocks(item.body_text[:MAX_BODY_CHARS])
        collector.add_body(Body(trail=trail, document=document, quoted=quoted))
    if item.hidden_attachments:
        collector.problems.append(
            f"{plural(item.hidden_attachments, 'pièce jointe')} au-delà de {MAX_ATTACHMENTS} "
            + ("n’a pas été lue" if item.hidden_attachments < 2 else "n’ont pas été lues"))
    for attachment in item.attachments:
        if not collector.count_part():
            return
        name = _safe_name(attachment.name)
        if attachment.embedded is not None:
            sub_trail = (*trail, name if name.lower().endswith(".msg") else f"{name}.msg")
            if not collector.too_deep(sub_trail):
                _collect_msg(attachment.embedded, sub_trail, collector)
            continue
        if attachment.data is None:  # an attached message beyond the nesting limit
            collector.too_deep((*trail, *(["…"] * MAX_NESTING), name))
            continue
        carry(collector, trail, name or _unnamed(attachment.content_type), attachment.data,
              attachment.content_type, inline=attachment.inline)


# ----------------------------------------------------------------------- any attachment


def carry(collector: Collector, trail: tuple[str, ...], name: str, data: bytes,
          content_type: str, *, inline: bool) -> None:
    """One attached file: opened when it holds others (message, zip, winmail.dat),
    set aside when it is never a reply, kept otherwise."""
    here = (*trail, name)
    extension = posixpath.splitext(name.lower())[1]
    described = _IGNORED_TYPES.get(content_type) or _IGNORED_EXTENSIONS.get(extension)
    if described:
        collector.ignored.append(f"{' › '.join(here)} ({described})")
        return
    image = (content_type.startswith("image/") or extension in _IMAGE_EXTENSIONS
             or data.startswith(_IMAGE_MAGICS))
    if image and inline:
        collector.ignored.append(f"{' › '.join(here)} (image dans le texte du courriel : "
                                 "logo, signature)")
        return
    if is_tnef(data) or content_type == "application/ms-tnef":
        if collector.too_deep(here):
            return
        try:
            files = read_tnef(data)
        except TnefError:
            collector.problems.append(f"« {' › '.join(here)} » (pièces jointes d’Outlook au "
                                      "format winmail.dat) est endommagé : il n’a pas été lu")
            return
        for file in files:
            carry(collector, here, _safe_name(file.name) or "pièce jointe sans nom", file.data,
                  file.content_type.lower(), inline=False)
        return
    if data.startswith(OLE_MAGIC) and (extension == ".msg" or looks_like_msg(data)):
        if collector.too_deep(here):
            return
        try:
            item = read_msg(data, max_attachments=MAX_ATTACHMENTS,
                            max_depth=MAX_NESTING - len(trail))
        except Exception:  # olefile raises many kinds on damaged files
            collector.problems.append(f"le message Outlook joint « {' › '.join(here)} » est "
                                      "endommagé : il n’a pas été lu")
            return
        _collect_msg(item, here, collector)
        return
    if extension == ".eml" or content_type == "message/rfc822" or (
            not data.startswith((OLE_MAGIC, _ZIP_MAGIC)) and looks_like_message(
                data[:SNIFF_HEADER_CHARS])):
        parsed = _parse(data, collector)
        if parsed is not None and looks_like_message(data[:SNIFF_HEADER_CHARS]):
            if not collector.too_deep(here):
                _collect_eml(parsed, here, collector)
            return
    if data.startswith(_ZIP_MAGIC) and _plain_archive(data):
        if not collector.too_deep(here):
            _open_zip(collector, here, data)
        return
    collector.add(Attachment(trail=here, data=data, content_type=content_type, image=image))


def _plain_archive(data: bytes) -> bool:
    """A zip that is an archive of files, not a Word or OpenDocument file."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist()[:5000])
    except Exception:  # damaged: let the pipeline say so as for any file
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _zip_name(name: str) -> str:
    """An entry name as its maker meant it: zips made on Windows without the UTF-8 flag
    use the console code page (850 in France), macOS writes UTF-8 without saying so."""
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name  # the entry had the UTF-8 flag: zipfile decoded it right
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp850")


def _open_zip(collector: Collector, trail: tuple[str, ...], data: bytes) -> None:
    from cuf_extract.package import OoxmlPackage, PackageError

    try:
        archive = OoxmlPackage.from_bytes(data, name=trail[-1])
    except PackageError as error:
        collector.problems.append(f"l’archive « {' › '.join(trail)} » n’a pas été ouverte : "
                                  f"{error.message}")
        return
    for entry in archive.names():
        if entry.endswith("/") or "__MACOSX/" in entry:
            continue
        name = _safe_name(_zip_name(entry))
        if not name or name.casefold() in _JUNK_ENTRIES or name.startswith(("._", "~$")):
            continue
        if not collector.room():
            collector.add(Attachment(trail=(*trail, name), data=b""))  # says it is refused
            return
        if collector.expanded + archive.entry_size(entry) > MAX_EXPANDED_BYTES:
            # Refused from the declared size (inflation stops at it): nothing inflated.
            collector.over_expanded((*trail, name))
            continue
        try:
            content = archive.read_bytes(entry)
        except PackageError as error:
            collector.problems.append(f"« {' › '.join((*trail, name))} » n’a pas été extrait "
                                      f"de l’archive : {error.message}")
            continue
        carry(collector, trail, name, content, "", inline=False)
