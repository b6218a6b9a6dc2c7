"""`python -m lrexplorer`."""

import sys

from lrexplorer.launch import main

sys.exit(main())
