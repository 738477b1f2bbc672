"""The command line's output: rates with their denominators, terminal text shown safely, the
United States' standing, catalogues not yet adopted, citations with pinpoints, streamed changes.
(Split from test_cli.py, whose ``cli`` fixture runs the command line in-process.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.integration.test_cli import Cli, cli

__all__ = ["cli"]  # the fixture, shared with test_cli.py

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


def test_coverage_and_dossier_json_state_their_denominators(cli: Cli, db_path: Path) -> None:
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.1", "not_applicable").code == 0
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.2", "implemented").code == 0
    dossier = cli("--db", db_path, "show", "FRA", "--catalog", "LTS2019", "--json").json()
    lts = dossier["coverage_by_catalog"][0]
    assert (lts["total"], lts["not_applicable"], lts["in_scope"], lts["assessed"], lts["implemented"]) == (21, 1, 20, 1, 1)
    assert (lts["implementation_rate"], lts["implementation_rate_text"]) == (1.0, "100% (1 of 1 assessed)")
    assert lts["assessment_coverage"] == 1 / 20
    by_catalog = {c["label"]: c for c in cli("--db", db_path, "coverage", "--json").json()}
    assert by_catalog["LTS2019"]["in_scope"] == 195 * 21 - 1
    # GGE: nothing assessed is no rate (null, "–"), never 0.
    assert by_catalog["GGE2013"]["implementation_rate"] is None
    assert by_catalog["GGE2013"]["implementation_rate_text"] == f"– (none of {195 * 16} assessed)"
    assert by_catalog["LTS2019"]["counts"]["not_applicable"] == 1


def test_coverage_and_show_print_rates_with_their_denominators(cli: Cli, db_path: Path) -> None:
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.1", "implemented").code == 0
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.2", "not_implemented").code == 0
    out = cli("--db", db_path, "coverage", "--by", "actor").out
    fra = next(line for line in out.splitlines() if line.startswith("FRA "))
    assert "50% (1 of 2 assessed)" in fra
    tuv = next(line for line in out.splitlines() if line.startswith("TUV "))
    assert "– (none of 37 assessed)" in tuv and "0%" not in tuv
    assert "Implementation rate: implemented ÷ assessed" in out
    shown = cli("--db", db_path, "show", "TUV").out
    assert "implementation rate – (none of 16 assessed)" in shown and "implementation rate – (none of 21 assessed)" in shown
    assert "0%" not in shown
    region = cli("--db", db_path, "coverage", "--by", "region").out
    assert "No regional group" not in region and "(no regional group)" not in region
    assert "Non-member observer states (counted apart): Holy See" in region


def test_an_empty_effective_date_is_refused_not_taken_for_today(cli: Cli, db_path: Path) -> None:
    r = cli("--db", db_path, "assess", "FRA", "LTS-A.1", "implemented", "--effective", "")
    assert r.code == 2 and "effective date: is empty" in r.err


def test_bidi_controls_in_notes_are_shown_escaped_and_tables_align(cli: Cli, db_path: Path) -> None:
    note = "ok \u202eyes\u202c \u2067שלום\u2069 中文"
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.1", "planned", "--note", note).code == 0
    for argv in (["history", "FRA", "LTS-A.1"], ["show", "FRA", "--catalog", "LTS2019"]):
        out = cli("--db", db_path, *argv).out
        assert "ok [U+202E]yes[U+202C] [U+2067]שלום[U+2069] 中文" in out, out
        assert not set("\u202e\u202c\u2067\u2069") & set(out)
    # The JSON output is for programs: the note exactly as recorded.
    assert cli("--db", db_path, "history", "FRA", "LTS-A.1", "--json").json()[-1]["note"] == note
    # A rate is printed with what it is a share of.
    assert cli("--db", db_path, "coverage", "--catalog", "LTS2019").out.splitlines()[2].endswith(
        " 0% (0 of 1 assessed)  1 of 4095 assessed (<1%)")


def test_changes_json_is_streamed_and_equals_the_service(cli: Cli, db_path: Path) -> None:
    for status in ("planned", "implemented", "not_implemented"):
        assert cli("--db", db_path, "assess", "FRA", "LTS-A.1", status, "--note", f"<{status}> & ok").code == 0
    since = min(dt.date.today(), dt.datetime.now(dt.UTC).date()).isoformat()
    streamed = cli("--db", db_path, "changes", "--since", since, "--json").json()
    assert [(c["previous_status"], c["assessment"]["status"]) for c in streamed] == [
        ("not_assessed", "planned"), ("planned", "implemented"), ("implemented", "not_implemented")]
    assert streamed[0]["assessment"]["note"] == "<planned> & ok"
    assert cli("--db", db_path, "changes", "--since", "2000-01-01", "--catalog", "GGE2013", "--json").json() == []
def test_show_states_the_united_states_standing_as_the_un_does(cli: Cli, db_path: Path) -> None:
    r = cli("--db", db_path, "show", "USA")
    assert r.code == 0, r.err
    first = r.out.splitlines()[0]
    assert first.startswith("United States of America (USA), UN member state, regional group: none (not a member of any "
                            "regional group; attends meetings of the Western European and Others Group as an observer and is "
                            "considered to be a member of that group for electoral purposes; counted with WEOG)")
    assert "not a member" not in cli("--db", db_path, "show", "FRA").out
    assert "regional group: WEOG;" in cli("--db", db_path, "show", "FRA").out
def test_show_before_a_catalogue_was_adopted_says_so(cli: Cli, db_path: Path) -> None:
    out = cli("--db", db_path, "show", "FRA", "--as-of", "2015-01-01").out
    assert "LTS2019: not yet adopted on 2015-01-01 (adopted 2019-06-21)" in out and "LTS-A.1" not in out


def test_assess_cites_evidence_with_a_pinpoint(cli: Cli, db_path: Path) -> None:
    ev = cli("--db", db_path, "evidence", "add", "--title", "Replies", "--symbol", "A/72/65", "--type", "un_process",
             "--json").json()
    done = cli("--db", db_path, "assess", "FRA", "LTS-B.4", "implemented", "--evidence", f"{ev['id']}:p. 21", "--json").json()
    assert done["evidence_ids"] == [ev["id"]] and done["evidence_pinpoints"] == {str(ev["id"]): "p. 21"}
    bad = cli("--db", db_path, "assess", "FRA", "LTS-B.4", "implemented", "--evidence", "x:p. 2")
    assert bad.code == 2 and "'x:p. 2' is not an evidence number" in bad.err
    empty = cli("--db", db_path, "assess", "FRA", "LTS-B.4", "implemented", "--evidence", f"{ev['id']}:")
    assert empty.code == 2 and "pinpoint after ':' is empty" in empty.err


def test_the_text_matrix_gives_each_rate_with_its_denominator(cli: Cli, db_path: Path) -> None:
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.1", "implemented").code == 0
    assert cli("--db", db_path, "assess", "FRA", "LTS-A.2", "planned").code == 0
    out = cli("--db", db_path, "matrix", "--catalog", "LTS2019", "--region", "WEOG").out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:3].isupper() and line[3:4] == " "}
    assert rows["FRA"].endswith("implemented: 50% (1 of 2 assessed)")
    assert rows["DEU"].endswith("implemented: – (none of 21 assessed)")
