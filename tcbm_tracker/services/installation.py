"""Which data mode is active (portable or installed) and where the data is, for the About box.

The GUI reaches storage only through services; this module passes the answer of
``storage.locations`` on unchanged.
"""

from __future__ import annotations

from tcbm_tracker.storage.locations import DataLocation, data_location

__all__ = ["DataLocation", "data_location"]
