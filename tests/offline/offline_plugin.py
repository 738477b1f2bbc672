"""pytest plugin: the network is blocked for the whole run, and a test that tried to use it fails
even if the code under test swallowed the error (``offline_guard.ATTEMPTS`` is checked after each)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import offline_guard
import pytest

HERE = Path(__file__).resolve().parent

offline_guard.install()
# Child processes (the real `tcbm-tracker` runs, report workers) load sitecustomize from here.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p)


@pytest.fixture(autouse=True)
def _no_network_was_used() -> Iterator[None]:
    before = len(offline_guard.ATTEMPTS)
    yield
    tried = offline_guard.ATTEMPTS[before:]
    if tried:
        pytest.fail("the test tried to use the network: " + "; ".join(tried), pytrace=False)
