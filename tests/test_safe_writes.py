"""Issue #11 items 1, 2, 5, 6: writing the user's schema never loses or corrupts work.

The race and the signal happen at a deterministic point: ``write_files``' ``before_replace``
hook runs after the temporary files are prepared and before the files are compared with what
was read and replaced. The CLI tests drive the real ``check --fix`` in-process and wrap the
writer to pass that hook."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from helpers import USER_POST

from prisma_lint import cli
from prisma_lint.fix import write as writer

UNFIXED = USER_POST
FIXED_LINE = "@@index([authorId])"

# a multi-file schema whose two files both get a fix
MULTI = {
    "base.prisma": 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id    Int    @id\n  posts Post[]\n  tags  Tag[]\n}\n',
    "post.prisma": "model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n",
    "tag.prisma": "model Tag {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n",
}


def run_in_process(*args: str, cwd: Path | None = None, monkeypatch=None) -> int:
    """The real CLI in this process (so a test can wrap the writer); returns the exit code."""
    if cwd is not None and monkeypatch is not None:
        monkeypatch.chdir(cwd)
    try:
        cli.main_group(list(args), standalone_mode=False)
    except cli._Exit as e:
        return e.code
    return 0


def hook_writer(monkeypatch, hook) -> None:
    real = writer.write_files

    def wrapped(files, before_replace=None):
        return real(files, before_replace=hook)

    monkeypatch.setattr(writer, "write_files", wrapped)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- 1. the file changed between reading and replacing -----------------------------------------
def test_fix_writes_nothing_when_the_file_changed_meanwhile(tmp_path, monkeypatch, capsys):
    schema = tmp_path / "schema.prisma"
    schema.write_text(UNFIXED)
    edited = UNFIXED.replace("model Post {", "/// saved by the editor while --fix ran\nmodel Post {")
    hook_writer(monkeypatch, lambda: schema.write_text(edited))
    code = run_in_process("check", "--fix", str(schema))
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2
    assert "changed while prisma-lint ran" in err and "nothing written" in err
    assert "(0 fixed, 1 remaining)" in captured.out  # never a count of fixes that were not written
    assert schema.read_text() == edited  # the editor's save survives, untouched
    assert leftovers(tmp_path) == []


def test_same_size_same_mtime_change_is_caught_by_the_content(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text("model A { id Int @id }\n")
    st = p.stat()
    snap = writer.Snapshot.of(st, p.read_bytes())

    def sneaky():  # same length, mtime put back: only the content tells
        p.write_text("model B { id Int @id }\n")
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))

    with pytest.raises(writer.FileChanged):
        writer.write_files([("schema.prisma", p, b"fixed\n", snap)], before_replace=sneaky)
    assert p.read_text() == "model B { id Int @id }\n"


def test_two_fixers_at_once_the_second_refuses(tmp_path, monkeypatch, capsys):
    """Two fixers with different --select: the one that replaces second saw the old file."""
    schema = tmp_path / "schema.prisma"
    schema.write_text(UNFIXED + "\nmodel Tag {\n  id Int @id\n  name String\n\n  @@index([name])\n  @@index([name, id])\n}\n")

    def other_fixer() -> None:  # runs to completion between our read and our replace
        proc = run_cli("check", "--fix", "--unsafe-fixes", "--select", "redundant-index", str(schema))
        assert proc.returncode in (0, 1), proc.stderr

    hook_writer(monkeypatch, other_fixer)
    code = run_in_process("check", "--fix", "--select", "missing-fk-index", str(schema))
    assert code == 2 and "changed while prisma-lint ran" in capsys.readouterr().err
    text = schema.read_text()
    assert "@@index([name])" not in text and "@@index([name, id])" in text  # the other fixer's change is kept
    assert FIXED_LINE not in text  # ours was not written over it


# -- 2. links, owner, mode, read-only, reports --------------------------------------------------
def test_symlinked_schema_fixes_the_target_and_keeps_the_link(tmp_path):
    shared = tmp_path / "shared"
    app = tmp_path / "app"
    shared.mkdir()
    app.mkdir()
    (shared / "schema.prisma").write_text(UNFIXED)
    (app / "schema.prisma").symlink_to("../shared/schema.prisma")
    proc = run_cli("check", "--fix", "schema.prisma", cwd=app)
    assert proc.returncode == 0, proc.stderr
    assert (app / "schema.prisma").is_symlink()
    assert os.readlink(app / "schema.prisma") == "../shared/schema.prisma"
    assert FIXED_LINE in (shared / "schema.prisma").read_text()
    assert leftovers(app) == [] and leftovers(shared) == []


def test_symlink_across_file_systems_no_exdev(tmp_path):
    other_fs = Path("/dev/shm")
    assert other_fs.is_dir() and os.stat(other_fs).st_dev != os.stat(tmp_path).st_dev, "need a second file system"
    target = other_fs / f"prisma-lint-test-{os.getpid()}.prisma"
    target.write_text(UNFIXED)
    try:
        (tmp_path / "schema.prisma").symlink_to(target)
        proc = run_cli("check", "--fix", str(tmp_path / "schema.prisma"))
        assert proc.returncode == 0, proc.stderr
        assert "Invalid cross-device link" not in proc.stderr and "internal error" not in proc.stderr
        assert FIXED_LINE in target.read_text()
        assert (tmp_path / "schema.prisma").is_symlink()
    finally:
        target.unlink()


def test_hard_links_all_show_the_fix(tmp_path):
    a = tmp_path / "schema.prisma"
    a.write_text(UNFIXED)
    b = tmp_path / "backup-link.prisma"
    os.link(a, b)
    inode = a.stat().st_ino
    proc = run_cli("check", "--fix", str(a))
    assert proc.returncode == 0, proc.stderr
    assert a.stat().st_ino == inode == b.stat().st_ino and a.stat().st_nlink == 2
    assert FIXED_LINE in b.read_text()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_root_keeps_someone_elses_owner_group_and_mode(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(UNFIXED)
    os.chown(p, 65534, 65534)
    os.chmod(p, 0o640)
    proc = run_cli("check", "--fix", str(p))
    assert proc.returncode == 0, proc.stderr
    st = p.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)
    assert FIXED_LINE in p.read_text()


def test_mode_is_kept(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(UNFIXED)
    os.chmod(p, 0o664)
    assert run_cli("check", "--fix", str(p)).returncode == 0
    assert stat.S_IMODE(p.stat().st_mode) == 0o664 and FIXED_LINE in p.read_text()


def test_read_only_file_is_refused_with_a_message(tmp_path):
    p = tmp_path / "schema.prisma"
    p.write_text(UNFIXED)
    os.chmod(p, 0o444)
    proc = run_cli("check", "--fix", str(p))
    assert proc.returncode == 2
    assert "read-only (mode 0444)" in proc.stderr and "internal error" not in proc.stderr
    assert p.read_text() == UNFIXED and stat.S_IMODE(p.stat().st_mode) == 0o444
    assert proc.stderr.strip().splitlines() == [
        f"prisma-lint: error: {p}: the file is read-only (mode 0444); not written (make it writable to apply the fixes)",
    ]
    assert "(0 fixed, 1 remaining)" in proc.stdout


def test_report_file_gets_the_usual_umask_mode(tmp_path):
    out = tmp_path / "reports" / "lint.sarif"
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from prisma_lint.cli import main; sys.argv[1:] = "
         f"['check', '--format', 'sarif', '-o', {str(out)!r}, 'examples/schema.prisma']; main()"],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 1, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert leftovers(out.parent) == []


# -- 5. multi-file: all or nothing; I/O errors are user errors ----------------------------------
def write_multi(folder: Path) -> None:
    folder.mkdir()
    for name, text in MULTI.items():
        (folder / name).write_text(text)


def test_multi_file_fix_rolls_back_when_a_replace_fails(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "schema"
    write_multi(folder)
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):  # the second file's rename fails: the disk is full
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    code = run_in_process("check", "--fix", str(folder))
    err = capsys.readouterr().err
    assert code == 2
    assert "no space left on the device" in err and "internal error" not in err
    assert err.strip().splitlines()[0].startswith("prisma-lint: error: ")
    for name, text in MULTI.items():  # the first file, already replaced, was put back
        assert (folder / name).read_text() == text, name
    assert leftovers(folder) == []


def test_multi_file_nothing_written_when_one_file_cannot_be_prepared(tmp_path):
    folder = tmp_path / "schema"
    write_multi(folder)
    os.chmod(folder / "tag.prisma", 0o444)
    proc = run_cli("check", "--fix", str(folder))
    assert proc.returncode == 2 and "tag.prisma: the file is read-only" in proc.stderr
    for name, text in MULTI.items():
        assert (folder / name).read_text() == text
    assert leftovers(folder) == []


def test_multi_file_fix_writes_all(tmp_path):
    folder = tmp_path / "schema"
    write_multi(folder)
    assert run_cli("check", "--fix", str(folder)).returncode == 0
    assert "@@index([authorId])" in (folder / "post.prisma").read_text()
    assert "@@index([userId])" in (folder / "tag.prisma").read_text()


def test_unwritable_folder_is_a_one_line_user_error(tmp_path, monkeypatch, capsys):
    p = tmp_path / "schema.prisma"
    p.write_text(UNFIXED)

    def denied(*a, **k):  # as root a mode cannot deny it; the kernel's answer, injected
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(writer, "_temp_beside", denied)
    assert run_in_process("check", "--fix", str(p)) == 2
    err = capsys.readouterr().err
    assert f"{p}: cannot write in {tmp_path}: permission denied" in err and "internal error" not in err
    assert p.read_text() == UNFIXED


# -- 6. SIGTERM / Ctrl-C while writing ---------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_while_writing_leaves_no_temp_file_and_the_schema_as_it_was(tmp_path, signum):
    folder = tmp_path / "schema"
    write_multi(folder)
    script = f"""
