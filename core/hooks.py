"""The pluggy markers of project ``vatra``.

A plugin writes ``from core.toolkit import hookimpl`` (re-exported there) and
decorates functions named after the specifications in :mod:`core.hookspecs`.
"""

from __future__ import annotations

import pluggy

PROJECT = "vatra"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
