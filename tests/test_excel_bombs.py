"""Hostile workbooks: an .xlsx is a zip, and a small one can inflate to gigabytes
(docs/pitfalls.md).

Each bomb is built here, streamed through a deflate compressor so the file stays small and
nothing large is ever held in memory: a sheet of 20,000,000 empty rows (~120 MB inflated, a
180 KB file), shared strings of 1 GB (a 1 MB file), and the sheet bomb again with headers that
declare it tiny. Every one is refused with a Chinese message before openpyxl parses it, within a
bounded amount of memory, and nothing is imported.
"""

import io
import resource
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from cases.models import Problem
from oversight import excel
from recommendations.models import ImportJob

PROBLEM_HEADINGS = ["问题类别", "业务环节", "单位", "描述"]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MB = 1024 * 1024
INFLATED = "解压后超过 50 MB，可能不是正常的导入表格"
TOO_MANY_ROWS = "表格行数超过 50000 行"
NOT_NORMAL = "的压缩比超过 100:1，可能不是正常的导入表格"
MEMORY_BOUND = 200 * MB


def template_members() -> dict[str, bytes]:
    """The members of a genuine small problem-list workbook (headings and one good row)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PROBLEM_HEADINGS)
    sheet.append(["制度建设薄弱点", "招投标", None, "评审专家抽取制度缺失"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sheet_xml(rows, dimension: str | None = None):
    """A worksheet's XML, in chunks: the template's headings, then ``rows`` (an iterable of
    chunks of ``<row>`` elements)."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    cells = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{heading}</t></is></c>'
        for letter, heading in zip("ABCD", PROBLEM_HEADINGS, strict=True)
    )
    yield f'<row r="1">{cells}</row>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def empty_rows(count: int, per_chunk: int = 100_000):
    chunk = b"<row/>" * per_chunk
    for _ in range(count // per_chunk):
        yield chunk


def huge_shared_strings(total: int):
    """``<sst>`` of about ``total`` bytes: 1 MB strings of "x", one chunk at a time."""
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    chunk = b"<si><t>" + b"x" * MB + b"</t></si>"
    for _ in range(total // len(chunk)):
        yield chunk
    yield b"</sst>"


def workbook_with(replaced: dict, name="问题清单.xlsx") -> SimpleUploadedFile:
    """The template's members, some replaced by streamed chunks, deflated at level 9."""
    members = template_members()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, content in {**members, **replaced}.items():
            if isinstance(content, bytes):
                archive.writestr(member, content)
                continue
            with archive.open(member, "w") as stream:
                for chunk in content:
                    stream.write(chunk)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=excel.XLSX)


def lying_about(upload: SimpleUploadedFile, member: str, declared: int) -> SimpleUploadedFile:
    """The same zip with ``member``'s uncompressed size declared as ``declared``, in its local
    header and in the central directory (the CRC and the data are the real ones)."""
    upload.seek(0)
    data = bytearray(upload.read())
    upload.seek(0)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(member)
    # Local file header: the uncompressed size at offset 22.
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    # Central directory entry: the uncompressed size at offset 24, the name at 46.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, position + 24, declared)
            break
        position = data.find(b"PK\x01\x02", position + 4)
    else:
        raise AssertionError("member not found in the central directory")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo(member).file_size == declared
    return SimpleUploadedFile(upload.name, bytes(data), content_type=excel.XLSX)


@pytest.fixture(scope="module")
def row_bomb():
    """20,000,000 empty rows: ~120 MB of sheet XML in a file of a few hundred KB."""
    return workbook_with({SHEET: sheet_xml(empty_rows(20_000_000))})


@pytest.fixture(scope="module")
def strings_bomb():
    """Shared strings inflating to ~1 GB, in a file of about 1 MB."""
    return workbook_with({STRINGS: huge_shared_strings(1024 * MB)})


class Measured:
    """Python's peak allocations (tracemalloc) and the process's peak resident size around a
    block, and how long it took."""

    def __enter__(self):
        self.rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        tracemalloc.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        self.traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self.rss_added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.rss_before
        return False

    def assert_bounded(self):
        assert self.traced_peak < MEMORY_BOUND, f"{self.traced_peak / MB:.1f} MB traced"
        assert self.rss_added < MEMORY_BOUND, f"{self.rss_added / MB:.1f} MB resident added"
        print(
            f"peak traced {self.traced_peak / MB:.2f} MB, resident added "
            f"{self.rss_added / MB:.2f} MB, {self.seconds:.2f} s"
        )


def refused(upload, message: str):
    with Measured() as measured, pytest.raises(excel.ImportRefused) as refusal:
        excel.read_rows(upload, excel.PROBLEM_COLUMNS)
    assert message in refusal.value.message, refusal.value.message
    measured.assert_bounded()
    return measured


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


def test_the_bombs_are_small_files(row_bomb, strings_bomb):
    assert row_bomb.size < 400 * 1024
    assert strings_bomb.size < 2 * MB
    with zipfile.ZipFile(row_bomb) as archive:
        assert archive.getinfo(SHEET).file_size > 100 * MB
    with zipfile.ZipFile(strings_bomb) as archive:
        assert archive.getinfo(STRINGS).file_size > 1000 * MB
    row_bomb.seek(0)
    strings_bomb.seek(0)


def test_twenty_million_empty_rows_are_refused_by_their_inflated_size(chinese, row_bomb):
    refused(row_bomb, INFLATED)


def test_a_gigabyte_of_shared_strings_is_refused_by_its_inflated_size(chinese, strings_bomb):
    refused(strings_bomb, INFLATED)


@pytest.mark.parametrize("member", [SHEET, STRINGS])
def test_a_member_declared_small_is_counted_as_it_inflates(chinese, row_bomb, strings_bomb, member):
    """The headers say 1,000 bytes; the bytes say otherwise, and the counter stops at 50 MB."""
    bomb = row_bomb if member == SHEET else strings_bomb
    liar = lying_about(bomb, member, declared=1000)
    # The sheet's 1000-to-1 ratio shows first, the strings' 50 MB (their ratio is under 100).
    refused(liar, INFLATED if member == STRINGS else NOT_NORMAL)


def test_a_tightly_compressed_member_is_refused_by_its_ratio(chinese, settings):
    # 6 MB of empty rows (a million) under the size cap, deflated about 1000 to 1.
    upload = workbook_with({SHEET: sheet_xml(empty_rows(1_000_000))})
    refused(upload, NOT_NORMAL)


def test_a_sheet_with_too_many_rows_is_refused_before_parsing(chinese, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000  # let the row count answer
    upload = workbook_with({SHEET: sheet_xml(empty_rows(1_000_000))})
    measured = refused(upload, TOO_MANY_ROWS)
    assert measured.seconds < 5


@pytest.mark.parametrize(
    "sheet",
    [
        # openpyxl trusts the dimension and would yield 20 million empty rows for it.
        pytest.param(sheet_xml([], dimension="A1:D20000001"), id="dimension"),
        # …and fills the gap up to a row numbered 20,000,000.
        pytest.param(sheet_xml([b'<row r="20000000"/>']), id="row-number"),
    ],
)
def test_a_tiny_sheet_claiming_millions_of_rows_is_refused(chinese, sheet):
    measured = refused(workbook_with({SHEET: sheet}), TOO_MANY_ROWS)
    assert measured.seconds < 5


def test_the_page_refuses_the_bomb_as_a_form_error(world, client, housing_case, row_bomb):
    client.force_login(world.users.city_staff)
    with Measured() as measured:
        response = client.post(
            reverse("documents:problems_import", args=[housing_case.pk]), {"file": row_bomb}
        )
    measured.assert_bounded()
    assert response.status_code == 400
    assert INFLATED in response.content.decode()
    assert not Problem.objects.filter(case=housing_case).exists()
    assert not ImportJob.objects.exists()


def test_the_page_refuses_the_lying_strings_bomb(world, client, housing_case, strings_bomb):
    client.force_login(world.users.city_staff)
    liar = lying_about(strings_bomb, STRINGS, declared=1000)
    with Measured() as measured:
        response = client.post(
            reverse("documents:problems_import", args=[housing_case.pk]), {"file": liar}
        )
    measured.assert_bounded()
    assert response.status_code == 400
    assert INFLATED in response.content.decode()
    assert not Problem.objects.filter(case=housing_case).exists()
    assert not ImportJob.objects.exists()


def test_a_normal_workbook_still_imports(chinese, world, housing_case):
    rows = excel.read_rows(workbook_with({}), excel.PROBLEM_COLUMNS)
    assert rows == [(2, ("制度建设薄弱点", "招投标", None, "评审专家抽取制度缺失"))]
