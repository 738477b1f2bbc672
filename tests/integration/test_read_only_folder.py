"""A database in a folder the user may not write: reading works, a write is a one-line refusal,
nothing is created beside the file and the file is unchanged.

Root may write any folder, so the check runs in a child process that leaves the test's
privileges behind: forked, it enters a new user namespace (Linux ``unshare(CLONE_NEWUSER)``),
where it is an unprivileged user to whom the root-owned folder is read-only. The child runs
the command line in-process (everything it needs was imported before the fork). Where user
namespaces are unavailable the test is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcbm_tracker.cli import main

CLONE_NEWUSER = 0x10000000


@pytest.fixture
def read_only_folder(db_path: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="tcbm-read-only-folder-"))  # not under pytest's private 0700 folders
    os.chmod(folder, 0o755)
    db = folder / "tracker.sqlite"
    shutil.copyfile(db_path, db)
    os.chmod(db, 0o644)
    os.chmod(folder, 0o555)
    yield db
    os.chmod(folder, 0o755)
    shutil.rmtree(folder)


def _run_without_privileges(argvs: list[list[str]]) -> dict[str, object]:
    """Fork; in the child drop to an unprivileged user (new user namespace) and run each argv."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        os.close(r)
        report: dict[str, object] = {}
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            report["unshare"] = libc.unshare(CLONE_NEWUSER)
            report["uid"] = os.getuid()
            runs = []
            for argv in argvs:
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    try:
                        code = main(argv)
                    except SystemExit as exc:
                        code = exc.code if isinstance(exc.code, int) else 1
                runs.append([code, out.getvalue(), err.getvalue()])
            report["runs"] = runs
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            report["crash"] = repr(exc)
        os.write(w, json.dumps(report).encode())
        os._exit(0)
    os.close(w)
    data, deadline = b"", time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([r], [], [], 1.0)
        if ready:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            data += chunk
    else:
        os.kill(pid, signal.SIGKILL)
    os.close(r)
    os.waitpid(pid, 0)
    assert data, "the unprivileged child gave no answer within two minutes"
    return dict(json.loads(data))


def test_a_read_only_folder_reads_and_refuses_writes(read_only_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(read_only_folder)
    assert main(["--db", db, "show", "FRA"]) == 0  # in this process: every module the child needs is imported
    capsys.readouterr()
    before = hashlib.sha256(read_only_folder.read_bytes()).hexdigest()
    report = _run_without_privileges([["--db", db, "show", "FRA", "--catalog", "LTS2019"],
                                      ["--db", db, "assess", "FRA", "LTS-A.1", "planned"],
                                      ["--db", db, "evidence", "add", "--title", "A document"],
                                      ["--db", db, "verify"]])
    if report.get("unshare") != 0:
        pytest.skip("user namespaces are not available here: cannot drop root's right to write any folder")
    assert "crash" not in report, report
    assert report["uid"] != 0
    show, assess, evidence, verify = report["runs"]  # type: ignore[misc]
    assert show[0] == 0 and "France (FRA)" in show[1], show
    for refused in (assess, evidence):
        assert refused[0] != 0 and refused[1] == "", refused
        assert refused[2].splitlines() == [f"tcbm-tracker: error: {db} is read-only: nothing was changed"], refused
    assert verify[0] == 0, verify
    assert sorted(p.name for p in read_only_folder.parent.iterdir()) == ["tracker.sqlite"]  # no -wal, no -shm
    assert hashlib.sha256(read_only_folder.read_bytes()).hexdigest() == before
