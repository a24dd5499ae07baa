"""The former name of :mod:`core.toolkit`, kept as an alias while plugins move there.

    from core.toolkit import hookimpl, require, PluginInfo, Permission, ...

New code imports :mod:`core.toolkit`; everything it offers is also reachable here.
"""

from __future__ import annotations

from core.toolkit import *  # noqa: F403 - an alias of the toolkit
from core.toolkit import __all__ as __all__
