"""The rule for every figure the tracker prints, stated once: reports, window and command line use it.

- **Implementation rate** = implemented ÷ *assessed* cells. Not-assessed cells (nobody has
  looked) and not-applicable cells are left out, so a state with no data shows "–", never 0%,
  and the rate is always printed with its denominator: "45% (5 of 11 assessed)".
- **Assessment coverage** = assessed ÷ cells in scope (not-applicable excluded): how much of
  the picture is known. A separate, named figure, never folded into the rate.
- **Peer groups**: figures by UN regional group count member states only. A member state that
  the UN lists as attending a group as an observer (the United States in WEOG) is counted with
  that group and named in its label; non-member observer states are counted apart, and
  intergovernmental organizations have their own row, never mixed with states.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tcbm_tracker.domain.vocabulary import ActorKind, Status
from tcbm_tracker.services.dto import REGION_ATTRIBUTE, ActorInfo, Coverage

REGION_STANDING_ATTRIBUTE = "un_regional_group_standing"
OBSERVER_STANDING = "observer"
COPUOS_ATTRIBUTE = "copuos_member"  # "member" while the state is a member of COPUOS

RATE_RULE = (
    "Implementation rate: implemented ÷ assessed (measures someone has assessed; not assessed and not "
    "applicable are left out), printed with its denominator, e.g. “45% (5 of 11 assessed)”; “–” when "
    "nothing has been assessed: no rate, rather than a zero that would read as failure. Assessment coverage: "
    "assessed ÷ in scope (not applicable "
    "left out). Partial implementation is counted apart, not as implemented."
)


def coverage_of(label: str, statuses: Iterable[Status]) -> Coverage:
    """Status counts over a set of cells."""
    counts = Counter(statuses)
    return Coverage(label=label, total=sum(counts.values()), counts=dict(counts))


def percent(value: float | None) -> str:
    """A share as a whole percentage; "–" when there is nothing to divide by. A share that is not
    zero never reads as 0% ("<1%"), and one short of all never reads as 100% (">99%")."""
    if value is None:
        return "–"
    if 0 < value < 0.005:
        return "<1%"
    if 0.995 <= value < 1:
        return ">99%"
    return f"{value * 100:.0f}%"


def rate_text(c: Coverage) -> str:
    """The implementation rate alone ("45%" or "–"): only where its denominator is printed beside it."""
    return percent(c.implementation_rate)


def rate_denominator(c: Coverage) -> str:
    """``5 of 11 assessed``: what the rate is a share of."""
    return f"{c.implemented} of {c.assessed} assessed"


def rate_phrase(c: Coverage) -> str:
    """``45% (5 of 11 assessed)``; ``– (none of 16 assessed)`` when nothing is assessed."""
    if not c.assessed:
        return f"– (none of {c.in_scope} assessed)"
    return f"{rate_text(c)} ({rate_denominator(c)})"


def coverage_phrase(c: Coverage) -> str:
    """``11 of 196 assessed (6%)``: assessment coverage with its own denominator; ``none of 16 assessed``
    rather than a "0%" that a reader could take for a rate."""
    if not c.assessed:
        return f"none of {c.in_scope} assessed"
    return f"{c.assessed} of {c.in_scope} assessed ({percent(c.assessment_coverage)})"


@dataclass(frozen=True)
class PeerGroup:
    """A row of figures by group: which actors it counts and how it is labelled."""

    key: str  # "WEOG", "member-states-no-group", "observer-states", "organizations"
    label: str
    actors: tuple[ActorInfo, ...]


def region_standing(actor: ActorInfo) -> str | None:
    """"observer" for a state that attends its regional group as an observer; None for a full member."""
    return actor.attributes.get(REGION_STANDING_ATTRIBUTE)


def peer_groups(actors: Sequence[ActorInfo], region_name: Callable[[str], str] | None = None) -> list[PeerGroup]:
    """Member states by UN regional group, then observer states, then organizations.

    ``region_name("WEOG")`` gives the long name for labels (default: the code alone).
    """
    name = region_name or (lambda k: k)
    regions: dict[str, list[ActorInfo]] = {}
    no_group: list[ActorInfo] = []
    observers: list[ActorInfo] = []
    organizations: list[ActorInfo] = []
    for a in actors:
        if a.kind is ActorKind.ORGANIZATION:
            organizations.append(a)
        elif a.kind is ActorKind.OBSERVER_STATE:
            observers.append(a)
        elif a.attributes.get(REGION_ATTRIBUTE):
            regions.setdefault(a.attributes[REGION_ATTRIBUTE], []).append(a)
        else:
            no_group.append(a)
    out: list[PeerGroup] = []
    for key in sorted(regions):
        members = regions[key]
        full = [a for a in members if region_standing(a) != OBSERVER_STANDING]
        label = f"{name(key)}: {len(full)} member{'s' if len(full) != 1 else ''}"
        for a in members:
            if region_standing(a) == OBSERVER_STANDING:
                label += f" + {a.name}, observer"
        out.append(PeerGroup(key, label, tuple(members)))
    if no_group:
        out.append(PeerGroup("member-states-no-group", f"Member states in no regional group: {len(no_group)}",
                             tuple(no_group)))
    if observers:
        out.append(PeerGroup("observer-states", "Non-member observer states (counted apart): "
                             + ", ".join(a.name for a in observers), tuple(observers)))
    if organizations:
        out.append(PeerGroup("organizations", f"Intergovernmental organizations: {len(organizations)}",
                             tuple(organizations)))
    return out


def member_states(actors: Iterable[ActorInfo]) -> list[ActorInfo]:
    return [a for a in actors if a.kind is ActorKind.MEMBER_STATE]


def peer_coverage(
    actors: Sequence[ActorInfo],
    statuses: Callable[[ActorInfo], Iterable[Status]],
    region_name: Callable[[str], str] | None = None,
) -> list[tuple[PeerGroup, Coverage]]:
    """Coverage per peer group; ``statuses(actor)`` yields that actor's cells."""
    return [(g, coverage_of(g.label, (s for a in g.actors for s in statuses(a)))) for g in peer_groups(actors, region_name)]


