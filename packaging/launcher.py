"""Entry script of the bundled app (PyInstaller needs a script, not an entry point): same as ``fieldapp``."""

import sys

from fieldapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
