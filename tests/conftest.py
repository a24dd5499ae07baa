"""The platform's own tests use the fixtures offered to plugin authors."""

pytest_plugins = ["core.testing"]
