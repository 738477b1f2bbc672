"""The fixed vocabularies of an assessment: status, provenance, confidence, evidence type.

Values are stable strings used in the database, the CLI, CSV columns and exchange files; labels
are for people. ``NOT_ASSESSED`` is the implicit state of a cell that has no assessment yet and
is deliberately distinct from ``NO_INFORMATION`` (someone looked and found nothing) and from
``NOT_IMPLEMENTED`` (someone found that the state does not implement the measure).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOT_ASSESSED = "not_assessed"
    NO_INFORMATION = "no_information"
    NOT_IMPLEMENTED = "not_implemented"
    PLANNED = "planned"
    PARTIALLY_IMPLEMENTED = "partially_implemented"
    IMPLEMENTED = "implemented"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def counts_in_coverage(self) -> bool:
        """Whether a cell with this status is part of a coverage denominator."""
        return self is not Status.NOT_APPLICABLE


_STATUS_LABELS = {
    Status.NOT_ASSESSED: "Not assessed",
    Status.NO_INFORMATION: "No information",
    Status.NOT_IMPLEMENTED: "Not implemented",
    Status.PLANNED: "Planned",
    Status.PARTIALLY_IMPLEMENTED: "Partially implemented",
    Status.IMPLEMENTED: "Implemented",
    Status.NOT_APPLICABLE: "Not applicable",
}

# Display order: from "nothing known" to "done", then "does not apply".
STATUS_ORDER: tuple[Status, ...] = tuple(Status)


class Provenance(StrEnum):
    SELF_REPORTED = "self_reported"
    OFFICIAL_RECORD = "official_record"
    THIRD_PARTY = "third_party"
    ANALYST_JUDGMENT = "analyst_judgment"

    @property
    def label(self) -> str:
        return {
            Provenance.SELF_REPORTED: "Reported by the state itself",
            Provenance.OFFICIAL_RECORD: "Official record",
            Provenance.THIRD_PARTY: "Third-party source",
            Provenance.ANALYST_JUDGMENT: "Analyst's judgment",
        }[self]


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EvidenceType(StrEnum):
    """Default taxonomy, after the UNIDIR Space Security Portal's evidence types."""

    POLICY_STRATEGY = "policy_strategy"
    IMPLEMENTATION_FRAMEWORK = "implementation_framework"
    NATIONAL_BODY = "national_body"
    LEGISLATION = "legislation"
    TREATY = "treaty"
    COOPERATION = "cooperation"
    UN_PROCESS = "un_process"
    MEMBERSHIP = "membership"
    REGULATORY = "regulatory"
    INDUSTRY_STANDARD = "industry_standard"
    OUTREACH = "outreach"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            EvidenceType.POLICY_STRATEGY: "Policy and strategy document",
            EvidenceType.IMPLEMENTATION_FRAMEWORK: "Implementation framework",
            EvidenceType.NATIONAL_BODY: "National centre, agency or department",
            EvidenceType.LEGISLATION: "Legislation",
            EvidenceType.TREATY: "Multilateral treaty or agreement",
            EvidenceType.COOPERATION: "Multilateral or bilateral cooperation",
            EvidenceType.UN_PROCESS: "UN process",
            EvidenceType.MEMBERSHIP: "Membership",
            EvidenceType.REGULATORY: "Regulatory material",
            EvidenceType.INDUSTRY_STANDARD: "Industry code or standard",
            EvidenceType.OUTREACH: "Outreach initiative",
            EvidenceType.OTHER: "Other",
        }[self]


class ActorKind(StrEnum):
    MEMBER_STATE = "member_state"
    OBSERVER_STATE = "observer_state"
    ORGANIZATION = "organization"

    @property
    def label(self) -> str:
        return {
            ActorKind.MEMBER_STATE: "UN member state",
            ActorKind.OBSERVER_STATE: "Non-member observer state",
            ActorKind.ORGANIZATION: "Intergovernmental organization",
        }[self]
