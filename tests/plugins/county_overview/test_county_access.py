"""Who may see the county pages: 404 across counties, 403 for a locality, read-only for the county."""

from __future__ import annotations

import pytest
from county_fakes import CountySource, make_county

from core.auth.models import Role
from core.tenancy import TenantViolation, read_scope
from tenants.models import Council

SOURCE = CountySource()
pytestmark = [pytest.mark.config(VATRA_PLUGINS=["county_overview"]), pytest.mark.plugins(SOURCE)]

COUNTY_PAGES = ("/county/", "/county/councils", "/county/open-data.csv")
COUNTY_API = ("/county/", "/county/councils", "/county/compliance")


@pytest.fixture(autouse=True)
def _fresh_source():
    SOURCE.reset()
    yield
    SOURCE.reset()


def test_another_countys_coordinator_gets_404_on_every_page_and_endpoint(any_app, make_tenant, make_user, login,
                                                                          api_headers):
    olt, (olt_locality,) = make_county(make_tenant, 1, name="JUDEȚUL OLT")
    covasna, _ = make_county(make_tenant, 1, name="JUDEȚUL COVASNA")
    coordinator = make_user(covasna, Role.COUNTY_COORDINATOR)
    client = login(any_app.test_client(), coordinator)

    for path in (*COUNTY_PAGES, f"/county/locality/{olt_locality.slug}"):
        assert client.get(f"/t/{olt.slug}{path}").status_code == 404, path
    assert client.get(f"/t/{covasna.slug}/county/").status_code == 200
    headers = api_headers(coordinator, covasna)
    for path in COUNTY_API:
        assert client.get(f"/api/v1/t/{olt.slug}{path}", headers=headers).status_code == 404, path
    assert client.get(f"/api/v1/t/{covasna.slug}/county/", headers=headers).status_code == 200


@pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.SOCIAL_WORKER, Role.VIEWER, Role.COUNCIL_MEMBER])
def test_a_locality_user_gets_403_on_the_county_page(app, make_tenant, make_user, login, role):
    county, (locality,) = make_county(make_tenant, 1)
    client = login(app.test_client(), make_user(locality, role))

    assert client.get(f"/t/{locality.slug}/county/").status_code == 403
    assert client.get(f"/t/{locality.slug}/county/councils").status_code == 403
    assert client.get(f"/t/{county.slug}/county/").status_code == 404  # not a member of the county


def test_the_county_page_in_a_locality_is_not_there_even_for_a_coordinator_role(app, make_tenant, make_user, login):
    _county, (locality,) = make_county(make_tenant, 1)
    client = login(app.test_client(), make_user(locality, Role.COUNTY_COORDINATOR))
    assert client.get(f"/t/{locality.slug}/county/").status_code == 404  # the plugin is not enabled for localities


def test_county_staff_without_county_view_gets_403(app, make_tenant, make_user, login):
    county, _ = make_county(make_tenant, 1)
    client = login(app.test_client(), make_user(county, Role.VIEWER))
    assert client.get(f"/t/{county.slug}/county/").status_code == 403


def test_national_page_is_for_the_platform_only(app, make_tenant, make_user, login):
    from tenants.catalog import PLATFORM_SLUG

    county, _ = make_county(make_tenant, 1)
    coordinator = login(app.test_client(), make_user(county, Role.COUNTY_COORDINATOR))
    assert coordinator.get(f"/t/{county.slug}/county/national").status_code == 403
    assert coordinator.get(f"/t/{PLATFORM_SLUG}/county/national").status_code == 404

    with app.app_context():
        from tenants.services import get_by_slug

        platform = get_by_slug(PLATFORM_SLUG)
        admin = make_user(platform, Role.PLATFORM_ADMIN)
    client = login(app.test_client(), admin)
    assert client.get(f"/t/{PLATFORM_SLUG}/county/national").status_code == 200
    assert client.get(f"/t/{PLATFORM_SLUG}/county/").status_code == 403  # county.view is the coordinators'


def test_the_county_reads_its_localities_but_cannot_write_them(any_app, make_tenant):
    county, (locality,) = make_county(make_tenant, 1)
    from county_fakes import add_council

    add_council(any_app, locality, members=1)
    from core.db import db

    with any_app.app_context(), read_scope([locality.id, county.id]):
        council = db.session.query(Council).one()
        assert council.tenant_id == locality.id
        council.name = "Altă denumire"
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()
