"""Output files on a broken disk: the first write error breaks the writer, a cut record is cut back, and no file
that could not be completed is renamed to its final name. /dev/full answers every write with ENOSPC, as a full
disk does, on any Linux machine and without root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.article import RawPage
from scraper.errors import StorageError
from scraper.storage import PART, JsonlWriter, OutputSet, WarcArchive
from tests.conftest import page

FULL = Path("/dev/full")


def _fill_disk(writer: JsonlWriter | WarcArchive) -> None:
    """From now on the writer's file is on a full disk (its descriptor now points at /dev/full)."""
    handle = writer._handle
    assert handle is not None
    full = os.open(FULL, os.O_WRONLY)
    os.dup2(full, handle.fileno())
    os.close(full)


def _page(n: int) -> RawPage:
    return RawPage(url=f"https://x.org/{n}", final_url=f"https://x.org/{n}", status=200, body=page().encode(),
                   headers=(("Content-Type", "text/html"),))


def test_a_jsonl_writer_on_a_full_disk_fails_once_for_all_and_keeps_its_part_name(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    writer = JsonlWriter(path)
    writer.write({"n": 1})
    _fill_disk(writer)  # the disk fills up after the first line
    with pytest.raises(StorageError, match="No space left on device"):
        writer.write({"n": 2})
    with pytest.raises(StorageError, match="No space left on device"):  # broken: never a line after a hole
        writer.write({"n": 3})
    with pytest.raises(StorageError):
        writer.close()
    assert not path.exists() and path.with_name(path.name + PART).exists()


def test_a_partial_line_is_cut_back_so_the_part_file_holds_whole_records(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    writer = JsonlWriter(path)
    for n in range(3):
        writer.write({"n": n, "text": "x" * 100})

    class Short:  # a disk that takes 10 bytes of the next line, then is full
        def __init__(self, handle: object) -> None:
            self.handle, self.taken = handle, 0

        def write(self, data: memoryview) -> int:
            if self.taken:
                raise OSError(28, "No space left on device")
            self.taken = 10
            return int(self.handle.write(data[:10]))  # type: ignore[attr-defined]

        def fileno(self) -> int:
            return int(self.handle.fileno())  # type: ignore[attr-defined]

        def close(self) -> None:
            self.handle.close()  # type: ignore[attr-defined]

    writer._handle = Short(writer._handle)  # type: ignore[assignment]
    with pytest.raises(StorageError):
        writer.write({"n": 3, "text": "y" * 100})
    writer.abandon()
    lines = path.with_name(path.name + PART).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["n"] for line in lines] == [0, 1, 2]


def test_a_warc_archive_on_a_full_disk_is_never_renamed_and_its_part_holds_whole_records(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path / "raw")
    archive.write(_page(0))
    part = tmp_path / "raw" / f"part-00000.warc.gz{PART}"
    good = part.stat().st_size
    _fill_disk(archive)
    with pytest.raises(StorageError, match=r"cannot write WARC record to part-00000\.warc\.gz\.part: .*No space"):
        archive.write(_page(1))
    with pytest.raises(StorageError):
        archive.write(_page(2))
    with pytest.raises(StorageError):
        archive.close()
    assert not (tmp_path / "raw" / "part-00000.warc.gz").exists()
    assert part.stat().st_size == good
    with part.open("rb") as warc:
        assert [r.rec_type for r in ArchiveIterator(warc)] == ["warcinfo", "response"]


def test_an_output_set_renames_all_its_files_or_none(tmp_path: Path) -> None:
    files = OutputSet()
    articles = files.add(JsonlWriter(tmp_path / "a.jsonl"))
    errors = files.add(JsonlWriter(tmp_path / "a.errors.jsonl"))
    archive = files.add(WarcArchive(tmp_path / "raw"))
    articles.write({"n": 1})
    archive.write(_page(0))
    _fill_disk(errors)
    with pytest.raises(StorageError):
        errors.write({"n": 2})
    with pytest.raises(StorageError):
        files.commit()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "a.errors.jsonl.part", "a.jsonl.part", "part-00000.warc.gz.part"]
    ok = OutputSet()
    ok.add(JsonlWriter(tmp_path / "b.jsonl")).write({"n": 1})
    ok.commit()
    ok.commit()  # once
    assert (tmp_path / "b.jsonl").exists() and not (tmp_path / "b.jsonl.part").exists()
