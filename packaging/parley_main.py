"""Entry script of the frozen app: the same ``parley`` command the console script runs."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
