"""The indicator catalog says what a number is: kind, plausible maximum, summable group, shown by default."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from core import aggregation, toolkit
from core.contrib import IndicatorDef, add_indicator
from core.numbers import KINDS, parse_number
from core.plugins import PluginHost
from core.toolkit import PluginInfo, hookimpl


def test_every_code_of_the_app_says_what_its_numbers_are(app: Flask) -> None:
    with app.app_context():
        catalog = aggregation.catalog()
    assert {"children_identified", "persons_trained", "councils_created", "service_plans"} <= set(catalog)
    for code, definition in catalog.items():
        assert definition.kind in KINDS, code
        assert definition.max is not None and 0 < definition.max < 10**12, code
        assert isinstance(definition.shown_by_default, bool), code
    # the same children are never added together: identified, and identified and registered
    assert catalog["children_identified"].group == catalog["children_registered"].group
    assert catalog["children_identified"].group != catalog["families_identified"].group
    assert catalog["children_registered"].shown_by_default is False


def test_the_trained_persons_of_the_issue_are_beyond_the_maximum(app: Flask) -> None:
    with app.app_context():
        trained = aggregation.catalog()["persons_trained"]
    with pytest.raises(ValueError, match="maximul"):
        parse_number("99999999999999", "ro", trained.kind, max=trained.max)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "people"},
        {"max": 0},
        {"max": -3},
        {"max": 1.5},
        {"aggregation": "median"},
        {"summable_group": "Copii!"},
    ],
)
def test_a_malformed_definition_is_refused_when_made(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="indicator 'x_code'"):
        IndicatorDef("x_code", "Eticheta", **kwargs)  # type: ignore[arg-type]


def test_a_bad_code_is_refused() -> None:
    with pytest.raises(ValueError):
        IndicatorDef("Copii identificați", "Eticheta")


def test_two_plugins_must_declare_a_code_alike() -> None:
    catalog: dict[str, IndicatorDef] = {}
    add_indicator(catalog, IndicatorDef("persons_trained", "Persoane formate", max=100_000), "a")
    add_indicator(catalog, IndicatorDef("persons_trained", "Persoane formate", max=100_000), "b")
    with pytest.raises(ValueError, match="another max"):
        add_indicator(catalog, IndicatorDef("persons_trained", "Persoane formate", max=5), "c")
    with pytest.raises(ValueError, match="another kind"):
        add_indicator(catalog, IndicatorDef("persons_trained", "Persoane formate", kind="decimal", max=100_000), "d")
    add_indicator(catalog, IndicatorDef("a_children", "Copii", summable_group="kids"), "e")
    with pytest.raises(ValueError, match="group 'kids'"):
        add_indicator(catalog, IndicatorDef("b_children", "Copii", kind="decimal", summable_group="kids"), "f")
    with pytest.raises(TypeError):
        add_indicator(catalog, ("persons_trained", "Persoane"), "g")  # type: ignore[arg-type]


class _Contradicting:
    @hookimpl
    def vatra_plugin_info(self) -> PluginInfo:
        return PluginInfo("contradicting", "Contradictoriu", "1.0")

    @hookimpl
    def vatra_indicator_catalog(self) -> list[IndicatorDef]:
        return [IndicatorDef("persons_trained", "Persoane formate", kind="money", max=Decimal(10))]


def test_the_host_refuses_a_catalog_that_contradicts_another_plugin() -> None:
    host = PluginHost()
    host.load(allow=["prevention_plan"], extra=[_Contradicting()])
    with pytest.raises(ValueError, match="persons_trained"):
        host.init_app(Flask(__name__))


def test_plugins_get_the_parser_and_the_kinds_from_the_toolkit() -> None:
    for name in ("parse_number", "check_number", "number_text", "number_example", "NumberError", "KINDS",
                 "IndicatorDef"):
        assert name in toolkit.__all__ and hasattr(toolkit, name)
