"""Static export: the same feeds as .ics files, for hosting on any web server.

``DIR`` is a symbolic link to a complete, numbered version directory beside it
(``.DIR.versions/000007/``). A new set is built in a hidden directory there: unchanged files
are hard-linked from the current version (same bytes, same inode, so the same modification
time and web-server ETag), changed ones are written. Then ``DIR`` is switched to it with one
rename, so a reader sees the old set or the new set, never a mix, and ``DIR`` never holds a
temporary file. A killed export leaves at most a hidden half-built directory, which the next
export removes. The current and the previous version are kept; older ones are removed.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.feeds.ical import render_feed
from api.feeds.settings import FeedSettings
from models.feeds import VIEWS, FeedSubject, all_subjects, feed_data

BUILDING = ".building-"  # a version being written (removed by the next export if left over)
LINK = ".link-"  # the new symlink just before it is renamed over DIR
LOCK = ".lock"  # serialises exports to the same DIR (flock: released when a process dies)


class ExportError(ValueError):
    """The static feed directory cannot be written (what, where, why)."""


def export_path(out: Path, subject: FeedSubject) -> Path:
    """``campus.ics`` for the planner, ``<view>/<key>.ics`` for everyone else."""
    if subject.view == "campus":
        return out / "campus.ics"
    return out / subject.view / f"{subject.key}.ics"


def versions_dir(out: Path) -> Path:
    """Where the versions of ``out`` live: a hidden sibling, on the same file system."""
    return out.parent / f".{out.name}.versions"


def export_feeds(
    session: Session, out: Path, *, settings: FeedSettings, now: datetime
) -> tuple[list[Path], list[Path]]:
    """Write every subscriber's feed into ``out`` as one new set; returns (written, unchanged).

    A file whose bytes did not change keeps its inode and modification time, so the web
    server's Last-Modified and ETag stay put. Every feed is rendered before the first file
    is touched.
    """
    files: dict[str, bytes] = {}
    for subject in all_subjects(session):
        files[export_path(Path(), subject).as_posix()] = render_feed(
            feed_data(session, subject, now=now, window=settings.window),
            refresh=settings.refresh,
            base_url=settings.public_url,
        )
    return publish_tree(out, files)


def _is_feed(rel: str) -> bool:
    """A path this export owns (a feed it would write); anything else in DIR is the user's."""
    parts = rel.split("/")
    if parts == ["campus.ics"]:
        return True
    return len(parts) == 2 and parts[0] in VIEWS and parts[1].endswith(".ics")


def _files(root: Path) -> dict[str, Path]:
    """The regular files under ``root`` by relative path (temporary files of old releases
    left out: a killed export before versioned directories left ``*.tmp`` behind)."""
    found: dict[str, Path] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and not path.name.endswith(".tmp"):
            found[path.relative_to(root).as_posix()] = path
    return found


def _managed(out: Path) -> bool:
    """True when ``out`` is a symlink into its own versions directory."""
    if not out.is_symlink():
        return False
    target = Path(os.path.normpath(out.parent / os.readlink(out)))
    return target.parent == versions_dir(out)


def _resolve_out(out: Path) -> Path:
    """``out`` made absolute; a symlink of the user's (say DIR -> /var/www/feeds) is followed,
    so the directory it points at becomes the managed one."""
    out = Path(os.path.abspath(out))
    for _ in range(40):
        if not out.is_symlink() or _managed(out):
            break
        out = Path(os.path.normpath(out.parent / os.readlink(out)))
    else:
        raise ExportError(f"{out}: too many levels of symbolic links")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a directory; choose another --out")
    return out


@contextmanager
def _locked(versions: Path) -> Iterator[None]:
    with (versions / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _numbered(versions: Path) -> list[Path]:
    return sorted(p for p in versions.iterdir() if p.name.isdigit() and p.is_dir())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link keeps inode and mtime; a copy with its metadata where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _switch(out: Path, new: Path, versions: Path, legacy_name: str) -> None:
    """Point ``out`` at ``new`` with one rename.

    A plain directory from an older release is swapped with the link in one step where the
    kernel can (else moved aside just before the link takes its place) and kept as the
    previous version.
    """
    link = versions / f"{LINK}{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(new, out.parent), link)
    if out.is_dir() and not out.is_symlink():
        if _exchange(link, out):
            link.rename(versions / legacy_name)  # ``link`` now names the old directory
        else:
            out.rename(versions / legacy_name)
            os.replace(link, out)
        for tmp in (versions / legacy_name).rglob("*.tmp"):  # left by a killed old export
            tmp.unlink()
        return
    os.replace(link, out)


def publish_tree(out: Path, files: Mapping[str, bytes]) -> tuple[list[Path], list[Path]]:
    """Make ``out`` show exactly ``files`` (relative path -> bytes), switched atomically.

    Files in ``out`` that this export does not own (an index.html, a .htaccess) are carried
    over; feeds that are no longer produced (a deleted school) leave the set. Returns the
    (written, unchanged) paths under ``out``.
    """
    out = _resolve_out(out)
    try:
        return _publish_tree(out, files)
    except OSError as exc:  # permissions, a full disk: DIR still shows the previous set
        where = exc.filename or out
        raise ExportError(
            f"cannot write the static feeds to {out}: {where}: {exc.strerror or exc}; "
            "the previous set is left as it was"
        ) from None


def _publish_tree(out: Path, files: Mapping[str, bytes]) -> tuple[list[Path], list[Path]]:
    versions = versions_dir(out)
    versions.mkdir(parents=True, exist_ok=True)
    with _locked(versions):
        for leftover in versions.iterdir():
            if leftover.name.startswith((BUILDING, LINK)):
                _remove(leftover)
        if _managed(out):
            current: Path | None = Path(os.path.normpath(out.parent / os.readlink(out)))
        else:
            current = out if out.is_dir() else None
        old = _files(current) if current is not None and current.is_dir() else {}
        kept = {rel: path for rel, path in old.items() if not _is_feed(rel)}
        same = {rel for rel, body in files.items() if rel in old and old[rel].read_bytes() == body}
        written = [out / rel for rel in sorted(files) if rel not in same]
        unchanged = [out / rel for rel in sorted(same)]
        if _managed(out) and not written and set(old) == set(files) | set(kept):
            return written, unchanged  # nothing to switch: the current set is the new set

        following = max((int(p.name) for p in _numbered(versions)), default=0) + 1
        legacy = current == out  # a plain directory of an older release: kept as a version
        legacy_name = f"{following:06d}"
        new_name = f"{following + legacy:06d}"
        staging = versions / f"{BUILDING}{uuid.uuid4().hex}"
        staging.mkdir()
        for rel in sorted(set(files) | set(kept)):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in same or rel in kept:
                _link_or_copy(old[rel], target)
            else:
                target.write_bytes(files[rel])
        new = versions / new_name
        staging.rename(new)
        _switch(out, new, versions, legacy_name)
        keep = {new, versions / legacy_name if legacy else current}
        for version in _numbered(versions):
            if version not in keep:
                shutil.rmtree(version, ignore_errors=True)  # the new set is already in place
    return written, unchanged
