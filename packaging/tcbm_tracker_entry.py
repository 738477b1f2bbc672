"""Entry point for the frozen (PyInstaller) application: the desktop app, or a CLI command.

``multiprocessing.freeze_support()`` must run first: the batch export of compliance summaries
starts worker processes with the "spawn" method, which re-runs this executable.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from tcbm_tracker.cli import main

    sys.exit(main())
