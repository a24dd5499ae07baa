"""Users, memberships, roles, permissions and API tokens."""
