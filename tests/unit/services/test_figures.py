"""The rate rule and the peer groups of ``services.figures``: over assessed cells, with the denominator."""

from __future__ import annotations

import pytest

from tcbm_tracker.domain.vocabulary import ActorKind, Status
from tcbm_tracker.services import figures
from tcbm_tracker.services.dto import ActorInfo


def test_nothing_assessed_is_no_rate_not_zero() -> None:
    c = figures.coverage_of("TUV", [Status.NOT_ASSESSED] * 16)
    assert c.implementation_rate is None
    assert figures.rate_text(c) == "–"
    assert figures.rate_phrase(c) == "– (none of 16 assessed)"
    assert figures.coverage_phrase(c) == "none of 16 assessed"


def test_rate_is_over_assessed_cells_with_its_denominator() -> None:
    # LTS-B.4 as reviewed: 196 actors, 185 not assessed, 5 of the 11 assessed implement it.
    statuses = ([Status.IMPLEMENTED] * 5 + [Status.PARTIALLY_IMPLEMENTED] * 2 + [Status.NOT_IMPLEMENTED] * 2
                + [Status.NO_INFORMATION] * 2 + [Status.NOT_ASSESSED] * 185)
    c = figures.coverage_of("LTS-B.4", statuses)
    assert (c.in_scope, c.assessed, c.implemented) == (196, 11, 5)
    assert c.implementation_rate == pytest.approx(5 / 11)
    assert figures.rate_phrase(c) == "45% (5 of 11 assessed)"
    assert figures.coverage_phrase(c) == "11 of 196 assessed (6%)"


def test_a_share_that_is_not_zero_never_prints_as_zero() -> None:
    assert [figures.percent(v) for v in (0.0, 0.001, 0.5, 0.996, 1.0, None)] == ["0%", "<1%", "50%", ">99%", "100%", "–"]


def test_not_applicable_is_neither_assessed_nor_in_scope() -> None:
    c = figures.coverage_of("x", [Status.IMPLEMENTED, Status.NOT_APPLICABLE, Status.NOT_ASSESSED])
    assert (c.in_scope, c.assessed, figures.rate_phrase(c)) == (2, 1, "100% (1 of 1 assessed)")


def _state(key: str, name: str, region: str | None, kind: ActorKind = ActorKind.MEMBER_STATE,
           standing: str | None = None) -> ActorInfo:
    attrs = {k: v for k, v in (("un_regional_group", region), ("un_regional_group_standing", standing)) if v}
    return ActorInfo(key, name, kind, None, attrs)


def test_peer_groups_keep_states_observers_and_organizations_apart() -> None:
    actors = [
        _state("FRA", "France", "WEOG"),
        _state("DEU", "Germany", "WEOG"),
        _state("USA", "United States of America", "WEOG", standing="observer"),
        _state("JPN", "Japan", "APG"),
        _state("PSE", "State of Palestine", "APG", ActorKind.OBSERVER_STATE),
        _state("VAT", "Holy See", None, ActorKind.OBSERVER_STATE),
        _state("ESA", "European Space Agency", None, ActorKind.ORGANIZATION),
    ]
    groups = {g.key: g for g in figures.peer_groups(actors)}
    assert list(groups) == ["APG", "WEOG", "observer-states", "organizations"]
    # The United States is counted with WEOG and named in the label as the UN lists it.
    assert groups["WEOG"].label == "WEOG: 2 members + United States of America, observer"
    assert {a.key for a in groups["WEOG"].actors} == {"FRA", "DEU", "USA"}
    # Palestine belongs to the Asia-Pacific Group but is an observer state: counted apart.
    assert {a.key for a in groups["APG"].actors} == {"JPN"} and groups["APG"].label == "APG: 1 member"
    assert {a.key for a in groups["observer-states"].actors} == {"PSE", "VAT"}
    assert "Holy See" in groups["observer-states"].label and "observer" in groups["observer-states"].label
    assert [a.key for a in groups["organizations"].actors] == ["ESA"]
    assert not any("No regional group" in g.label for g in groups.values())


def test_peer_groups_use_the_long_region_name() -> None:
    name = figures.region_label_lookup({"WEOG": "Western European and Others Group"})
    (g,) = figures.peer_groups([_state("FRA", "France", "WEOG")], name)
    assert g.label == "Western European and Others Group (WEOG): 1 member"