import os, signal, sys
from prisma_lint import cli
from prisma_lint.fix import write
real = write.write_files
def wrapped(files, before_replace=None):
    # every temporary file exists now: the worst moment for the signal
    return real(files, before_replace=lambda: os.kill(os.getpid(), {int(signum)}))
write.write_files = wrapped
sys.argv[1:] = ["check", "--fix", {str(folder)!r}]
cli.main()
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert proc.returncode == 128 + signum, proc.stderr
    assert "Traceback" not in proc.stderr
    assert leftovers(folder) == []
    for name, text in MULTI.items():
        assert (folder / name).read_text() == text


def test_signal_after_a_replace_puts_the_replaced_file_back(tmp_path, monkeypatch):
    folder = tmp_path / "schema"
    write_multi(folder)
    files = [(n, folder / n, b"// fixed\n" + t.encode(), None) for n, t in MULTI.items()]
    real_replace = os.replace

    def replace_then_term(src, dst):
        real_replace(src, dst)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives right after the first file was replaced

    monkeypatch.setattr(writer.os, "replace", replace_then_term)
    with pytest.raises(writer.Interrupted):
        writer.write_files(files)
    monkeypatch.setattr(writer.os, "replace", real_replace)
    for name, text in MULTI.items():
        assert (folder / name).read_text() == text
    assert leftovers(folder) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