def region_label_lookup(labels: Mapping[str, str]) -> Callable[[str], str]:
    """``"WEOG" -> "Western European and Others Group (WEOG)"`` from the attribute's labels."""
    return lambda key: f"{labels[key]} ({key})" if key in labels else key


# How far each status goes towards implementation; statuses that say nothing about it have none.
_PROGRESS: dict[Status, int] = {
    Status.NOT_IMPLEMENTED: 0,
    Status.PLANNED: 1,
    Status.PARTIALLY_IMPLEMENTED: 2,
    Status.IMPLEMENTED: 3,
}


def went_down(before: Status, after: Status) -> bool:
    """Whether a change of status is a step back from implementation (e.g. Implemented → Not implemented)."""
    return before in _PROGRESS and after in _PROGRESS and _PROGRESS[after] < _PROGRESS[before]


@dataclass(frozen=True)
class StatusChange:
    """A measure whose status in force differs between two dates."""

    measure_key: str
    before: Status
    after: Status

    @property
    def down(self) -> bool:
        return went_down(self.before, self.after)


def status_changes(before: Mapping[str, Status], after: Mapping[str, Status]) -> list[StatusChange]:
    """Measures (in ``after``'s order) whose status differs; a measure absent before was not assessed."""
    return [StatusChange(k, before.get(k, Status.NOT_ASSESSED), s) for k, s in after.items()
            if before.get(k, Status.NOT_ASSESSED) is not s]


def summary_sentence(name: str, c: Coverage) -> str:
    """Where an actor stands, in one sentence with its figures."""
    if not c.in_scope:
        return f"No measure applies to {name} on this date."
    if not c.assessed:
        return f"None of the {c.in_scope} measures in scope has been assessed for {name}: there is no implementation rate."
    parts = [f"{name} implements {c.implemented} of the {c.assessed} measures assessed ({rate_text(c)})"]
    partial, planned = c.count(Status.PARTIALLY_IMPLEMENTED), c.count(Status.PLANNED)
    more = [f"{partial} partially" if partial else "", f"{planned} planned" if planned else ""]
    if any(more):
        parts[0] += ", " + " and ".join(m for m in more if m)
    parts.append(f"{c.assessed} of the {c.in_scope} measures in scope have been assessed ({percent(c.assessment_coverage)})")
    return "; ".join(parts) + "."
