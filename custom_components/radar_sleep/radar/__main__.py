"""``python -m custom_components.radar_sleep.radar``: see :mod:`.cli`."""

import sys

from .cli import main

sys.exit(main())
