"""The hostile corpus (``tests/fixtures/hostile/``): every input refused with a clear one-line
error, the database file unchanged, or accepted and shown exactly as given.

``cases.json`` lists each case: command-line arguments (``argv``, after ``--db``) or an actor
file (``actor_file``: no command loads one, so its loader is called), optional ``setup``
commands run first, and what must happen: ``error`` (exit code 2, one line on stderr containing
the fragment, no traceback, nothing on stdout, the file's SHA-256 unchanged) or ``literal``
(exit code 0 and the text in the output, or with a ``pdf:`` prefix in the PDF written).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tcbm_tracker.cli import main
from tcbm_tracker.domain.actor_format import load_actor_file
from tcbm_tracker.domain.errors import ActorFileError

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
CASES: list[dict[str, Any]] = json.loads((HOSTILE / "cases.json").read_text(encoding="utf-8"))


def _fill(value: str, tmp: Path) -> str:
    return value.replace("{files}", str(HOSTILE / "files")).replace("{tmp}", str(tmp))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_the_corpus_is_large_and_covers_every_entry_point() -> None:
    assert len(CASES) >= 60
    kinds = {("actor_file" if "actor_file" in c else c["argv"][0] if not c["argv"][0].startswith("--") else c["argv"][2])
             for c in CASES}
    assert {"actor_file", "catalogs", "assess", "evidence", "actors", "matrix", "show", "history", "changes", "report",
            "package", "trust"} <= kinds
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_input(case: dict[str, Any], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if "actor_file" in case:
        with pytest.raises(ActorFileError) as info:
            load_actor_file(Path(_fill(case["actor_file"], tmp_path)))
        assert "\n" not in info.value.message and case["error"] in info.value.message, info.value.message
        return
    for setup in case.get("setup", []):
        code, _, err = _run(capsys, ["--db", str(db_path), *[_fill(a, tmp_path) for a in setup]])
        assert code == 0, err
    before = _sha(db_path)
    code, out, err = _run(capsys, ["--db", str(db_path), *[_fill(a, tmp_path) for a in case["argv"]]])
    if "error" in case:
        assert code == 2, (code, err)
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("tcbm-tracker") and ": error: " in lines[0], err
        assert case["error"] in lines[0], lines[0]
        assert "Traceback" not in err and out == ""
        assert _sha(db_path) == before, "a refused input changed the database file"
    else:
        assert code == 0, err
        expected = case["literal"]
        if expected.startswith("pdf:"):
            pdf = Path(_fill(case["argv"][case["argv"].index("--out") + 1], tmp_path))
            text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
            assert expected[4:] in text
        else:
            assert expected in out, out
