"""Runtime tests: make ``rt_helpers`` importable regardless of the rootdir."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
