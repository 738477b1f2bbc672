"""A missing or damaged shipped file (catalogue, actor list, migration, font) is reported in one
line naming the file, never as a traceback, and the database is not created or changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tcbm_tracker import shipped
from tcbm_tracker.cli import main
from tcbm_tracker.storage.migrations import HEAD_REVISION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broken_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped files laid out as in an installed package, used instead of the real ones."""
    package = tmp_path / "package"
    shutil.copytree(ROOT / "resources", package / "_resources")
    shutil.copytree(ROOT / "db", package / "_db", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(shipped, "_PACKAGE", package)
    return package


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err


CASES: dict[str, tuple[Callable[[Path], object], str]] = {
    "catalogue missing": (lambda p: (p / "_resources/catalogs/GGE2013.json").unlink(), "GGE2013.json is missing"),
    "catalogue damaged": (lambda p: (p / "_resources/catalogs/LTS2019.json").write_text('{"version": '),
                          "catalogs/LTS2019.json is damaged (LTS2019.json: not valid JSON"),
    "actor list damaged": (lambda p: (p / "_resources/actors/states.json").write_bytes(b"\xff\xfe not text"),
                           "actors/states.json is damaged (states.json: "),
    "actor list missing": (lambda p: (p / "_resources/actors/states.json").unlink(),
                           "states.json is missing: the installation is damaged: reinstall"),
    "migrations missing": (lambda p: [f.unlink() for f in (p / "_db/migrations/versions").glob("*.py")], "migrations are missing"),
    "migration damaged": (lambda p: (p / "_db/migrations/versions/0001_initial_schema.py").write_text("def ("),
                          "0001_initial_schema.py is damaged"),
    "migration env missing": (lambda p: (p / "_db/migrations/env.py").unlink(), "env.py cannot be read"),
    # A gap in the chain: Alembic itself fails with a bare KeyError.
    "middle migration missing": (lambda p: [f.unlink() for f in (p / "_db/migrations/versions").glob("0002_*.py")],
                                 "the migration script of schema 0002 is missing from"),
    # Without the newest script Alembic would quietly stop one schema short of this version's.
    "newest migration missing": (lambda p: [f.unlink() for f in (p / "_db/migrations/versions").glob(f"{HEAD_REVISION}_*.py")],
                                 f"the migration script of schema {HEAD_REVISION} is missing from"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_init_names_the_broken_shipped_file_and_creates_nothing(case: str, broken_copy: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    damage, expected = CASES[case]
    damage(broken_copy)
    db = tmp_path / "new.sqlite"
    assert main(["--db", str(db), "--user", "t", "init"]) == 2
    err = _one_line_error(capsys)
    assert expected in err and "reinstall" in err, err
    assert not db.exists()


FONT_DAMAGE: dict[str, Callable[[Path], object]] = {
    "missing": lambda font: font.unlink(),
    "damaged": lambda font: font.write_bytes(b"\0\1\0\0 not a font"),
    # Cut short, as by an interrupted copy: reportlab's parser fails with struct.error.
    "truncated": lambda font: font.write_bytes(font.read_bytes()[:3000]),
}


# The report runs in a process of its own: fonts, glyph sets and shaped runs are cached per
# process, so in the suite's process an earlier report would answer from its caches.
_REPORT_WITH = ("import sys\nfrom pathlib import Path\nfrom tcbm_tracker import shipped\n"
                "shipped._PACKAGE = Path(sys.argv[1])\nfrom tcbm_tracker.cli import main\nsys.exit(main(sys.argv[2:]))\n")


@pytest.mark.parametrize("font_name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"])
@pytest.mark.parametrize("damage", sorted(FONT_DAMAGE))
def test_report_names_the_broken_font(damage: str, font_name: str, broken_copy: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    assert main(["--db", str(db), "--user", "t", "init"]) == 0
    # A Chinese note, so that the report needs the CJK fallback face too.
    assert main(["--db", str(db), "--user", "t", "assess", "FRA", "LTS-B.4", "implemented", "--effective",
                 "2024-05-01", "--note", "外层空间透明度"]) == 0
    capsys.readouterr()
    FONT_DAMAGE[damage](broken_copy / "_resources" / "fonts" / font_name)
    result = subprocess.run([sys.executable, "-c", _REPORT_WITH, str(broken_copy), "--db", str(db), "report", "actor",
                             "FRA", "--out", str(tmp_path / "f.pdf")], capture_output=True, text=True)
    assert result.returncode == 2, result.stdout + result.stderr
    err = result.stderr
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    assert font_name in err and "reinstall" in err, err
    assert not (tmp_path / "f.pdf").exists()
