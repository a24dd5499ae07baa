"""The platform as gunicorn serves it for the benchmarks: ``gunicorn --pythonpath benchmarks wsgi:app``.

``VATRA_BENCH_AUDIT=0`` turns the automatic audit off (``AUDIT_ENABLED``), for
the write benchmark's baseline only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

from core.app import create_app

app = create_app(common.bench_config(AUDIT_ENABLED=os.environ.get("VATRA_BENCH_AUDIT", "1") != "0"))