def test_an_unwritable_schema_does_not_stop_the_others(tmp_path):
    ro, rw = tmp_path / "ro.prisma", tmp_path / "rw.prisma"
    ro.write_text(UNFIXED)
    rw.write_text(UNFIXED)
    os.chmod(ro, 0o444)
    proc = run_cli("check", "--fix", "--format", "json", "ro.prisma", "rw.prisma", cwd=tmp_path)
    assert proc.returncode == 2
    assert "ro.prisma: the file is read-only" in proc.stderr
    assert FIXED_LINE in rw.read_text() and ro.read_text() == UNFIXED
    import json

    doc = json.loads(proc.stdout)  # the report is still written, with ro.prisma's finding left
    assert [f["file"] for f in doc["findings"] if f["rule"] == "missing-fk-index"] == ["ro.prisma"]


def test_the_temporary_file_is_new_private_and_beside_the_schema(tmp_path):
    """What tempfile.mkstemp guaranteed, now that the writer names the file itself: created
    exclusively (never an existing file or a planted link), mode 0600, in the schema's folder."""
    real = str(tmp_path / "schema.prisma")
    fd, path = writer._temp_beside(real)
    os.close(fd)
    assert os.path.dirname(path) == str(tmp_path)
    assert os.path.basename(path).startswith(".schema.prisma.") and path.endswith(".tmp")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    taken = {path}
    for _ in range(20):
        fd, other = writer._temp_beside(real)
        os.close(fd)
        assert other not in taken
        taken.add(other)
