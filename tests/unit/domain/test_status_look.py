"""Every status's text on its colour is readable: WCAG AA contrast, computed, for screen and paper alike."""

from __future__ import annotations

import pytest

from tcbm_tracker.domain.status_look import AA_CONTRAST, STATUS_LOOK, contrast_ratio
from tcbm_tracker.domain.vocabulary import Status


def test_the_contrast_formula_gives_the_known_extremes() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#009e73", "#ffffff") == pytest.approx(3.42, abs=0.01)  # why the green takes black text


@pytest.mark.parametrize("status", list(Status))
def test_text_on_each_status_colour_meets_wcag_aa(status: Status) -> None:
    look = STATUS_LOOK[status]
    assert contrast_ratio(look.fill, look.ink) >= AA_CONTRAST, (status, look)


def test_the_window_and_the_reports_draw_the_same_colours() -> None:
    from tcbm_tracker.reports.styles import STATUS_LOOKS

    for status, look in STATUS_LOOK.items():
        assert STATUS_LOOKS[status].fill.hexval()[2:].lower() == look.fill[1:].lower()
        assert STATUS_LOOKS[status].text.hexval()[2:].lower() == look.ink[1:].lower()
