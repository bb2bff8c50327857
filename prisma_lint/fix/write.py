"""Replace the user's files safely: the one place that writes a schema (``--fix``,
``--unsafe-fixes``, ``--add-ignore``, ``migrate --write-schema``) or a report (``-o``).

What it guarantees, per file:

* links: a symlink is followed and the real file is written (the link stays a link); a file
  with several hard links, or one owned by someone else, is rewritten in place through the same
  inode, so every link shows the fixed text and the owner stays;
* everything else goes through a temporary file in the real file's own folder (same file
  system: no ``EXDEV``) and a rename, with the mode, owner and group copied (``os.chown`` works
  when run as root; otherwise the group when we may);
* a read-only file (no write bit, e.g. 0444) is refused with a message, never rewritten;
* just before the replace the file is compared with what was read (size, mtime_ns, SHA-256):
  if it changed meanwhile (an editor saved, another fixer ran) nothing is written to any file
  and :class:`FileChanged` says which;

and for the set of files: every temporary file is prepared first, then all are replaced; when a
replace fails the files already replaced get their original bytes back (all or nothing).
SIGTERM and SIGINT while writing remove the temporary files (and undo the replaces made) before
the signal's exit. I/O failures are :class:`WriteError` with a one-line message naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Optional

from ..records import record
from ..source import Snapshot  # what the loader keeps of each file it read (here before)

if TYPE_CHECKING:
    from pathlib import Path

    from ..paths import StrPath


class WriteError(OSError):
    """A file could not be written (a user error: exit 2, one line naming the file); an OSError,
    so a caller that tolerates I/O failures (the app cache) tolerates it too."""


class FileChanged(WriteError):
    """A file changed on disk between reading and replacing it; nothing was written."""


class Interrupted(BaseException):
    """SIGTERM arrived while writing (SIGINT is KeyboardInterrupt); the files are as they were."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _why(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    if e.errno == errno.EDQUOT:
        return "disk quota exceeded"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EROFS:
        return "read-only file system"
    return e.strerror or str(e)


def _remove(path: Optional[str]) -> None:
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


@record(eq=False)
class _Plan:
    shown: str  # the path as the user knows it (for messages)
    real: str  # symlinks resolved
    data: bytes  # the new content
    expected: Optional[Snapshot]  # what was read; None: no check
    in_place: bool = False
    st: Optional[os.stat_result] = None
    tmp: Optional[str] = None
    original: Optional[bytes] = None  # read just before the replace, for the rollback
    replaced: bool = False


