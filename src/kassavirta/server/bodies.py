"""Request bodies: one invoice, a set of invoices, or a zip of them — all untrusted.

The body size limit is enforced by the middleware while the body streams in;
what arrives here is at most `--max-bytes` long. A zip is another way to
smuggle size and names, so it has limits of its own: how many members, how
many bytes they unpack to (counted as they are read, never trusting the sizes
the archive declares), and names that could not climb out of a folder if
anyone ever extracted them. Nothing is ever written to disk.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from kassavirta.errors import InputError, ReadError
from kassavirta.server.problems import ApiError

RAW_TYPES = frozenset(
    {
        "",
        "application/xml",
        "text/xml",
        "application/octet-stream",
        # curl --data-binary without -H sends this; the bytes arrive unchanged.
        "application/x-www-form-urlencoded",
    }
)
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
MULTIPART = "multipart/form-data"

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LABEL_MAX = 255


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_raw(mt: str) -> bool:
    """An XML document sent as it is: the XML media types, octet-stream, or none given."""
    return mt in RAW_TYPES or (mt.startswith("application/") and mt.endswith("+xml"))


def upload_label(filename: str | None, fallback: str) -> str:
    """The name a result is reported under: the file's own name, without any folders."""
    name = _CONTROL.sub("", re.split(r"[\\/]", filename or "")[-1]).strip()
    return name[:LABEL_MAX] or fallback


def _unsupported(mt: str, what: str) -> ApiError:
    return ApiError(
        415,
        "unsupported-media-type",
        f"Content-Type {mt or '(none)'} is not accepted here: send {what}",
    )


async def one_invoice(request: Request) -> tuple[str, bytes]:
    """The single invoice file of a check, rewrite or preview request, with its label."""
    mt = media_type(request)
    if mt == MULTIPART:
        form = await request.form(max_files=10, max_fields=20)
        try:
            files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
            if not files:
                raise ApiError(
                    400,
                    "no-file",
                    "the multipart body holds no file: send the invoice as a file part, "
                    "e.g. curl -F file=@invoice.xml",
                )
            if len(files) > 1:
                raise ApiError(
                    400,
                    "several-files",
                    f"the multipart body holds {len(files)} files: this route takes one "
                    "invoice file; send several to /v1/check/batch",
                )
            label = upload_label(files[0].filename, "<upload>")
            data = await files[0].read()
        finally:
            await form.close()
    elif mt in ZIP_TYPES:
        raise ApiError(415, "unsupported-media-type", "a zip of invoices goes to /v1/check/batch")
    elif is_raw(mt):
        label, data = "<body>", await request.body()
        if not data and not mt:
            raise ApiError(
                400,
                "no-body",
                "the request carries no invoice: send the file as the body "
                "(Content-Type: application/xml) or as a multipart upload",
            )
    else:
        raise _unsupported(mt, "the invoice as application/xml, or a multipart/form-data upload")
    # An empty file sent as a file is still a file: the check calls it invalid (not-xml).
    return label, data


@dataclass
class Limits:
    max_bytes: int
    max_files: int
    max_unpacked: int


