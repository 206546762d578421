"""Files written whole or not at all, folders swapped in whole, and paths kept inside their folder.

Every output goes through here: a file is written to a temporary name beside its target and renamed over
it; a folder (site/, the store) is made beside its target and exchanged with it in one step, so that a
reader, or a build killed at any moment, sees the old folder or the new one, never a mix. Nothing here
follows a symbolic link to delete: a link that stands where a folder should be is replaced, not entered.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_UMASK_LOCK = threading.Lock()


def umask() -> int:
    """The process's umask now (read from /proc where it can be, which changes nothing; else set and put
    back under a lock)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _UMASK_LOCK:
        mask = os.umask(0o22)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """What open() gives a new file (0644 under umask 022): outputs are readable as any other file is."""
    return 0o666 & ~umask()


def folder_mode() -> int:
    """What mkdir gives a new folder (0755 under umask 022)."""
    return 0o777 & ~umask()


class OutsideError(ValueError):
    """A path that would leave the folder it must stay in."""


def inside(root: Path, *parts: str) -> Path:
    """`root` joined with `parts`, refused (OutsideError) when the result would not lie inside `root`
    (an absolute part, `..`, or a link that points out of it)."""
    path = root.joinpath(*parts)
    resolved_root = root.resolve()
    try:
        path.resolve().relative_to(resolved_root)
    except ValueError:
        raise OutsideError(f"{path} is outside {root}") from None
    return path


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "wb") -> Iterator[IO]:  # type: ignore[type-arg]
    """A temporary file beside `path`, which replaces `path` only if the block finishes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())  # (mkstemp's file is the user's alone)
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """`data` as a new file `path` in a folder being made (staging): no rename needed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # (less the umask)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def make_folder(path: Path) -> Path:
    """A new empty folder with the user's usual mode (0755 under umask 022)."""
    path.mkdir(mode=0o700)
    os.chmod(path, folder_mode())
    return path


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step (Linux renameat2 RENAME_EXCHANGE); False where the system has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done = libc.renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2)  # AT_FDCWD, RENAME_EXCHANGE
    except (AttributeError, OSError):
        return False
    if done == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def swap_in(new: Path, target: Path, trash: Path) -> None:
    """Put the folder `new` at `target` in one step; whatever stood at `target` (a folder, a file or a link,
    which is never entered) moves into `trash`. Readers see the old `target` or the new, never neither
    (where the system cannot exchange two names, there is a moment with none)."""
    trash.mkdir(parents=True, exist_ok=True)
    aside = trash / f"{target.name}.{secrets.token_hex(6)}"
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _renameat2_exchange(new, target):
        os.rename(new, aside)  # (`new` now names the old one)
        return
    os.rename(target, aside)
    os.rename(new, target)


def remove_tree(path: Path) -> None:
    """Remove `path` (a folder, file or link) without following any link; missing is fine."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def empty_trash(trash: Path) -> None:
    """Remove what swaps set aside (old sites and stores) and what killed builds left in `trash`."""
    if trash.is_dir() and not trash.is_symlink():
        for entry in os.scandir(trash):
            remove_tree(Path(entry.path))


def link_folder(source: Path, target: Path) -> bool:
    """Every entry of the folder `source` hard-linked into the (empty) folder `target`, links copied as links,
    by one `cp -al` (a loop in C: about a second at 100,000 files, where one in Python took three); False
    (`target` emptied again) where that could not be done."""
    cp = shutil.which("cp")
    if cp is None or not source.is_dir() or source.is_symlink():
        return False
    done = (
        subprocess.run([cp, "-al", "--", f"{source}/.", f"{target}/"], capture_output=True, check=False).returncode == 0
    )
    if not done:
        for entry in os.scandir(target):
            remove_tree(Path(entry.path))
    return done


def folder_listing(folder: Path) -> dict[str, tuple[bool, int, int, int]]:
    """Each entry of `folder` (not followed): whether it is a regular file, its size, time (ns) and inode;
    by one `find` (a loop in C), else os.scandir."""
    find = shutil.which("find")
    if find is not None:
        done = subprocess.run([find, str(folder), "-mindepth", "1", "-maxdepth", "1", "-printf", "%y\t%s\t%T@\t%i\t%f\\0"],
                              capture_output=True, check=False)  # fmt: skip
        if done.returncode == 0:
            found = {}
            for record in done.stdout.split(b"\0")[:-1]:
                kind, size, when, inode, name = record.split(b"\t", 4)
                seconds, _, fraction = when.partition(b".")
                mtime_ns = int(seconds) * 1_000_000_000 + int(fraction[:9].ljust(9, b"0") or b"0")
                found[os.fsdecode(name)] = (kind == b"f", int(size), mtime_ns, int(inode))
            return found
    listing = {}
    for entry in os.scandir(folder):
        info = entry.stat(follow_symlinks=False)
        listing[entry.name] = (stat.S_ISREG(info.st_mode), info.st_size, info.st_mtime_ns, info.st_ino)
    return listing


def link_or_copy(source: str, target: str) -> None:
    """`target` as a hard link to `source` (a file kept from the last build), or a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_range(source: IO[bytes], target: IO[bytes]) -> None:
    """All of `source` appended to `target`, in the kernel where it can (no trip through memory)."""
    target.flush()
    length = os.fstat(source.fileno()).st_size
    copied = 0
    try:
        while copied < length:
            done = os.copy_file_range(source.fileno(), target.fileno(), length - copied, copied)
            if done == 0:
                break
            copied += done
        if copied == length:
            return
    except (AttributeError, OSError):
        if copied:
            raise
    source.seek(copied)  # (a pipe, or a system without copy_file_range: through memory)
    shutil.copyfileobj(source, target, 1 << 20)
