"""`python -m kassavirta`: the `kassavirta` command, for when no console script is on PATH.

(A virtual environment not activated, `pipx run`, a container without `bin/` on PATH.)
"""

import sys

from kassavirta.cli import main

sys.exit(main())
