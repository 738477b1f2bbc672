"""Block network access in every Python process the tests start (this folder is on PYTHONPATH)."""

import offline_guard

offline_guard.install()
