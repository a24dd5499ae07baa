"""Permissions and the roles that grant them.

The core declares its own permissions here; plugins add theirs through the
``vatra_permissions`` hook. The app's registry is built once per app instance
(see :class:`core.plugins.PluginHost`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.auth.models import Role

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.TENANT_ADMIN, Role.SOCIAL_WORKER})


@dataclass(frozen=True)
class Permission:
    """A named right, granted by default to ``roles``."""

    name: str
    label: str
    roles: frozenset[Role] = field(default_factory=frozenset)


CORE_PERMISSIONS: tuple[Permission, ...] = (
    Permission("tenant.view", "Vede spațiul de lucru al instituției", ALL_ROLES),
    Permission("tenant.admin", "Administrează utilizatorii și modulele instituției", frozenset({Role.TENANT_ADMIN})),
    Permission(
        "audit.view",
        "Vede jurnalul de audit",
        frozenset({Role.TENANT_ADMIN, Role.COUNTY_COORDINATOR, Role.PLATFORM_ADMIN}),
    ),
    Permission("jobs.view", "Vede lucrările în fundal și descarcă rezultatele", ALL_ROLES - {Role.VIEWER}),
    Permission("tokens.manage", "Își administrează cheile de acces API", ALL_ROLES),
    Permission("council.view", "Vede consiliul comunitar consultativ", ALL_ROLES),
    Permission("council.edit", "Modifică consiliul comunitar consultativ", STAFF),
    Permission("county.view", "Vede localitățile județului", frozenset({Role.COUNTY_COORDINATOR})),
    Permission("platform.admin", "Administrează platforma", frozenset({Role.PLATFORM_ADMIN})),
)

PUBLIC = "public"
"""Marker for handlers that need no permission (login page, health check)."""


class PermissionRegistry:
    """The permissions known to one app and which roles grant each."""

    def __init__(self, permissions: Iterable[Permission] = CORE_PERMISSIONS) -> None:
        self._by_name: dict[str, Permission] = {}
        self.add(permissions)

    def add(self, permissions: Iterable[Permission]) -> None:
        """Register permissions; a name registered twice must not change meaning."""
        for perm in permissions:
            known = self._by_name.get(perm.name)
            if known is not None and known != perm:
                raise ValueError(f"permission {perm.name!r} declared twice with different roles")
            self._by_name[perm.name] = perm

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._by_name.values(), key=lambda p: p.name))

    def get(self, name: str) -> Permission:
        """The permission called ``name``; KeyError when unknown."""
        return self._by_name[name]

    def granted(self, roles: Iterable[Role]) -> set[str]:
        """Every permission name that one of ``roles`` grants."""
        roles = set(roles)
        return {p.name for p in self._by_name.values() if p.roles & roles}

    def allows(self, roles: Iterable[Role], name: str) -> bool:
        """Whether one of ``roles`` grants ``name``."""
        perm = self._by_name.get(name)
        if perm is None:
            raise KeyError(f"unknown permission {name!r}")
        return bool(perm.roles & set(roles))
