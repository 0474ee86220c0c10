"""Safe bytes → parsed XML documents.

Invoice files are untrusted. The parser loads no DTD, expands no entity, opens
no network connection and keeps libxml2's own depth and size guards; a file
that declares entities is refused as `unsafe-xml` before anyone reads a field
from it. A Finvoice file may be a SOAP/ebXML transmission frame followed by a
second XML document, the invoice (FIELDS.md §10): such a file is split and
both parts are kept, the frame with its invoice. Frames come in two envelope
namespaces (SPEC §1): the operator's Finvoice 1.x/2.x examples use the SOAP 1.2
draft's, later frames SOAP 1.1's; a frame in either is a frame, never an
invoice of its own.
"""

from __future__ import annotations

import codecs
import errno
import itertools
import os
import re
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from kassavirta.errors import ReadError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
BYTES_PER_NODE = 6
"""The size limit allows one parsed node per this many bytes: `max_bytes // BYTES_PER_NODE`.

lxml's tree costs about 125 bytes per element and per text, and 240 per attribute
(its node and its value's), and each element read gets a Python object too
(`formats.xml.Fields`). So 20 MiB of `<a/>` (5 million elements) took 1 GiB to
check, and 2 million `<a b=""/>` 940 MiB. A node is counted in the bytes
(`_weight`), an element or an attribute twice, a text once; the default limit
allows 3.5 million, about 450 MiB at worst. Real invoices are far less dense:
each format's sample grown to 20 MiB weighs 1.0 million (CII) to 2.9 million
(Maventa's short items, written one field a line)."""

_DECL = re.compile(rb"<\?xml[\s?]")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENVELOPE_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?Envelope\s*>")
_ENVELOPE_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Envelope[\s>/]")
_START_TAG = re.compile(rb"<[A-Za-z_]")
_CONTENT = re.compile(rb"[^ \t\n\r\x0b\x0c]")
"""Anything but the whitespace `bytes.strip` removes: found without copying the bytes."""
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
"""SOAP 1.1: the envelope namespace of Finvoice 3.0 frames, and the one we write."""
SOAP_ENV_2001 = "http://www.w3.org/2001/12/soap-envelope"
"""The SOAP 1.2 working draft's: Finvoice 1.x/2.x frames (the operator's examples) use it."""
FRAME_NAMESPACES = (SOAP_ENV, SOAP_ENV_2001)
"""Envelope namespaces of a transmission frame; `formats.registry` reads them too."""


@dataclass(frozen=True)
class Part:
    """One XML document from a file; `line_offset` maps its lines to the file's."""

    tree: etree._ElementTree
    line_offset: int
    encoding: str | None
    start: int
    end: int
    source: bytes = field(default=b"", repr=False, compare=False)
    """The bytes the document was parsed from (b"" when not known), for `formats.xml.written_alone`."""

    @property
    def root(self) -> etree._Element:
        return self.tree.getroot()

    def line(self, element: etree._Element) -> int | None:
        line = element.sourceline
        return line + self.line_offset if isinstance(line, int) else None


def _is_envelope(root: etree._Element) -> bool:
    """Whether `root` is an `Envelope` in any namespace: what `_segments` splits a file at."""
    tag = root.tag
    return isinstance(tag, str) and tag.rpartition("}")[2] == "Envelope"


def is_frame(root: etree._Element) -> bool:
    """Whether `root` is a SOAP transmission frame (`Envelope`) in either envelope namespace."""
    return _is_envelope(root) and etree.QName(root).namespace in FRAME_NAMESPACES


def frame_intermediators(frame: etree._Element) -> list[str]:
    """The receiver intermediators a frame names: `eb:To[eb:Role='Intermediator']/eb:PartyId`.

    Matched by local name, so that a frame reads alike whichever envelope namespace
    (and whichever prefixes) it was written with.
    """
    return [
        party
        for to in frame.iter("{*}To")
        if (to.findtext("{*}Role") or "").strip() == "Intermediator"
        and (party := (to.findtext("{*}PartyId") or "").strip())
    ]


@dataclass(frozen=True)
class Document:
    """An invoice document and the transmission frame that came before it, if any."""

    part: Part
    frame: Part | None
    index: int
    """1-based position of the document in its file."""


_PARSERS = threading.local()


