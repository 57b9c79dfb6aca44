"""The static feed directory: switched as a whole, unchanged files untouched, no leftovers."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

import api.feeds.export as export
from api.feeds.export import ExportError, publish_tree, versions_dir


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file a reader of ``out`` sees, by relative path."""
    root = out.resolve()
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
    }


def leftovers(out: Path) -> list[str]:
    """Temporary files anywhere beside ``out`` (in it or in its versions)."""
    return sorted(
        p.name
        for p in out.parent.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith((export.BUILDING, export.LINK))
    )


OLD = {"campus.ics": b"campus 1", "school/a.ics": b"a 1", "trainer/t.ics": b"t 1"}
NEW = {"campus.ics": b"campus 2", "school/a.ics": b"a 1", "trainer/t.ics": b"t 2"}


def test_unchanged_files_keep_inode_and_mtime_and_the_set_switches_whole(
    tmp_path: Path,
) -> None:
    out = tmp_path / "feeds"
    written, unchanged = publish_tree(out, OLD)
    assert (len(written), len(unchanged)) == (3, 0) and snapshot(out) == OLD
    assert out.is_symlink() and not os.path.isabs(os.readlink(out))  # relocatable
    kept = (out / "school" / "a.ics").stat()
    written, unchanged = publish_tree(out, NEW)
    assert [p.name for p in written] == ["campus.ics", "t.ics"]
    assert unchanged == [out / "school" / "a.ics"] and snapshot(out) == NEW
    now = (out / "school" / "a.ics").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    # Nothing changed: no new version, nothing touched.
    target = os.readlink(out)
    assert publish_tree(out, NEW) == ([], [out / rel for rel in sorted(NEW)])
    assert os.readlink(out) == target and leftovers(out) == []


def test_only_the_current_and_the_previous_version_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    for n in range(4):
        publish_tree(out, {"campus.ics": f"campus {n}".encode()})
    versions = sorted(p.name for p in versions_dir(out).iterdir() if p.name.isdigit())
    assert versions == ["000003", "000004"] and os.readlink(out).endswith("000004")


def test_a_deleted_subject_leaves_the_set(tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    publish_tree(out, OLD)
    publish_tree(out, {"campus.ics": b"campus 1"})
    assert snapshot(out) == {"campus.ics": b"campus 1"}


def test_a_plain_directory_of_an_older_release_is_migrated(tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    (out / "school").mkdir(parents=True)
    for rel, body in OLD.items():
        (out / rel).parent.mkdir(exist_ok=True)
        (out / rel).write_bytes(body)
    (out / "school" / "gone.ics").write_bytes(b"a school deleted since")
    (out / "campus.ics.tmp").write_bytes(b"half")  # left by a killed export of old
    (out / "index.html").write_bytes(b"<p>our own page</p>")  # not ours: carried over
    kept = (out / "school" / "a.ics").stat()
    written, unchanged = publish_tree(out, NEW)
    assert len(written) == 2 and len(unchanged) == 1
    assert out.is_symlink()
    assert snapshot(out) == {**NEW, "index.html": b"<p>our own page</p>"}
    now = (out / "school" / "a.ics").stat()
    assert (now.st_ino, now.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert leftovers(out) == []
    # The old directory is kept as the previous version, for readers still in it.
    assert len([p for p in versions_dir(out).iterdir() if p.name.isdigit()]) == 2


def test_a_symlink_of_the_users_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "www" / "feeds"
    real.mkdir(parents=True)
    public = tmp_path / "public"
    public.symlink_to(real)
    publish_tree(public, OLD)
    assert snapshot(public) == OLD and real.is_symlink()
    assert versions_dir(real).is_dir()


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    out.write_text("not a directory")
    with pytest.raises(ExportError, match="exists and is not a directory"):
        publish_tree(out, OLD)


class Crash(BaseException):
    """What kill -9 does to the export at that point: nothing after it runs."""


@pytest.mark.parametrize("plain", [False, True], ids=["versioned", "plain-dir"])
@pytest.mark.parametrize("step", range(14))
def test_an_export_stopped_at_any_step_leaves_the_old_set_or_the_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int, plain: bool
) -> None:
    out = tmp_path / "feeds"
    if plain:  # as an older release left it, being migrated when the crash comes
        for rel, body in OLD.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(body)
    else:
        publish_tree(out, OLD)
    steps = 0

    def counting(real):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal steps
            steps += 1
            if steps > step:
                raise Crash
            return real(*args, **kwargs)

        return wrapped

    # Every file-system change the export makes, in order: a crash can fall between any two.
    monkeypatch.setattr(Path, "write_bytes", counting(Path.write_bytes))
    monkeypatch.setattr(Path, "mkdir", counting(Path.mkdir))
    monkeypatch.setattr(Path, "rename", counting(Path.rename))
    monkeypatch.setattr(os, "link", counting(os.link))
    monkeypatch.setattr(os, "symlink", counting(os.symlink))
    monkeypatch.setattr(os, "replace", counting(os.replace))
    with contextlib.suppress(Crash):
        publish_tree(out, NEW)
    monkeypatch.undo()
    assert snapshot(out) in (OLD, NEW)
    publish_tree(out, NEW)  # the next export cleans up after the crashed one
    assert snapshot(out) == NEW and leftovers(out) == []
