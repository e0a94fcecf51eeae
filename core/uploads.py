"""The upload rule, one home for the web forms, the API and the Excel import.

A file is accepted only when its content is one of the allowed types (read from its first bytes and,
for zip-based formats, from the names inside the zip) and its extension names that same type. The
extension alone proves nothing: an executable or an HTML page renamed ``.pdf`` is refused.
"""

import copy
import hashlib
import zipfile
import zlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import crypto
from .domain import DomainError


@dataclass(frozen=True)
class FileType:
    name: str  # shown to people
    content_type: str  # sent back on download
    extensions: frozenset[str]


PDF = FileType("PDF", "application/pdf", frozenset({".pdf"}))
JPEG = FileType("JPEG", "image/jpeg", frozenset({".jpg", ".jpeg"}))
PNG = FileType("PNG", "image/png", frozenset({".png"}))
DOCX = FileType(
    "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
)
XLSX = FileType(
    "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    frozenset({".xlsx"}),
)
OFD = FileType("OFD", "application/ofd", frozenset({".ofd"}))

EVIDENCE_TYPES = (PDF, JPEG, PNG, DOCX, XLSX, OFD)
IMPORT_TYPES = (XLSX,)

# Leading bytes of the formats that are not zip archives.
MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
ZIP_MAGIC = b"PK\x03\x04"


class UploadRefused(DomainError):
    """The file is too large, or its content is not an allowed type or disagrees with its name."""

    def __init__(self, message):
        super().__init__(message, code="invalid_file")


def _zip_type(upload) -> FileType | None:
    """OOXML (``[Content_Types].xml`` plus ``word/`` or ``xl/``) or OFD (``OFD.xml``)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return DOCX
        if any(name.startswith("xl/") for name in names):
            return XLSX
    return None


def detect(upload) -> FileType | None:
    """The type the content shows, or ``None``; the upload's position is left at the start."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        if head.startswith(ZIP_MAGIC):
            return _zip_type(upload)
        return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    finally:
        upload.seek(0)


def megabytes(size: int) -> str:
    """A size as people read it in a limit, e.g. "20" or "0.50" (MB)."""
    size_mb = size / (1024 * 1024)
    return f"{size_mb:.0f}" if size_mb >= 1 else f"{size_mb:.2f}"


def check_upload(upload, *, allowed: tuple[FileType, ...], max_bytes: int) -> FileType:
    """The file's detected type; ``UploadRefused`` naming the file and the reason otherwise."""
    check_size(upload, max_bytes)
    return check_type(upload, allowed)


def check_size(upload, max_bytes: int) -> None:
    if upload.size > max_bytes:
        raise UploadRefused(
            _("%(name)s is larger than %(limit)s MB.")
            % {"name": _shown_name(upload), "limit": megabytes(max_bytes)}
        )


def check_type(upload, allowed: tuple[FileType, ...]) -> FileType:
    name = _shown_name(upload)
    kind = detect(upload)
    if kind not in allowed:
        raise UploadRefused(
            _("%(name)s is not an accepted file type; accepted: %(types)s.")
            % {"name": name, "types": "、".join(accepted.name for accepted in allowed)}
        )
    if PurePath(name).suffix.lower() not in kind.extensions:
        raise UploadRefused(
            _("The name of %(name)s does not match its content (a %(type)s file).")
            % {"name": name, "type": kind.name}
        )
    return kind


# A member this small cannot be a bomb, whatever its ratio (XML of a few rows compresses well).
INFLATION_GRACE_BYTES = 1024 * 1024
INFLATE_CHUNK = 64 * 1024


def check_inflation(upload, max_bytes: int, max_ratio: int) -> None:
    """A zip's members must not inflate past ``max_bytes`` (each and together) nor more than
    ``max_ratio`` to 1 (each, once past ``INFLATION_GRACE_BYTES``): checked on the sizes the zip
    declares, then on the bytes themselves, inflated in chunks and counted with a hard stop
    (a declared size can lie). Nothing is kept: memory stays at one chunk. ``UploadRefused``
    otherwise; the upload is left at position 0.
    """
    name = _shown_name(upload)
    too_big = UploadRefused(
        _(
            "%(name)s inflates to more than %(limit)s MB when unzipped: it is probably not a "
            "normal import workbook."
        )
        % {"name": name, "limit": megabytes(max_bytes)}
    )
    too_tight = UploadRefused(
        _(
            "%(name)s is compressed more than %(ratio)d to 1: it is probably not a normal import "
            "workbook."
        )
        % {"name": name, "ratio": max_ratio}
    )

    def ratio_ok(size: int, compressed: int) -> bool:
        return size <= INFLATION_GRACE_BYTES or size <= max_ratio * max(compressed, 1)

    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            # 1. What the zip declares.
            if sum(member.file_size for member in members) > max_bytes:
                raise too_big
            if not all(ratio_ok(member.file_size, member.compress_size) for member in members):
                raise too_tight
            # 2. What it really holds: each member read through a counter that stops one byte
            # past what is left of the budget. zipfile trusts the declared size as the end of a
            # member, so it is replaced by that bound, and the CRC is left to the real parse
            # (zipfile would check it at the bound, before the counter sees the byte too many).
            left = max_bytes
            for member in members:
                bounded = copy.copy(member)
                bounded.file_size = left + 1
                del bounded.CRC
                inflated = 0
                with archive.open(bounded) as stream:
                    while chunk := stream.read(INFLATE_CHUNK):
                        inflated += len(chunk)
                        if inflated > left:
                            raise too_big
                        if not ratio_ok(inflated, member.compress_size):
                            raise too_tight
                left -= inflated
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        EOFError,
    ):
        raise UploadRefused(_("%(name)s is not a readable zip archive.") % {"name": name}) from None
    finally:
        upload.seek(0)


def _shown_name(upload) -> str:
    return PurePath(upload.name or "").name


def digests_of(field_file) -> tuple[str, str]:
    """(SHA-256, SM3) of the file's bytes, read back from the storage: what was stored."""
    sha256, sm3 = hashlib.sha256(), crypto.sm3()
    with field_file.open("rb") as handle:
        for chunk in handle.chunks():
            sha256.update(chunk)
            sm3.update(chunk)
    return sha256.hexdigest(), sm3.finalize().hex()


def attachment_response(field_file, filename: str, allowed: tuple[FileType, ...] = EVIDENCE_TYPES):
    """A stored upload as a download that browsers never render inline nor sniff.

    The content type comes from the bytes, never from the name given at upload; ``filename`` is
    sent RFC 5987-encoded (``filename*``), so Chinese names survive.
    """
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    kind = detect(handle)
    content_type = kind.content_type if kind in allowed else "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Files written by the current service call, deleted again if it fails (see files_removed_on_error).
_written: ContextVar[list | None] = ContextVar("written_files", default=None)


@contextmanager
def files_removed_on_error():
    """Around a service that stores uploads: if it raises, the files it wrote are deleted.

    Its rows roll back with the transaction, and Django has no on-rollback hook, so without this
    the files would stay on disk, named by nothing. Use it outside ``transaction.atomic`` so a
    failed commit counts too. Usable as a decorator.
    """
    written: list = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)


def remember_written(field_file) -> None:
    written = _written.get()
    if written is None:
        raise RuntimeError("Store uploads inside files_removed_on_error().")
    written.append((field_file.storage, field_file.name))