def _parser(encoding: str | None = None) -> etree.XMLParser:
    """The parser for a document; the usual one (no encoding forced) made once per thread.

    A fresh parser costs libxml2 a new parser context on its first document:
    about a fifth of lxml's own parse time for an 18 KB invoice. A parser must
    not parse in two threads at once, hence one per thread. An encoding forced
    on a document (a multi-document file's later parts) is rare and named by
    the file, so those parsers are not kept.
    """
    if encoding is not None:
        return _new_parser(encoding)
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser(None)
    return parser


def _new_parser(encoding: str | None) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        # The layout between elements (whitespace-only text beside child elements) is
        # left out of the tree: a pretty-printed invoice holds about as many such
        # nodes as elements, and building, validating and freeing them was about a
        # twentieth of a check. A field's own text, blank or not, mixed text and
        # xml:space="preserve" are kept; nothing reads the layout (the rewrite
        # edits the source text). tests/pipeline/test_blank_text.py holds it so.
        remove_blank_text=True,
        # Never collect_ids=False: with libxml2 2.14 it sets XML_SKIP_IDS in the
        # parser's loadsubset flags, which makes libxml2 open the external DTD a
        # DOCTYPE names (any local file) although load_dtd is False.
        remove_comments=False,
        remove_pis=False,
        encoding=encoding,
    )


def _declared_encoding(segment: bytes) -> str | None:
    found = _ENCODING.match(segment.lstrip(b"".join(_BOMS)))
    return found.group(1).decode("ascii") if found else None