@dataclass
class Unpacked:
    """The files of a batch in run order, and what was left out of it, in words."""

    items: list[tuple[str, bytes | InputError]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unpacked: int = 0


def _unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (
        name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or bool(_DRIVE.match(name))
        or any(p == ".." for p in parts)
    )


def unpack_zip(data: bytes, prefix: str, limits: Limits, into: Unpacked) -> None:
    """Add the `*.xml` members of the zip `data` to `into`, in name order, within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ApiError(
            400, "bad-zip", f"{prefix or 'the body'} is not a readable zip: {exc}"
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise ApiError(
                413,
                "too-many-files",
                f"{prefix or 'the zip'} holds {len(infos)} entries, over the limit of "
                f"{limits.max_files} invoices per request",
            )
        unsafe = [i.filename for i in infos if _unsafe_name(i.filename)]
        if unsafe:
            raise ApiError(
                400,
                "unsafe-zip",
                f"{prefix or 'the zip'} has member names that point outside their folder "
                f"(absolute, '..' or backslashes): {unsafe[0]!r}; refused as a whole",
            )
        ignored = 0
        for info in sorted(infos, key=lambda i: i.filename):
            name = info.filename
            base = name.rsplit("/", 1)[-1]
            if info.is_dir() or name.startswith("__MACOSX/") or base.startswith("._"):
                continue  # folders, and the resource forks macOS adds to its zips
            if (info.external_attr >> 16) & 0o170000 == 0o120000 or not base.lower().endswith(
                ".xml"
            ):
                ignored += 1  # symbolic links and files that are not *.xml, as in a folder
                continue
            label = f"{prefix}/{name}" if prefix else name
            into.items.append((label, _member(archive, info, label, limits, into)))
        if ignored:
            into.notes.append(
                f"{ignored} member(s) of {prefix or 'the zip'} were not checked: only *.xml "
                "files are invoices (symbolic links are never followed)"
            )


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits, into: Unpacked
) -> bytes | InputError:
    if info.flag_bits & 0x1:
        return ReadError("not-xml", "an encrypted zip member: it cannot be read", path=label)
    if info.file_size > limits.max_bytes:
        return ReadError(
            "unsafe-xml",
            f"the file is {info.file_size} bytes, over the {limits.max_bytes}-byte limit",
            path=label,
        )
    budget = limits.max_unpacked - into.unpacked
    try:
        with archive.open(info) as handle:
            # Never more than the limits allow, whatever size the archive declares.
            data = handle.read(min(limits.max_bytes, budget) + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as exc:
        return ReadError("not-xml", f"this zip member cannot be unpacked: {exc}", path=label)
    into.unpacked += len(data)
    if into.unpacked > limits.max_unpacked:
        raise ApiError(
            413,
            "unpacked-too-large",
            f"the zip members unpack to more than {limits.max_unpacked} bytes together",
        )
    if len(data) > limits.max_bytes:
        return ReadError(
            "unsafe-xml", f"the file is over the {limits.max_bytes}-byte limit", path=label
        )
    return data


def _is_zip(upload: UploadFile) -> bool:
    ct = (upload.content_type or "").split(";", 1)[0].strip().lower()
    return ct in ZIP_TYPES or (upload.filename or "").lower().endswith(".zip")


async def invoice_set(request: Request, limits: Limits) -> Unpacked:
    """The files of a batch request: multipart parts in the order sent (a zip part unpacked
    in its place), or a whole-body zip, or one XML body."""
    mt = media_type(request)
    found = Unpacked()
    if mt == MULTIPART:
        try:
            form = await request.form(max_files=limits.max_files, max_fields=limits.max_files)
        except HTTPException as exc:
            if "Too many files" in str(exc.detail):  # Starlette's words for its max_files
                raise ApiError(
                    413,
                    "too-many-files",
                    f"more than {limits.max_files} files, the limit per request",
                ) from exc
            raise
        try:
            uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
            for n, upload in enumerate(uploads, 1):
                data = await upload.read()
                label = upload_label(upload.filename, f"<part {n}>")
                if _is_zip(upload):
                    unpack_zip(data, label, limits, found)
                else:
                    found.items.append((label, data))
        finally:
            await form.close()
    elif mt in ZIP_TYPES:
        unpack_zip(await request.body(), "", limits, found)
    elif is_raw(mt):
        body = await request.body()
        if body:
            found.items.append(("<body>", body))
    else:
        raise _unsupported(
            mt, "multipart/form-data with one part per file, application/zip, or application/xml"
        )
    if not found.items:
        raise ApiError(
            400,
            "no-invoices",
            "the request carries no invoice files (a zip counts only its *.xml members)",
        )
    if len(found.items) > limits.max_files:
        raise ApiError(
            413,
            "too-many-files",
            f"{len(found.items)} files, over the limit of {limits.max_files} per request",
        )
    return found
