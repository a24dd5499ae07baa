"""Every built-in job kind says which permission its result file needs."""

from __future__ import annotations

import pytest

from core.plugins import host

BUILT_IN = {"county_overview", "pin_project", "prevention_plan"}


@pytest.mark.config(VATRA_PLUGINS=sorted(BUILT_IN))
def test_every_built_in_job_kind_declares_who_may_read_its_file(app):
    with app.app_context():
        plugins = host()
        kinds = {kind: spec for kind, spec in plugins.jobs.items() if plugins.job_owner[kind] in BUILT_IN}
        assert {plugins.job_owner[k] for k in kinds} == BUILT_IN
        undeclared = sorted(kind for kind, spec in kinds.items() if spec.file_permission is None)
        assert undeclared == []
        for kind, spec in kinds.items():  # a name the app knows (a typo would lock everyone out)
            rule = spec.file_permission
            names = {rule({"page": p}) for p in ("county", "councils", "national")} if callable(rule) else {rule}
            assert names <= {p.name for p in plugins.permissions}, kind