def _segments(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the XML documents in `data`.

    Split before every XML declaration or SOAP envelope that follows an element,
    and after an envelope's end tag that is followed by more content.
    """
    # The envelope patterns are slow to scan a whole file with; most files hold no envelope.
    framed = b"Envelope" in data
    candidates = sorted(
        set(_declarations(data))
        | ({m.start() for m in _ENVELOPE_START.finditer(data)} if framed else set())
    )
    starts: list[int] = []
    # The first start tag at or after the last split, found once and reused until the
    # next split: searching from the split again for every candidate costs the square
    # of the file when many declarations or envelopes stand with no element between.
    tag = _START_TAG.search(data)
    for at in candidates:
        # Split only where an element already stands before: a declaration directly
        # followed by its envelope is one document, not two.
        if tag is None:
            break
        if tag.end() <= at:
            starts.append(at)
            tag = _START_TAG.search(data, at)
    bounds = [0, *starts, len(data)]
    ranges: list[tuple[int, int]] = []
    for begin, end in itertools.pairwise(bounds):
        chunk = data[begin:end]
        close = _ENVELOPE_END.search(chunk) if framed else None
        if close and chunk[close.end() :].strip():
            ranges.append((begin, begin + close.end()))
            ranges.append((begin + close.end(), end))
        else:
            ranges.append((begin, end))
    return [(b, e) for b, e in ranges if _CONTENT.search(data, b, e)]


def _declarations(data: bytes) -> Iterator[int]:
    """Where XML declarations start.

    Found by their `?`, a byte rare in invoices that `bytes.find` looks for
    with memchr: several times faster than a regex scan, or a search for
    `<?xml`, over XML full of `<` and `l`.
    """
    at = data.find(b"?")
    while at >= 0:
        if at and data[at - 1] == 0x3C and _DECL.match(data, at - 1):  # 0x3C: "<"
            yield at - 1
        at = data.find(b"?", at + 1)


def _check_entities(tree: etree._ElementTree, segment: bytes, path: str, offset: int) -> None:
    """Refuse a document type that names a DTD by URL or declares entities.

    Asked of the parsed tree, not of the bytes: a document with no DOCTYPE
    (every invoice we see) costs two attribute look-ups, and a UTF-16 one is
    read as well as any other.
    """
    docinfo = tree.docinfo
    if docinfo.internalDTD is None and not docinfo.system_url:
        return
    system = docinfo.system_url  # type: ignore[attr-defined]
    if system and _URL.match(system):
        # Never loaded; but a DTD fetched from a URL is how out-of-band XXE starts,
        # and no real invoice needs one (old Finvoice files name a plain file).
        raise ReadError(
            "unsafe-xml",
            f"the document names an external DTD at {system}; external DTDs are refused",
            path=path,
        )
    dtd = docinfo.internalDTD
    if dtd is None:
        return
    entity = next(dtd.iterentities(), None)  # type: ignore[attr-defined]
    if entity is None:
        return
    # The line of the first declaration as written (not found in a UTF-16 document: no line).
    at = segment.find(b"<!ENTITY")
    raise ReadError(
        "unsafe-xml",
        f"the document declares the entity '{entity.name}'; entity declarations are refused",
        path=path,
        line=offset + segment.count(b"\n", 0, at) + 1 if at >= 0 else None,
    )


_WIDE = ("UTF-16", "UTF16", "UTF-32", "UTF32", "UCS-2", "UCS2", "UCS-4", "UCS4")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE, whose mark begins it
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_WIDE_BOMS_ONLY = tuple(bom for bom, _ in _WIDE_BOMS)
_COMMENT_OR_PI = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)


def _wide(segment: bytes, declared: str | None) -> str | None:
    """UTF-16 or UTF-32 when the byte-order mark (or, failing one, the declaration) says so."""
    for bom, name in _WIDE_BOMS:
        if segment.startswith(bom):
            return name
    if declared and declared.upper().startswith(_WIDE) and not segment.startswith(b"<?xml"):
        return (
            "UTF-32"
            if declared.upper().startswith(("UTF-32", "UTF32", "UCS-4", "UCS4"))
            else "UTF-16"
        )
    return None


def _hint(segment: bytes, declared: str | None, line: int | None, column: int | None) -> str | None:
    """Our words for parse errors whose libxml2 message does not say what is wrong.

    A UTF-16 or UTF-32 document is looked at as text: its bytes, two or four per
    character, hold no ASCII `<` for the checks below to find.
    """
    wide = _wide(segment, declared)
    if wide is not None:
        try:
            text = segment.decode(wide.lower())
        except UnicodeDecodeError:
            return f"the bytes are not {wide}, the encoding the file is marked with"
        hint = _hint(text.encode("utf-8"), None, line, column)
        return f"a {wide} document: {hint}" if hint else f"the {wide} document is not well-formed"
    if declared:
        wide_declared = declared.upper().startswith(_WIDE)
        if wide_declared and segment.startswith(b"<?xml"):
            return f"the file declares {declared} but is written in a one-byte encoding"
        try:
            segment.decode(declared)
        except UnicodeDecodeError:
            return f"the bytes are not {declared}, the encoding the XML declaration names"
        except LookupError:
            return None
    if not _START_TAG.search(_COMMENT_OR_PI.sub(b"", segment)):
        return "the file has no element outside comments and processing instructions"
    last = segment.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    if line == segment.rstrip(b"\r\n").count(b"\n") + 1 and (column or 0) >= len(last):
        return "the file ends in the middle of the document (truncated?)"
    return None


def parse_part(
    data: bytes,
    begin: int,
    end: int,
    *,
    path: str,
    fallback_encoding: str | None,
    lines_before: int | None = None,
) -> Part:
    """The document in `data[begin:end]`; `lines_before` is the count of newlines before `begin`.

    A caller reading many documents from one file counts the newlines as it goes
    and passes them in: counting from the start of the file for every document
    costs the square of the file.
    """
    chunk = data[begin:end]
    segment = chunk.lstrip(b" \t\r\n")
    lead = len(chunk) - len(segment)
    if lines_before is None:
        lines_before = data.count(b"\n", 0, begin)
    offset = lines_before + chunk.count(b"\n", 0, lead)
    del chunk
    declared = _declared_encoding(segment)
    encoding = (
        None if declared or segment.startswith(_BOMS + _WIDE_BOMS_ONLY) else fallback_encoding
    )
    try:
        tree = etree.ElementTree(etree.fromstring(segment, _parser(encoding)))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, None)
        message = str(exc.msg or exc)
        # libxml2's own guards: nesting depth, entity amplification, one tag or text
        # over its buffer limit ("Resource limit exceeded").
        said = message.lower()
        guards = ("depth", "amplification", "resource limit")
        reason = "unsafe-xml" if any(g in said for g in guards) else "not-xml"
        if "resource limit" in said:  # its words name a parser flag, not the input
            message = "one tag, text or attribute value is over libxml2's 10 MB limit for one"
        hint = _hint(segment, declared, line, column)
        message = f"{hint} ({message})" if hint else message
        raise ReadError(
            reason,
            message,
            path=path,
            line=(line + offset) if line else None,
            column=column,
        ) from exc
    except (ValueError, LookupError) as exc:
        raise ReadError("not-xml", str(exc), path=path, line=offset + 1) from exc
    _check_entities(tree, segment, path, offset)
    return Part(
        tree=tree,
        line_offset=offset,
        encoding=declared or encoding,
        start=begin,
        end=end,
        source=segment,
    )


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc, .xls)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)
"""Leading bytes of the files most often sent instead of the invoice XML, and what they are."""

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OFFICE = (
    ("word/", "a Word document (.docx)"),
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint presentation (.pptx)"),
)


def binary_kind(data: bytes) -> str | None:
    """What a file is when its first bytes say it is not text: "a PDF document", "a ZIP
    archive", "an Excel workbook (.xlsx)", …; None for anything else (XML or not)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(_ZIP):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str:
    """An Office (OOXML) or OpenDocument file is a ZIP archive; its member names say which."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                if kind.startswith("application/vnd.oasis.opendocument"):
                    return f"an OpenDocument file ({kind.rsplit('.', 1)[-1]})"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return "a ZIP archive"
    for prefix, kind in _OFFICE:
        if any(n.startswith(prefix) for n in names):
            return kind
    return "a ZIP archive"


def _whole(data: bytes, path: str) -> Part | ReadError:
    """The file parsed as one document, or why libxml2 refused it.

    Nearly every file holds one invoice and no frame. Splitting it first costs a
    scan of the whole file for envelopes; parsing it whole answers the same
    question for nothing, because libxml2 refuses a second document (or a
    second declaration) after the first one's root. A frame, and any file the
    parse refuses, goes the long way (`_segments`), so it is split, and its
    errors read, as before.
    """
    try:
        return parse_part(data, 0, len(data), path=path, fallback_encoding=None, lines_before=0)
    except ReadError as exc:
        return exc


def _weight(data: bytes) -> int:
    """An upper bound of what parsing `data` builds, in `BYTES_PER_NODE` units (see there).

    Start tags are the `<` not followed by `/` (comments and instructions count
    as elements), attributes the `=` (some are text), texts the `>` not followed
    by `<`: five passes of `bytes.count`, about 1 ms per MiB, instead of a parse.
    """
    opened = data.count(b"<") - data.count(b"</")
    texts = data.count(b">") - data.count(b"><")
    return 2 * opened + texts + 2 * data.count(b"=")


def _refuse_dense(data: bytes, path: str, max_bytes: int) -> None:
    """Refuse more markup than the size limit allows, before lxml builds a tree of it."""
    most = max_bytes // BYTES_PER_NODE
    if 2 * len(data) <= most:  # no byte weighs more than 2: nothing to count
        return
    weight = _weight(data)
    if weight > most:
        raise ReadError(
            "unsafe-xml",
            f"the file's markup is too dense: it would parse into about {weight} nodes, over "
            f"the limit of {most} (one per {BYTES_PER_NODE} bytes of the {max_bytes}-byte "
            "size limit), and take far more memory than its size; no invoice is this dense",
            path=path,
        )


def read_bytes(
    data: bytes, *, path: str = "<bytes>", max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Document]:
    """Parse `data` into its invoice documents, each with its frame.

    Raises `ReadError` (`not-xml` or `unsafe-xml`) with the file, line and column.
    """
    if len(data) > max_bytes:
        raise ReadError(
            "unsafe-xml",
            f"the file is {len(data)} bytes, over the {max_bytes}-byte limit",
            path=path,
        )
    if not _CONTENT.search(data):
        raise ReadError("not-xml", "the file is empty", path=path)
    kind = binary_kind(data)
    if kind is not None:
        advice = ": unpack it and check the XML files inside" if kind == "a ZIP archive" else ""
        raise ReadError("not-xml", f"this is {kind}, not an XML invoice{advice}", path=path)
    if b"\x00" in data and not data.startswith(_WIDE_BOMS_ONLY):
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ReadError("not-xml", "the file contains a NUL byte", path=path, line=line)
    _refuse_dense(data, path, max_bytes)
    return _documents(data, path)


def read_written(data: bytes, *, path: str = "<bytes>") -> list[Document]:
    """Parse bytes this program wrote: a rewrite's output, read back to verify it.

    They are an input read under the size limit with a handful of elements
    changed, so neither the limit nor the markup allowance is weighed again
    (the allowance's passes over a long invoice cost as much as its rows).
    """
    return _documents(data, path)


def _documents(data: bytes, path: str) -> list[Document]:
    """The documents of `data`, parsed (the checks on the bytes are done)."""
    whole = _whole(data, path)
    if isinstance(whole, Part) and not _is_envelope(whole.root):
        parts = [whole]
    else:
        ranges = _segments(data)
        if ranges == [(0, len(data))]:
            # One document after all (a frame around its invoice, or a file libxml2
            # refused): the whole parse was already this range's, error and all.
            if isinstance(whole, ReadError):
                raise whole
            parts = [whole]
        else:
            parts = _split(data, ranges, path)
    return _framed(parts)


def _split(data: bytes, ranges: list[tuple[int, int]], path: str) -> list[Part]:
    """Each range of `data` parsed as a document, its lines counted as the ranges go."""
    first_encoding = _declared_encoding(data[ranges[0][0] : ranges[0][1]]) if ranges else None
    parts = []
    lines = counted = 0
    for begin, end in ranges:
        lines += data.count(b"\n", counted, begin)
        counted = begin
        parts.append(
            parse_part(
                data, begin, end, path=path, fallback_encoding=first_encoding, lines_before=lines
            )
        )
    return parts


def _framed(parts: list[Part]) -> list[Document]:
    """The invoice documents of `parts`, each with the frame that precedes it."""
    documents: list[Document] = []
    frame: Part | None = None
    for part in parts:
        if is_frame(part.root):
            if frame is not None:
                documents.append(Document(part=frame, frame=None, index=len(documents) + 1))
            frame = part
            continue
        documents.append(Document(part=part, frame=frame, index=len(documents) + 1))
        frame = None
    if frame is not None:
        documents.append(Document(part=frame, frame=None, index=len(documents) + 1))
    return documents


def _os_reason(path: str, exc: OSError) -> str:
    """Why a path cannot be read, in words that say what to do about it."""
    if isinstance(exc, PermissionError):
        return "permission denied: this user may not read the file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: following the link never reaches a file"
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            try:
                target = os.readlink(path)
            except OSError:
                target = "?"
            return f"broken symbolic link: its target {target!r} does not exist"
        return "no such file"
    return f"cannot read the file: {exc.strerror or exc}"


STDIN = "-"
"""The input name that stands for standard input (`kassavirta check -`), as in most tools."""


def _read_stdin(max_bytes: int) -> bytes:
    """One invoice piped in: read to the end, but never more than the limit allows."""
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ReadError("unsafe-xml", f"the input is over the {max_bytes}-byte limit", path=STDIN)
    return data


def _read_upto(fd: int, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the file (as a buffered `read(size)`)."""
    parts = []
    while size > 0 and (part := os.read(fd, size)):
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one input path (`-`: standard input), or a `ReadError` saying why there are none.

    Only regular files are opened: a FIFO or a device named `*.xml` would
    block or never end. Over-limit files are refused by their size, unread.
    """
    path = str(path)
    if path == STDIN:
        return _read_stdin(max_bytes)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ReadError("not-xml", _os_reason(path, exc), path=path) from exc
    if stat.S_ISDIR(info.st_mode):
        try:
            os.scandir(path).close()
        except OSError as exc:
            raise ReadError(
                "not-xml",
                f"a folder that cannot be listed ({exc.strerror or exc}): its files were not checked",
                path=path,
            ) from exc
        raise ReadError("not-xml", "this is a folder, not a file", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(
            "not-xml", "not a regular file (a pipe, socket or device): not read", path=path
        )
    if info.st_size > max_bytes:
        raise ReadError(
            "unsafe-xml",
            f"the file is {info.st_size} bytes, over the {max_bytes}-byte limit",
            path=path,
        )
    try:
        # A bare descriptor: a buffered file object costs two more system calls (fstat,
        # isatty) and more than the read itself for a small invoice.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            # Ask for what the file holds, not for the limit: read(n) allocates n bytes
            # up front. A file that grew since stat is read on, bounded.
            data = _read_upto(fd, info.st_size + 1)
            if len(data) > info.st_size:
                data += _read_upto(fd, max_bytes + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        raise ReadError("not-xml", _os_reason(path, exc), path=path) from exc
    if len(data) > max_bytes:
        raise ReadError("unsafe-xml", f"the file is over the {max_bytes}-byte limit", path=path)
    return data
