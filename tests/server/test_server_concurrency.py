"""Eight real client processes record at once on one server database: every change is kept and
the change log stays one unbroken line (writers take the record's advisory lock)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tcbm_tracker.services.tracker import open_tracker

CLIENT = textwrap.dedent("""
    import sys
    from tcbm_tracker.services.assessments import AssessmentInput
    from tcbm_tracker.services.evidence import EvidenceInput
    from tcbm_tracker.services.tracker import open_tracker

    url, actor, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    t = open_tracker(url)
    try:
        for i in range(n):
            if i % 4 == 3:
                t.evidence.add(EvidenceInput(title=f"{actor} document {i}"))
            else:
                t.assessments.record(AssessmentInput(actor, "LTS-A.1", ("planned", "implemented")[i % 2], note=f"{i}"))
    finally:
        t.close()
    print("done")
""")

ACTORS = ("FRA", "DEU", "JPN", "BRA", "IND", "ZAF", "USA", "CHN")
EACH = 12


def test_eight_clients_write_at_once_and_verify_passes(pg_initialised_url: str) -> None:
    before = open_tracker(pg_initialised_url)
    try:
        start = before.integrity.verify()
    finally:
        before.close()
    clients = [subprocess.Popen([sys.executable, "-c", CLIENT, pg_initialised_url, actor, str(EACH)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for actor in ACTORS]
    results = [c.communicate(timeout=120) for c in clients]
    assert [c.returncode for c in clients] == [0] * len(ACTORS), [err for _, err in results]
    t = open_tracker(pg_initialised_url)
    try:
        report = t.integrity.verify()
        assert report.ok, report.problems
        assert report.entries == start.entries + len(ACTORS) * EACH  # nothing lost, one line
        for actor in ACTORS:
            assert len(t.assessments.history(actor, "LTS-A.1")) == EACH - EACH // 4
    finally:
        t.close()