def _prepare(p: _Plan) -> None:
    try:
        st = os.stat(p.real)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise WriteError(f"{p.shown}: cannot write: {_why(e)}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(f"{p.shown}: not a regular file; not written")
        if not st.st_mode & 0o222:
            raise WriteError(
                f"{p.shown}: the file is read-only (mode {stat.S_IMODE(st.st_mode):04o}); not written "
                "(make it writable to apply the fixes)"
            )
        if os.geteuid() != 0 and not os.access(p.real, os.W_OK):
            raise WriteError(f"{p.shown}: cannot write: permission denied (mode {stat.S_IMODE(st.st_mode):04o})")
        # a rename would break the other hard links, or hand someone else's file to us
        p.in_place = st.st_nlink > 1 or (os.geteuid() != 0 and st.st_uid != os.geteuid())
    p.st = st
    if p.in_place:
        return
    folder = os.path.dirname(p.real) or "."
    try:
        fd, p.tmp = _temp_beside(p.real)
    except OSError as e:
        raise WriteError(f"{p.shown}: cannot write in {folder}: {_why(e)}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(p.data)
            f.flush()
            os.fsync(f.fileno())
        if st is not None:
            os.chmod(p.tmp, stat.S_IMODE(st.st_mode))
            if os.geteuid() == 0:
                os.chown(p.tmp, st.st_uid, st.st_gid)
            elif st.st_gid != os.getegid():
                try:
                    os.chown(p.tmp, -1, st.st_gid)
                except OSError:  # not a member of the group: the folder's rules apply
                    pass
        else:
            os.chmod(p.tmp, 0o666 & ~_umask())
    except OSError as e:
        raise WriteError(f"{p.shown}: cannot write: {_why(e)}") from None


def _temp_beside(real: str) -> tuple[int, str]:
    """A new file in ``real``'s folder (the rename then stays on one file system), opened
    exclusively with mode 0600 as ``tempfile.mkstemp`` makes it, named ``.NAME.RANDOM.tmp``.
    Not through ``tempfile``: it imports shutil and random, 42 M instructions (callgrind), as
    much as 7% of a cold ``check`` on cal.com's schema, for one file name."""
    folder = os.path.dirname(real) or "."
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(folder, f".{os.path.basename(real)}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", folder)


def _check(p: _Plan) -> None:
    """Read the file again: it must be what was read (else nothing is written)."""
    if p.expected is None:
        return
    try:
        with open(p.real, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        raise FileChanged(f"{p.shown}: the file was removed while prisma-lint ran; nothing written") from None
    except OSError as e:
        raise WriteError(f"{p.shown}: cannot read it again before writing: {_why(e)}") from None
    if Snapshot.of(st, data) != p.expected:
        raise FileChanged(
            f"{p.shown}: the file changed while prisma-lint ran (saved by an editor or another fixer?); "
            "nothing written — run it again"
        )
    p.original = data


def _write_in_place(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(p: _Plan) -> None:
    if p.original is None and p.st is not None:
        with open(p.real, "rb") as f:
            p.original = f.read()
    # marked first: a signal handled right after the rename (or a partial in-place write) must
    # still see the file as replaced, so the rollback puts the original back
    p.replaced = True
    try:
        if p.in_place:
            _write_in_place(p.real, p.data)
        else:
            assert p.tmp is not None
            os.replace(p.tmp, p.real)
            p.tmp = None
    except OSError as e:
        raise WriteError(f"{p.shown}: cannot write: {_why(e)}") from None


def _restore(p: _Plan) -> None:
    if not p.replaced:
        return
    if p.original is None:  # it did not exist before
        _remove(p.real)
        return
    try:
        if p.in_place:
            _write_in_place(p.real, p.original)
        else:
            undo = _Plan(p.shown, p.real, p.original, None)
            _prepare(undo)
            _replace(undo)
    except (OSError, WriteError):
        pass


def _umask() -> int:
    # os.umask can only be read by setting it; the moment between is not observable by us
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Signals:
    """SIGTERM raises :class:`Interrupted` while active (SIGINT already raises
    KeyboardInterrupt), so the cleanup runs; only in the main thread, where Python delivers."""

    def __enter__(self) -> "_Signals":
        # signal's C core: `import signal` builds its enums, 21 M instructions (callgrind), ~4%
        # of a cold `check --fix` on cal.com's schema, for four constants and two functions
        try:
            import _signal as signal  # CPython's; other interpreters have only the module
        except ImportError:  # pragma: no cover
            import signal
        import threading

        self.signal = signal
        self.main = threading.current_thread() is threading.main_thread()
        if self.main:
            self.previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
            signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    def hold(self) -> None:
        """A second signal must not stop the cleanup half-way: ignore both until the end."""
        signal = self.signal
        if self.main:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc: object) -> None:
        signal = self.signal
        if self.main:
            for s, handler in self.previous.items():
                signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def write_files(
    files: list[tuple[str, StrPath, bytes, Optional[Snapshot]]],
    before_replace: Optional[Callable[[], None]] = None,
) -> None:
    """Replace each ``(shown, path, data, read_as)`` all or nothing (see the module's docstring).

    ``before_replace`` runs after every temporary file is prepared and before the files are
    compared with what was read: the point where a concurrent edit or a signal is most costly
    (tests use it to make those happen deterministically)."""
    plans = [_Plan(shown, os.path.realpath(path), data, snap) for shown, path, data, snap in files]
    with _Signals() as signals:
        try:
            for p in plans:
                _prepare(p)
            if before_replace is not None:
                before_replace()
            for p in plans:
                _check(p)
            for p in plans:
                _replace(p)
        except BaseException:
            signals.hold()
            for p in plans:
                _remove(p.tmp)
            for p in reversed(plans):
                _restore(p)
            raise


def encode(text: str, bom: bool) -> bytes:
    return ("\ufeff" + text if bom else text).encode("utf-8")


def write_report(path: Path, text: str) -> None:
    """A report (``-o``): atomic, and created with the usual umask mode (an existing file keeps
    its mode)."""
    folder = path.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(f"{path}: cannot create the folder: {_why(e)}") from None
    write_files([(str(path), path, text.encode("utf-8"), None)])


def write_atomically(path: Path, text: str, bom: bool = False) -> None:
    """One file, no read-back check (a cache, a report): the same guarantees otherwise; raises
    :class:`WriteError` (an ``OSError`` is not raised)."""
    write_files([(str(path), path, encode(text, bom), None)])
