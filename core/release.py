"""Which Vatra this is, and a plugin's way to say which Vatra it needs."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import __version__

#: The running platform's version (the ``version`` of the ``vatra`` distribution).
VERSION = __version__


class IncompatibleVatraError(ImportError):
    """The plugin needs another version of Vatra; raised while it is imported, so the host reports it by name."""


def requires_vatra(specifier: str) -> str:
    """Refuse to load unless the running Vatra matches ``specifier`` (PEP 440, e.g. ``">=0.1,<2"``).

    Call it at the top of the plugin's ``plugin.py``: on another version it
    raises :class:`IncompatibleVatraError`, the platform starts without the
    plugin and ``vatra plugins list`` shows why. Returns the running version.
    """
    try:
        wanted = SpecifierSet(specifier)
    except InvalidSpecifier as exc:
        raise ValueError(f"requires_vatra({specifier!r}): not a version specifier ({exc})") from None
    if not wanted.contains(Version(VERSION), prereleases=True):
        raise IncompatibleVatraError(f"needs Vatra {specifier}, this is Vatra {VERSION}")
    return VERSION
