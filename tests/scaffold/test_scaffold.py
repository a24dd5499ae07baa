"""``vatra plugins new``: a new plugin, installed with pip in a throwaway environment, works end to end.

Everything about the new plugin runs in subprocesses of a throwaway virtual
environment (``--system-site-packages``, plus this environment's packages, then
``pip install --no-build-isolation --no-deps -e``), so this test session never
imports it: scaffold, install, ``vatra db upgrade`` creates its table, a tenant
where it is enabled gets its page and API (one where it is not gets 404), its
generated tests pass, and once uninstalled the database's upgrade names it.
"""

from __future__ import annotations

import ast
import json
import os
import sqlite3
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from core.scaffold import ScaffoldError, check_name, files_for

NAME = "social_canteen"
LABEL = "Cantina socială"


def test_the_scaffold_writes_every_room_and_imports_only_the_toolkit() -> None:
    files = files_for(NAME, LABEL)
    package = f"vatra_{NAME}"
    for room in ("plugin.py", "models.py", "schemas.py", "services.py", "api.py", "views.py", "jobs.py",
                 f"templates/{NAME}/index.html", "translations/hu/LC_MESSAGES/messages.mo",
                 "translations/en/LC_MESSAGES/messages.po"):
        assert f"{package}/{room}" in files, room
    assert any(p.startswith(f"{package}/migrations/") for p in files)
    assert "tests/conftest.py" in files and f"tests/test_{NAME}.py" in files
    assert f"vatra.plugins =\n    {NAME} = {package}.plugin" in str(files["setup.cfg"])
    for path, text in files.items():
        if not path.endswith(".py") or path.startswith("tests/"):
            continue
        for node in ast.walk(ast.parse(str(text))):
            if isinstance(node, ast.ImportFrom) and node.module:
                top = node.module.split(".")[0]
                assert node.module == "core.toolkit" or top not in {"core", "tenants", "plugins"}, (path, node.module)


@pytest.mark.parametrize("bad", ["Canteen", "1canteen", "core", "a", "social-canteen", "x" * 40])
def test_a_bad_name_is_refused(bad: str) -> None:
    with pytest.raises(ScaffoldError):
        check_name(bad)


ENABLED_TENANT = textwrap.dedent(
    """
    import json, os
    from core.app import create_app
    from core.auth.models import Membership, Role, User
    from core.auth.passwords import hash_password
    from core.db import db
    from core.tenancy import system_context
    from core.testing import api_headers, login
    from tenants.catalog import ensure_platform
    from tenants.models import Tenant, TenantKind

    app = create_app({"TESTING": True, "DATABASE_URL": os.environ["DATABASE_URL"]})
    seen = {}
    with app.app_context(), system_context():
        ensure_platform()
        people = {}
        for slug, kind in (("comuna-cantina", TenantKind.LOCALITY), ("judetul-cantina", TenantKind.COUNTY)):
            tenant = Tenant(slug=slug, kind=kind, active=True)
            tenant.set_names(slug.upper(), slug)
            user = User(email=f"{slug}@example.ro", name=slug, password_hash=hash_password("parola-lunga-1"))
            db.session.add_all([tenant, user])
            db.session.flush()
            db.session.add(Membership(user_id=user.id, tenant_id=tenant.id, role=Role.SOCIAL_WORKER))
            people[slug] = (tenant, user)
        db.session.commit()
        for slug, (tenant, user) in people.items():
            client = login(app.test_client(), user)
            page = client.get(f"/t/{slug}/social_canteen/?lang=en")
            headers = api_headers(user, tenant)
            made = app.test_client().post(f"/api/v1/t/{slug}/social_canteen/records",
                                          json={"title": "Prânz", "quantity": 40}, headers=headers)
            listed = app.test_client().get(f"/api/v1/t/{slug}/social_canteen/records", headers=headers)
            home = client.get(f"/t/{slug}/").get_data(as_text=True)
            seen[slug] = {"page": page.status_code, "records_word": "Records" in page.get_data(as_text=True),
                          "post": made.status_code, "list": listed.status_code,
                          "titles": [r["title"] for r in listed.json] if listed.status_code == 200 else None,
                          "in_navigation": f"/t/{slug}/social_canteen/" in home}
    print(json.dumps(seen))
    """
)


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return done


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_a_scaffolded_plugin_installs_migrates_shows_and_passes_its_own_tests(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "VATRA_", "REDIS_", "PYTEST_"))}
    env.update(SECRET_KEY="scaffold-test", DATABASE_URL=f"sqlite:///{tmp_path / 'vatra.sqlite3'}",
               VATRA_FILES=str(tmp_path / "files"), PYTHONDONTWRITEBYTECODE="1")
    vatra = [sys.executable, "-m", "core"]

    _ok(_run([*vatra, "plugins", "new", NAME, "--path", str(tmp_path), "--label", LABEL], cwd=tmp_path, env=env))
    project = tmp_path / f"vatra-{NAME.replace('_', '-')}"

    venv = tmp_path / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], cwd=tmp_path,
             env=env))
    python = str(venv / "bin" / "python")
    site = Path(_ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path,
                         env=env)).strip())
    # this environment's packages (vatra, pip, setuptools, pytest) under the throwaway one's
    (site / "_vatra_parent.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    _ok(_run([python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e", str(project)],
             cwd=tmp_path, env=env))
    vatra = [python, "-m", "core"]

    _ok(_run([*vatra, "db", "upgrade"], cwd=tmp_path, env=env))
    with sqlite3.connect(tmp_path / "vatra.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        branches = {r[0] for r in conn.execute("SELECT branch FROM schema_branch")}
    assert f"{NAME}_record" in tables and NAME in branches
    assert NAME in _ok(_run([*vatra, "plugins", "list"], cwd=tmp_path, env=env))

    seen = json.loads(_ok(_run([python, "-c", ENABLED_TENANT], cwd=tmp_path, env=env)).strip().splitlines()[-1])
    locality, county = seen["comuna-cantina"], seen["judetul-cantina"]
    assert locality == {"page": 200, "records_word": True, "post": 201, "list": 200, "titles": ["Prânz"],
                        "in_navigation": True}
    assert (county["page"], county["post"], county["list"], county["in_navigation"]) == (404, 404, 404, False)

    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"], cwd=project, env=env)
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout[-3000:] + tests.stderr[-2000:]

    _ok(_run([python, "-m", "pip", "uninstall", "-q", "-y", f"vatra-{NAME.replace('_', '-')}"], cwd=tmp_path,
             env=env))
    refused = _run([*vatra, "db", "upgrade"], cwd=tmp_path, env=env)
    assert refused.returncode != 0 and NAME in refused.stdout + refused.stderr
