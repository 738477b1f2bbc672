"""The command line: the normal flows, and every bad input giving a non-zero exit, a one-line
message naming the problem, and a database file left byte-identical.

Most runs call ``cli.main`` in-process (fast); a few run ``python -m tcbm_tracker`` for real.
"Unchanged" is checked on the file's bytes after every connection the command opened has
been closed, so nothing can be hiding in a write-ahead log: in-process runs close the trackers
the command opened (``main`` leaves them to process exit), subprocess runs have exited.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker import __version__
from tcbm_tracker.cli import build_parser, main
from tcbm_tracker.domain.clock import end_of_day_iso
from tcbm_tracker.services import tracker as tracker_module
from tcbm_tracker.services.tracker import Tracker

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here

TODAY = dt.date.today()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


Cli = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Cli]:
    """Run ``main(argv)`` in-process; close what it opened; return exit code and output."""
    opened: list[Tracker] = []
    real_open = tracker_module.open_tracker

    def tracking_open(*args: Any, **kwargs: Any) -> Tracker:
        # A short busy timeout: a locked database must fail fast in the test.
        kwargs.setdefault("busy_timeout_ms", 200)
        t = real_open(*args, **kwargs)
        opened.append(t)
        return t

    monkeypatch.setattr(tracker_module, "open_tracker", tracking_open)
    capsys.readouterr()

    def run(*argv: str | Path) -> Result:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            while opened:
                opened.pop().close()
        out, err = capsys.readouterr()
        return Result(code, out, err)

    yield run


def state(path: Path) -> tuple[str | None, list[str]]:
    """The database file's SHA-256 and everything beside it (no -wal/-shm left behind)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return digest, sorted(p.name for p in path.parent.iterdir())


def assert_refused(result: Result, *fragments: str, code: int | None = None) -> None:
    assert result.code != 0, result
    if code is not None:
        assert result.code == code, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    assert line.startswith("tcbm-tracker") and ": error: " in line, line
    for fragment in fragments:
        assert fragment in line, line


# --- init ----------------------------------------------------------------------------------

def test_init_creates_then_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "new" / "tracker.sqlite"
    first = cli("--db", db, "init")
    assert first.code == 0, first.err
    assert f"database: {db}" in first.out and "created with schema" in first.out
    assert "catalogue GGE2013 v2: added (16 added" in first.out
    assert "catalogue LTS2019 v2: added (21 added" in first.out
    assert "actors: 195 added" in first.out
    before = state(db)
    again = cli("--db", db, "init")
    assert again.code == 0 and again.err == ""
    assert "is current" in again.out and "catalogue LTS2019 v2: unchanged" in again.out
    assert "actors: 0 added, 0 renamed or updated, 0 attribute values recorded" in again.out
    assert state(db) == before


