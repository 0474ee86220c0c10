"""`python -m kassavirta.cli`: the same as the `kassavirta` console script."""

import sys

from kassavirta.cli import main

sys.exit(main())
