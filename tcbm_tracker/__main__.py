"""Entry point for ``python -m tcbm_tracker``."""

import sys

from tcbm_tracker.cli import main

if __name__ == "__main__":
    sys.exit(main())
