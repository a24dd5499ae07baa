"""Who a tenant is: the catalog of counties and UATs, the hierarchy, councils.

Public surface for plugins: :class:`Tenant`, :class:`Council`,
:class:`CouncilMember`, :class:`CouncilMeeting`, :func:`current_tenant` and
the services in :mod:`tenants.services`.
"""

from tenants.models import Council, CouncilMeeting, CouncilMember, Tenant, TenantKind
from tenants.resolution import current_tenant

__all__ = [
    "Council",
    "CouncilMeeting",
    "CouncilMember",
    "Tenant",
    "TenantKind",
    "current_tenant",
]
