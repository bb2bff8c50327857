"""Shared test fixtures: the corpus, Prisma's own engine (the oracle) and a real PostgreSQL.

External pieces (../shared, node, the PostgreSQL binaries) are required on CI (``CI`` set):
there a missing piece fails with a clear message. Locally the tests that need it are skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "schemas"
MANIFEST = SHARED / "corpus" / "MANIFEST.tsv"
FIXTURES = REPO / "fixtures"
ON_CI = bool(os.environ.get("CI"))

sys.path.insert(0, str(REPO / "tests"))


def need(condition: bool, what: str) -> None:
    """Skip (locally) or fail (on CI) when something the test needs is missing."""
    if condition:
        return
    if ON_CI:
        pytest.fail(f"missing on CI: {what}", pytrace=False)
    pytest.skip(f"needs {what}")


def corpus_entries() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.iterdir())


def manifest_rows() -> dict[str, dict]:
    import csv

    if not MANIFEST.is_file():
        return {}
    with MANIFEST.open(encoding="utf-8") as f:
        return {r["local_name"]: r for r in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    entries = corpus_entries()
    need(bool(entries), f"the schema corpus at {CORPUS}")
    return entries


@pytest.fixture(scope="session")
def corpus_texts(corpus) -> list[dict[Path, str]]:
    """The text of each file of each (UTF-8) corpus schema: a file, or a multi-file folder."""
    from prisma_lint.frontends.prisma.loader import schema_files_in

    out = []
    for entry in corpus:
        files = schema_files_in(entry) if entry.is_dir() else [entry]
        try:
            out.append({f: f.read_bytes().decode("utf-8") for f in files})
        except UnicodeDecodeError:
            continue
    return out


# ---------------------------------------------------------------------------------------------
# Prisma's engine (node + ../shared/prisma-oracle)
# ---------------------------------------------------------------------------------------------
class Oracle:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, script: str, *args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["node", str(self.root / script), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )

    def sql_from_empty(self, schemas: dict, postgres: "Postgres", timeout: int = 300) -> dict:
        """Prisma's SQL for each schema (``migrate-diff.js --from-empty``), all at once:
        key -> (exit code, stdout, stderr). Each call needs a database to connect to."""
        procs = {}
        for key, path in schemas.items():
            url = postgres.url(postgres.new_database())
            procs[key] = subprocess.Popen(
                ["node", str(self.root / "migrate-diff.js"), "--from-empty", "--to-schema", str(path), "--url", url],
                cwd=self.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out = {}
        for key, proc in procs.items():
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
                stderr += f"\n(timed out after {timeout} s)"
            out[key] = (proc.returncode, stdout, stderr)
        return out

    def validate_many(self, paths: list[Path]) -> dict[str, dict]:
        """oracle.js's JSON for each schema (one node process for all of them)."""
        listing = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump([str(p) for p in paths], listing)
        listing.close()
        proc = subprocess.run(
            ["node", str(REPO / "tests" / "oracle_batch.js"), str(self.root), listing.name],
            capture_output=True,
            text=True,
            timeout=600,
        )
        os.unlink(listing.name)
        if proc.returncode != 0:
            raise RuntimeError(f"oracle_batch.js failed: {proc.stderr[-2000:]}")
        return json.loads(proc.stdout)


_DATASOURCE_START = re.compile(r"^\s*datasource\s+\w+\s*\{")
# Prisma 7 moved `url` out of the schema; the test server has no pgvector for `extensions`
_PRISMA7_DROP = re.compile(r"^(\s*)(url|directUrl|shadowDatabaseUrl|extensions)\s*=.*$")


def prisma7_copy(source: Path, dest: Path) -> Path:
    """A writable copy of a corpus schema (file or folder) in ``dest`` that Prisma 7 accepts:
    the datasource's url lines and `extensions` blanked (line numbers unchanged)."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        files = sorted(target.rglob("*.prisma"))
    else:
        shutil.copyfile(source, target)
        files = [target]
    for q in [target, *target.rglob("*")]:
        q.chmod(q.stat().st_mode | 0o200)
    for f in files:
        lines = f.read_text(encoding="utf-8").split("\n")
        inside = False
        for i, line in enumerate(lines):
            if _DATASOURCE_START.match(line):
                inside = True
            elif inside and line.strip().startswith("}"):
                inside = False
            elif inside:
                lines[i] = _PRISMA7_DROP.sub(r"\1", line)
        f.write_text("\n".join(lines), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    source = SHARED / "prisma-oracle"
    need(source.is_dir(), f"Prisma's engine at {source}")
    need(shutil.which("node") is not None and shutil.which("npm") is not None, "node and npm")
    cache = REPO / ".oracle"
    marker = cache / "node_modules" / "@prisma" / "prisma-schema-wasm"
    if not marker.is_dir():
        if cache.exists():
            shutil.rmtree(cache)
        shutil.copytree(source, cache)
        for p in cache.rglob("*"):
            p.chmod(p.stat().st_mode | 0o200)
        cache.chmod(cache.stat().st_mode | 0o200)
        proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=cache, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            pytest.fail(f"npm ci for the Prisma oracle failed:\n{proc.stderr[-3000:]}", pytrace=False)
    return Oracle(cache)


# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL 15 (one per test run): Unix socket only, data on /dev/shm
# ---------------------------------------------------------------------------------------------
class Postgres:
    def __init__(self, socket_dir: Path, port: int) -> None:
        self.socket_dir = socket_dir
        self.port = port

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@localhost:{self.port}/{dbname}?host={self.socket_dir}"

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname=dbname, autocommit=True)

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    return None


@contextlib.contextmanager
def postgres_server():
    """A throwaway PostgreSQL (Unix socket only, data on /dev/shm), stopped and removed at the
    end; RuntimeError when it cannot start. The ``postgres`` fixture and benchmarks/run.py use it."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError("PostgreSQL's initdb and pg_ctl are not on PATH")
    base = Path(tempfile.mkdtemp(prefix="prisma-lint-pg-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = 5432 + (os.getpid() % 1000) + 1000
    subprocess.run(
        [*as_postgres, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
    )
    opts = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    proc = subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {proc.stderr}\n{log}")
    try:
        yield Postgres(sock, port)
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    need(initdb is not None and pg_ctl is not None, "PostgreSQL's initdb and pg_ctl on PATH")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        need(False, "the psycopg package (pip install -e '.[test]')")
    try:
        server = postgres_server()
        pg = server.__enter__()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield pg
    finally:
        server.__exit__(None, None, None)


# ---------------------------------------------------------------------------------------------
# running the CLI
# ---------------------------------------------------------------------------------------------
def run_cli(*args: str, cwd: Path | None = None, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m prisma_lint ARGS`` in a subprocess (what users run: exit codes, streams)."""
    return subprocess.run(
        [sys.executable, "-m", "prisma_lint", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=120,
    )
