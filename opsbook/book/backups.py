"""Backups: the previous version of a book, kept before every write, and restore.

Each write first copies the book into ``opsbook-backups/<book name>/`` beside it,
named by the time of the copy. Kept: the newest MAX_BACKUPS, and besides them
the first copy of each of the last KEEP_DAYS days, so a loss noticed a week
later can still be undone.
``restore`` puts one back (atomically), after backing up the current file so
that a restore can itself be undone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import BookFileError, Problem
from .locks import temp_prefix

MAX_BACKUPS = 10
KEEP_DAYS = 14
FOLDER = "opsbook-backups"


def backup_dir(path: Path) -> Path:
    return path.parent / FOLDER / path.name


def list_backups(path: Path) -> list[Path]:
    """Backups of ``path``, newest first."""
    folder = backup_dir(path)
    return (
        sorted(folder.glob(f"{path.stem}-*{path.suffix}"), reverse=True)
        if folder.exists()
        else []
    )


def make_backup(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy ``path`` into its backup folder and prune the oldest beyond MAX_BACKUPS."""
    folder = backup_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    shutil.copy2(path, target)
    today = (now or dt.datetime.now()).date()
    for old in to_prune(list_backups(path), today):
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    return target


def _day(backup: Path) -> dt.date | None:
    try:
        return dt.datetime.strptime(backup.stem.rsplit("-", 3)[-3], "%Y%m%d").date()
    except (ValueError, IndexError):
        return None


def to_prune(backups: list[Path], today: dt.date) -> list[Path]:
    """Of ``backups`` (newest first), those past the newest MAX_BACKUPS that are not
    the first of their day within the last KEEP_DAYS days."""
    firsts: dict[dt.date, Path] = {}
    for backup in reversed(backups):  # oldest first: the first seen is the day's first
        day = _day(backup)
        if day is not None and (today - day).days < KEEP_DAYS:
            firsts.setdefault(day, backup)
    keep = set(backups[:MAX_BACKUPS]) | set(firsts.values())
    return [b for b in backups if b not in keep]


def copy_atomic(source: Path, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(source, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def restore(path: Path, backup: Path | None = None) -> tuple[Path, Path | None]:
    """Put ``backup`` (default: the newest) back as ``path``; returns it and the copy of what it replaced."""
    backups = list_backups(path)
    chosen = backup or (backups[0] if backups else None)
    if chosen is None or not chosen.exists():
        raise BookFileError(
            [
                Problem(
                    path.name,
                    "no_backup",
                    "没有找到可以恢复的备份 / no backup found",
                    f"备份在 {backup_dir(path)}；用 opsbook restore --list 查看 / see `opsbook restore --list`",
                )
            ]
        )
    safety = make_backup(path) if path.exists() else None
    copy_atomic(chosen, path)
    return chosen, safety
