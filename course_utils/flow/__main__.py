"""`python -m course_utils.flow train|eval`: the learned flow network's command (see flow/net.py)."""

import sys

from .net import main

sys.exit(main())
