"""``python -m custom_components.radar_sleep.sleep``: see :mod:`.analyze`."""

import sys

from .analyze import main

sys.exit(main())
