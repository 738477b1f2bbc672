"""A compliance summary states an actor's standing as the UN words it, and its COPUOS membership."""

from __future__ import annotations

from pathlib import Path

from report_pdf import NOW, body_text

from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.services.tracker import Tracker


def test_the_united_states_summary_states_its_standing_in_weog(tracker: Tracker, tmp_path: Path) -> None:
    result = render_actor_summary(actor_summary_data(tracker, "USA", now=NOW), tmp_path / "usa.pdf")
    text = body_text(result.path)
    assert "United States of America" in text
    # As the UN's list words it: not a member of any group (never a plain "UN regional group: WEOG").
    assert ("UN regional group: not a member of any regional group; attends meetings of the Western European and Others "
            "Group as an observer and is considered to be a member of that group for electoral purposes (UN list of "
            "regional groups); counted with WEOG in the figures by regional group") in text
    assert "Western European and Others Group (WEOG)" not in text.split("Statuses in force")[0]
    assert "Standing in the regional group" not in text
    assert "COPUOS member: Member of the Committee on the Peaceful Uses of Outer Space" in text
    assert "Also known as: United States" in text
    assert "un_regional_group_standing" not in text and "copuos_member" not in text


def test_a_full_member_has_no_standing_line(tracker: Tracker, tmp_path: Path) -> None:
    text = body_text(render_actor_summary(actor_summary_data(tracker, "TUV", now=NOW), tmp_path / "tuv.pdf").path)
    assert "Standing in the regional group" not in text and "COPUOS member" not in text