def test_database_from_environment(cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCBM_TRACKER_DB", str(db_path))
    assert cli("assess", "FRA", "LTS-A.1", "planned").code == 0
    r = cli("--db", db_path, "history", "FRA", "LTS-A.1", "--json")
    assert [a["status"] for a in r.json()] == ["planned"]


# --- listing -------------------------------------------------------------------------------

def test_catalogs_measures_actors_json(cli: Cli, db_path: Path) -> None:
    cats = cli("--db", db_path, "catalogs", "--json").json()
    assert {c["key"]: c["version"] for c in cats} == {"GGE2013": 2, "LTS2019": 2}
    measures = cli("--db", db_path, "measures", "--json").json()
    assert len(measures) == 37 and measures[0]["key"] == "GGE-IV.1"
    lts = cli("--db", db_path, "measures", "--catalog", "lts2019", "--json").json()
    assert [m["key"] for m in lts][:2] == ["LTS-A.1", "LTS-A.2"] and len(lts) == 21
    assert lts[0]["title"] == "Adopt, revise and amend, as necessary, national regulatory frameworks for outer space activities"
    gge = {m["key"]: m for m in cli("--db", db_path, "measures", "--catalog", "GGE2013", "--json").json()}
    assert gge["GGE-IV.4"]["pinpoint_confirmed"] is False and gge["GGE-IV.1"]["pinpoint_confirmed"] is True
    actors = cli("--db", db_path, "actors", "--json").json()
    assert len(actors) == 195
    fra = next(a for a in actors if a["key"] == "FRA")
    assert fra["name"] == "France" and fra["kind"] == "member_state" and fra["attributes"]["un_regional_group"] == "WEOG"
    text = cli("--db", db_path, "measures", "--catalog", "GGE2013")
    assert text.code == 0 and "GGE-IV.4" in text.out and "not confirmed" in text.out
    found = cli("--db", db_path, "actors", "--search", "united states", "--json").json()
    assert [(a["key"], a["name"]) for a in found] == [("USA", "United States of America")]
    assert found[0]["attributes"]["un_regional_group_standing"] == "observer"


def test_add_organization(cli: Cli, db_path: Path) -> None:
    r = cli("--db", db_path, "actors", "--add-org", "esa", "European Space Agency", "--note", "Paris")
    assert r.code == 0 and r.out.strip() == "added ESA: European Space Agency"
    actors = cli("--db", db_path, "actors", "--json").json()
    assert next(a for a in actors if a["key"] == "ESA")["kind"] == "organization"


# --- the main flow -------------------------------------------------------------------------

def test_assess_show_matrix_history_verify(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    db = ("--db", db_path, "--user", "Analyst A")
    attachment = tmp_path / "fr-submission.pdf"
    attachment.write_bytes(b"%PDF-1.4 submission")
    ev = cli(*db, "evidence", "add", "--title", "France: LTS implementation", "--symbol", "A/AC.105/C.1/2023/CRP.9",
             "--date", "2023-02-06", "--language", "fr", "--type", "policy_strategy", "--pinpoint", "p. 4",
             "--url", "https://www.unoosa.org/x", "--file", attachment, "--json").json()
    assert ev["file_sha256"] == hashlib.sha256(b"%PDF-1.4 submission").hexdigest() and ev["recorded_by"] == "Analyst A"
    listed = cli(*db, "evidence", "list", "--search", "LTS", "--json").json()
    assert [e["id"] for e in listed] == [ev["id"]]

    planned = cli(*db, "assess", "fra", "lts-b.4", "planned", "--effective", "2019-07-15")
    assert planned.code == 0 and planned.out.startswith("recorded #1: FRA LTS-B.4 planned (effective 2019-07-15)")
    done = cli(*db, "assess", "FRA", "LTS-B.4", "implemented", "--effective", "2020-06-21", "--provenance", "self_reported",
               "--confidence", "high", "--evidence", str(ev["id"]), "--note", "perigee < 500 km <b>kept</b>", "--json").json()
    assert (done["status"], done["provenance"], done["confidence"], done["recorded_by"]) == (
        "implemented", "self_reported", "high", "Analyst A")
    assert done["note"] == "perigee < 500 km <b>kept</b>" and done["evidence_ids"] == [ev["id"]]

    now = cli(*db, "show", "FRA", "--json").json()
    entry = next(e for e in now["entries"] if e["measure"]["key"] == "LTS-B.4")
    assert entry["assessment"]["status"] == "implemented" and entry["evidence"][0]["id"] == ev["id"]
    then = cli(*db, "show", "FRA", "--as-of", "2020-01-01", "--json").json()
    assert next(e for e in then["entries"] if e["measure"]["key"] == "LTS-B.4")["assessment"]["status"] == "planned"
    assert then["as_of"] == "2020-01-01"
    shown = cli(*db, "show", "FRA", "--catalog", "LTS2019")
    assert shown.code == 0 and "France (FRA)" in shown.out and "LTS-B.4" in shown.out and "GGE-IV.1" not in shown.out

    m = cli(*db, "matrix", "--catalog", "LTS2019", "--json").json()
    assert len(m["measures"]) == 21 and len(m["actors"]) == 195
    cells = {a["key"]: a["cells"] for a in m["actors"]}
    assert cells["FRA"]["LTS-B.4"] == "implemented" and cells["USA"]["LTS-B.4"] == "not_assessed"
    old = cli(*db, "matrix", "--as-of", "2020-01-01", "--region", "WEOG", "--json").json()
    assert {a["key"]: a["cells"]["LTS-B.4"] for a in old["actors"]}["FRA"] == "planned"
    assert all(a["region"] == "WEOG" for a in old["actors"])
    # A date typed by the user is a day of their own calendar: yesterday is the local yesterday.
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    before_any = cli(*db, "matrix", "--known-at", yesterday, "--status", "implemented", "planned", "--json").json()
    assert before_any["actors"] == [] and before_any["known_at"] == end_of_day_iso(dt.date.fromisoformat(yesterday))
    assert cli(*db, "matrix", "--group", "LTS2019/B").code == 0

    history = cli(*db, "history", "FRA", "LTS-B.4", "--json").json()
    assert [h["status"] for h in history] == ["implemented", "planned"]
    assert "no assessment recorded" in cli(*db, "history", "USA", "LTS-B.4").out

    cov = cli(*db, "coverage", "--by", "catalog", "--json").json()
    lts = next(c for c in cov if c["label"] == "LTS2019")
    assert (lts["total"], lts["in_scope"], lts["assessed"], lts["implemented"]) == (4095, 4095, 1, 1)
    since = min(TODAY, dt.datetime.now(dt.UTC).date())  # recorded_at is UTC; "since" may not be in the local future
    changes = cli(*db, "changes", "--since", since.isoformat(), "--json").json()
    assert [(c["previous_status"], c["assessment"]["status"]) for c in changes] == [
        ("not_assessed", "planned"), ("planned", "implemented")]

    verify = cli(*db, "verify")
    assert verify.code == 0 and verify.out.startswith("ok: ") and verify.err == ""


def test_note_from_a_file(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Line one\nLine two: <script>kept literally</script>\n", encoding="utf-8")
    r = cli("--db", db_path, "assess", "FRA", "LTS-A.1", "implemented", "--note-file", note, "--json").json()
    assert r["note"] == "Line one\nLine two: <script>kept literally</script>"


def test_catalogue_load_and_upgrade(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    doc = {"format": "tcbm-tracker/catalog", "format_version": 1, "key": "NAT2024", "version": 1, "title": "National",
           "source_document": "Note 1", "groups": [{"key": "P", "title": "Policy"}],
           "measures": [{"key": "NAT-1", "group": "P", "title": "One"}, {"key": "NAT-2", "group": "P", "title": "Two"}]}
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps(doc), encoding="utf-8")
    r = cli("--db", db_path, "catalogs", "--load", v1)
    assert r.code == 0 and r.out.strip() == "catalogue NAT2024 v1: added (2 added, 0 updated, 0 retired)"
    doc.update(version=2, measures=[{"key": "NAT-1", "group": "P", "title": "One, revised"}])
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(doc), encoding="utf-8")
    r = cli("--db", db_path, "catalogs", "--load", v2)
    assert r.code == 0 and r.out.strip() == "catalogue NAT2024 v2: upgraded (0 added, 1 updated, 1 retired)"
    assert [m["key"] for m in cli("--db", db_path, "measures", "--catalog", "NAT2024", "--json").json()] == ["NAT-1"]
    assert_refused(cli("--db", db_path, "assess", "FRA", "NAT-2", "planned"), "NAT-2 was retired", code=2)
    assert_refused(cli("--db", db_path, "catalogs", "--load", v1),
                   "version 1 is older than the loaded version 2; nothing was changed", code=2)


# --- bad input: exit != 0, one line naming the problem, the file unchanged -----------------

def _files(tmp: Path) -> dict[str, Path]:
    files = {
        "big_note": tmp / "big-note.txt",
        "latin1_note": tmp / "latin1-note.txt",
        "bad_json": tmp / "broken.json",
        "latin1_catalogue": tmp / "latin1.json",
        "thief": tmp / "thief.json",
        "wrong_format": tmp / "actors.json",
        "deep": tmp / "deep.json",
        "twice": tmp / "twice.json",
    }
    files["big_note"].write_text("x" * 1_048_576, encoding="utf-8")
    files["latin1_note"].write_bytes("Coopération spatiale".encode("latin-1"))
    files["bad_json"].write_text('{"format": "tcbm-tracker/catalog",', encoding="utf-8")
    catalogue = {"format": "tcbm-tracker/catalog", "format_version": 1, "key": "THIEF1", "version": 1, "title": "Coopération",
                 "source_document": "X", "groups": [{"key": "P", "title": "P"}],
                 "measures": [{"key": "LTS-B.4", "group": "P", "title": "Borrowed"}]}
    files["latin1_catalogue"].write_bytes(json.dumps(catalogue, ensure_ascii=False).encode("latin-1"))
    files["thief"].write_text(json.dumps(catalogue), encoding="utf-8")
    files["deep"].write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    files["twice"].write_text(json.dumps(catalogue).replace('"version": 1', '"version": 1, "version": 2'), encoding="utf-8")
    files["wrong_format"].write_text(json.dumps({"format": "tcbm-tracker/actors", "format_version": 1}), encoding="utf-8")
    return files


BAD_INPUTS: list[tuple[str, list[str], list[str]]] = [
    # (id, arguments after --db PATH, fragments the one-line message must contain)
    ("unknown-actor", ["assess", "XYZ", "LTS-A.1", "implemented"], ["unknown actor 'XYZ'"]),
    ("unknown-measure", ["assess", "FRA", "LTS-Z.9", "implemented"], ["unknown measure 'LTS-Z.9'"]),
    ("malformed-measure", ["assess", "FRA", "LTS B.4", "implemented"], ["'LTS B.4' is not a measure key"]),
    ("unknown-status", ["assess", "FRA", "LTS-A.1", "done"], ["status: unknown value 'done'"]),
    ("unknown-provenance", ["assess", "FRA", "LTS-A.1", "implemented", "--provenance", "rumour"], ["provenance: unknown value 'rumour'"]),
    ("unknown-confidence", ["assess", "FRA", "LTS-A.1", "implemented", "--confidence", "total"], ["confidence: unknown value 'total'"]),
    ("impossible-date", ["assess", "FRA", "LTS-A.1", "implemented", "--effective", "2023-02-30"],
     ["effective date: '2023-02-30' is not a real calendar date"]),
    ("future-date", ["assess", "FRA", "LTS-A.1", "implemented", "--effective", TOMORROW], [f"{TOMORROW} is in the future"]),
    ("before-space-age", ["assess", "FRA", "LTS-A.1", "implemented", "--effective", "1950-01-01"], ["before 1957-10-04"]),
    ("date-form", ["assess", "FRA", "LTS-A.1", "implemented", "--effective", "21/06/2019"], ["YYYY-MM-DD"]),
    ("control-chars-note", ["assess", "FRA", "LTS-A.1", "implemented", "--note", "ok\x1b[2Jcleared"],
     ["note: contains control characters (U+001B)"]),
    ("megabyte-note", ["assess", "FRA", "LTS-A.1", "implemented", "--note-file", "{big_note}"],
     ["100,000-character limit of a note"]),
    ("non-utf8-note", ["assess", "FRA", "LTS-A.1", "implemented", "--note-file", "{latin1_note}"], ["is not UTF-8 text"]),
    ("missing-note-file", ["assess", "FRA", "LTS-A.1", "implemented", "--note-file", "{tmp}/absent.txt"], ["absent.txt"]),
    ("note-twice", ["assess", "FRA", "LTS-A.1", "implemented", "--note", "a", "--note-file", "{big_note}"],
     ["give --note or --note-file, not both"]),
    ("unknown-evidence", ["assess", "FRA", "LTS-A.1", "implemented", "--evidence", "99"], ["unknown evidence 99"]),
    ("evidence-not-a-number", ["assess", "FRA", "LTS-A.1", "implemented", "--evidence", "abc"], ["--evidence", "'abc'"]),
    ("missing-arguments", ["assess", "FRA"], ["the following arguments are required: measure, status"]),
    ("javascript-url", ["evidence", "add", "--title", "T", "--url", "javascript:alert(1)"], ["url: 'javascript:alert(1)'"]),
    ("file-url", ["evidence", "add", "--title", "T", "--url", "file:///etc/passwd"], ["url: 'file:///etc/passwd'"]),
    ("userinfo-url", ["evidence", "add", "--title", "T", "--url", "https://undocs.org@evil.example/A/72/65"],
     ["user name before '@'", "real site ('evil.example')"]),
    ("ftp-url", ["evidence", "add", "--title", "T", "--url", "ftp://example.org/a.pdf"], ["not an http:// or https:// address"]),
    ("bad-symbol", ["evidence", "add", "--title", "T", "--symbol", "68/189"], ["document symbol: '68/189'"]),
    ("bad-language", ["evidence", "add", "--title", "T", "--language", "english"], ["language: 'english'"]),
    ("markup-title", ["evidence", "add", "--title", "<script>alert(1)</script>"], ["title: contains markup"]),
    ("empty-title", ["evidence", "add", "--title", " "], ["title: is required"]),
    ("evidence-impossible-date", ["evidence", "add", "--title", "T", "--date", "2023-02-30"], ["date: '2023-02-30'"]),
    ("evidence-future-date", ["evidence", "add", "--title", "T", "--date", TOMORROW], ["is in the future"]),
    ("evidence-type", ["evidence", "add", "--title", "T", "--type", "tweet"], ["type: unknown value 'tweet'"]),
    ("missing-attachment", ["evidence", "add", "--title", "T", "--file", "{tmp}/absent.pdf"], ["absent.pdf is not a readable file"]),
    ("existing-org", ["actors", "--add-org", "FRA", "France again"], ["FRA already exists"]),
    ("bad-org-key", ["actors", "--add-org", "E", "One letter"], ["'E' is not an actor key"]),
    ("markup-org-name", ["actors", "--add-org", "ESA", "<b>ESA</b>"], ["name: contains markup"]),
    ("actors-as-of", ["actors", "--as-of", "2023-02-30"], ["'2023-02-30' is not a real calendar date"]),
    ("show-unknown-actor", ["show", "ATLANTIS"], ["unknown actor 'ATLANTIS'"]),
    ("show-future", ["show", "FRA", "--as-of", TOMORROW], ["as of:", "is in the future"]),
    ("show-known-at", ["show", "FRA", "--known-at", "2023-02-30"], ["known at: '2023-02-30'"]),
    ("history-unknown-measure", ["history", "FRA", "LTS-B.99"], ["unknown measure 'LTS-B.99'"]),
    ("matrix-unknown-catalogue", ["matrix", "--catalog", "NOPE2000"], ["unknown catalogue 'NOPE2000'"]),
    ("matrix-unknown-group", ["matrix", "--group", "LTS2019/Z"], ["unknown group 'LTS2019/Z'"]),
    ("matrix-unknown-status", ["matrix", "--status", "done"], ["status: unknown value 'done'"]),
    ("matrix-as-of", ["matrix", "--as-of", "2023-02-30"], ["'2023-02-30' is not a real calendar date"]),
    ("matrix-unknown-region", ["matrix", "--region", "NATO"], ["region: unknown regional group 'NATO'"]),
    ("measures-unknown-catalogue", ["measures", "--catalog", "LTS2018"], ["unknown catalogue 'LTS2018'", "LTS2019"]),
    ("coverage-by", ["coverage", "--by", "planet"], ["invalid choice: 'planet'"]),
    ("changes-since", ["changes", "--since", "2023-02-30"], ["since: '2023-02-30' is not a real calendar date"]),
    ("changes-no-since", ["changes"], ["--since"]),
    ("changes-unknown-catalogue", ["changes", "--since", "2025-01-01", "--catalog", "NOPE2000"], ["unknown catalogue 'NOPE2000'"]),
    ("catalogue-malformed", ["catalogs", "--load", "{bad_json}"], ["broken.json: not valid JSON"]),
    ("catalogue-non-utf8", ["catalogs", "--load", "{latin1_catalogue}"], ["latin1.json: not UTF-8"]),
    ("catalogue-key-clash", ["catalogs", "--load", "{thief}"], ["measure key LTS-B.4 already belongs to catalogue LTS2019"]),
    ("catalogue-wrong-format", ["catalogs", "--load", "{wrong_format}"], ["not a TCBM Tracker catalogue"]),
    ("catalogue-deep", ["catalogs", "--load", "{deep}"], ["deep.json: nested more than 64 levels deep"]),
    ("catalogue-key-twice", ["catalogs", "--load", "{twice}"], ["twice.json: key 'version' appears twice"]),
    ("catalogue-missing", ["catalogs", "--load", "{tmp}/absent.json"], ["cannot read catalogue file"]),
    ("unknown-command", ["frobnicate"], ["invalid choice: 'frobnicate'"]),
]


@pytest.mark.parametrize("args, fragments", [pytest.param(a, f, id=i) for i, a, f in BAD_INPUTS])
def test_bad_input_is_refused_and_changes_nothing(cli: Cli, db_path: Path, tmp_path: Path, args: list[str],
                                                  fragments: list[str]) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    files = _files(inputs)
    argv = [a.format(tmp=inputs, **files) for a in args]
    before = state(db_path)
    result = cli("--db", db_path, *argv)
    assert_refused(result, *fragments, code=2)
    assert state(db_path) == before


# --- files the tracker cannot use ----------------------------------------------------------

WRITE_COMMAND = ["assess", "FRA", "LTS-A.1", "implemented"]


def test_missing_database_is_not_created(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "absent.sqlite"
    for command in (WRITE_COMMAND, ["matrix"], ["verify"]):
        assert_refused(cli("--db", db, *command), f"no tracker database at {db}", "tcbm-tracker init", code=3)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"FRA,implemented\n", bytes(range(256)) * 8], ids=["text", "random"])
def test_a_file_that_is_not_a_database(cli: Cli, tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_bytes(content)
    before = state(db)
    for command in (["init"], WRITE_COMMAND, ["verify"]):
        assert_refused(cli("--db", db, *command), str(db), "not an SQLite file", code=3)
    assert state(db) == before


def test_a_damaged_database(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "damaged.sqlite"
    db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    before = state(db)
    for command in (["init"], ["verify"]):
        assert_refused(cli("--db", db, *command), str(db), code=3)
    assert state(db) == before


def test_a_folder(cli: Cli, tmp_path: Path) -> None:
    for command in (["init"], WRITE_COMMAND, ["matrix"]):
        assert_refused(cli("--db", tmp_path, *command), "is a folder, not a database file", code=3)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_database(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    os.chmod(db_path, 0o444)
    try:
        before = state(db_path)
        assert cli("--db", db_path, "matrix", "--json").code == 0
        assert cli("--db", db_path, "verify").code == 0
        for command in (WRITE_COMMAND, ["evidence", "add", "--title", "T"], ["actors", "--add-org", "ESA", "European Space Agency"],
                        ["init"]):
            assert_refused(cli("--db", db_path, *command), str(db_path), "read-only", code=3)
        assert state(db_path) == before
    finally:
        os.chmod(db_path, 0o644)


def test_a_locked_database(cli: Cli, db_path: Path) -> None:
    before = state(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert cli("--db", db_path, "matrix", "--json").code == 0  # reading is not blocked
        assert_refused(cli("--db", db_path, *WRITE_COMMAND), "locked by another program", code=3)
    finally:
        holder.rollback()
        holder.close()
    assert state(db_path) == before


def test_a_database_from_a_newer_version(cli: Cli, db_path: Path) -> None:
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = 'f00d_future'")
    con.commit()
    con.close()
    before = state(db_path)
    for command in (["init"], WRITE_COMMAND, ["matrix"]):
        assert_refused(cli("--db", db_path, *command), "newer version of TCBM Tracker", "f00d_future", code=3)
    assert state(db_path) == before


# --- real processes ------------------------------------------------------------------------

def tracker_process(*args: str | Path) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "tcbm_tracker", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def finish(p: subprocess.Popen[str]) -> Result:
    out, err = p.communicate(timeout=120)
    return Result(p.returncode, out, err)


def command_names() -> list[list[str]]:
    """Every command and sub-command the parser knows, e.g. ["assess"], ["evidence", "add"]."""
    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> Iterator[list[str]]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield [*prefix, name]
                    yield from walk(sub, [*prefix, name])
    return list(walk(build_parser(), []))


def test_help_of_every_command(cli: Cli) -> None:
    commands = command_names()
    assert ["assess"] in commands and ["evidence", "add"] in commands and ["verify"] in commands
    top = cli("--help")
    assert top.code == 0 and top.out.startswith("usage: tcbm-tracker") and top.err == ""
    for c in commands:
        r = cli(*c, "--help")
        assert r.code == 0 and r.err == "", (c, r.err)
        assert r.out.startswith(f"usage: tcbm-tracker {' '.join(c)}"), (c, r.out[:200])
        assert "--db PATH" in r.out and "--user NAME" in r.out, (c, "global options missing from the help")
        if len(c) == 1:
            assert f"    {c[0]}" in top.out  # listed in the main help


def test_global_options_after_the_command(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    before = cli("--db", db_path, "matrix", "--catalog", "LTS2019")
    after = cli("matrix", "--catalog", "LTS2019", "--db", db_path)
    assert after.code == 0 and after.out == before.out and before.code == 0
    r = cli("assess", "FRA", "LTS-A.1", "planned", "--db", db_path, "--user", "Analyst After")
    assert r.code == 0, r.err
    r = cli("evidence", "add", "--title", "After", "--db", db_path, "--user", "Evidence Author", "--json")
    assert r.json()["recorded_by"] == "Evidence Author"
    history = cli("history", "FRA", "LTS-A.1", "--json", "--db", db_path).json()
    assert history[-1]["recorded_by"] == "Analyst After"
    # Given before the command, an option is not reset by the command's own absent copy.
    assert cli("--db", db_path, "--user", "Before", "assess", "FRA", "LTS-A.2", "planned").code == 0
    assert cli("--db", db_path, "history", "FRA", "LTS-A.2", "--json").json()[-1]["recorded_by"] == "Before"
    # And a nested command takes them after its own name too.
    other = tmp_path / "other.sqlite"
    assert_refused(cli("report", "matrix", "--out", tmp_path / "m.pdf", "--db", other), "other.sqlite")


def test_version_and_help_in_real_processes() -> None:
    runs = {name: tracker_process(*args) for name, args in {  # side by side: each start costs about a second
        "version": ["--version"], "help": ["--help"], "assess": ["assess", "--help"],
        "evidence add": ["evidence", "add", "--help"]}.items()}
    results = {name: finish(p) for name, p in runs.items()}
    assert (results["version"].code, results["version"].out.strip(), results["version"].err) == (
        0, f"tcbm-tracker {__version__}", "")
    for name in ("help", "assess", "evidence add"):
        r = results[name]
        assert r.code == 0 and r.err == "", (name, r.err)
        assert r.out.startswith("usage: tcbm-tracker" + ("" if name == "help" else f" {name}")), r.out[:200]
    assert "--effective DATE" in results["assess"].out and "--file FILE" in results["evidence add"].out


def test_a_real_session(tmp_path: Path) -> None:
    db = tmp_path / "tracker.sqlite"
    assert finish(tracker_process("--db", db, "init")).code == 0
    r = finish(tracker_process("--db", db, "--user", "Analyst B", "assess", "FRA", "LTS-B.4", "implemented",
                               "--effective", "2019-06-21", "--json"))
    assert r.code == 0 and json.loads(r.out)["recorded_by"] == "Analyst B"
    before = state(db)
    bad = finish(tracker_process("--db", db, "assess", "FRA", "LTS-B.4", "planned", "--effective", "2023-02-30"))
    assert_refused(bad, "effective date: '2023-02-30' is not a real calendar date", code=2)
    assert state(db) == before
    ok = finish(tracker_process("--db", db, "verify"))
    assert ok.code == 0 and ok.out.startswith("ok: ")
    assert state(db) == before  # reading leaves no trace


@pytest.mark.parametrize("user, reason", [("bad\x1fname", "U+001F"), ("<b>me</b>", "markup"), ("x" * 101, "limit is 100")])
def test_author_name_is_checked_like_any_input(cli: Cli, db_path: Path, user: str, reason: str) -> None:
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    r = cli("--db", db_path, "--user", user, "evidence", "add", "--title", "Statement")
    assert r.code == 2 and r.err.startswith("tcbm-tracker: error: user: ") and reason in r.err
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_the_window_without_a_display_is_a_one_line_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check applies to Linux and other X11/Wayland systems only")
    r = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(tmp_path / "x.sqlite")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "no display" in r.stderr
