"""`python -m lrexplorer`."""

import sys

from lrexplorer.cli import main

sys.exit(main())
