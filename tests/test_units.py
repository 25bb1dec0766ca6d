"""Unit parsing, algebra and SBML unit terms."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from immunetwin import ModelError
from immunetwin._units import DAY, DIMENSIONLESS, Unit, parse_unit, sbml_unit_terms


def dims(unit: Unit) -> dict[str, Fraction]:
    return dict(unit.dims)


@pytest.mark.parametrize(
    ("text", "scale", "expected"),
    [
        ("day", 1.0, {"day": 1}),
        ("1/day", 1.0, {"day": -1}),
        ("h", 1 / 24, {"day": 1}),
        ("min", 1 / 1440, {"day": 1}),
        ("week", 7.0, {"day": 1}),
        ("L", 1.0, {"L": 1}),
        ("mL", 1e-3, {"L": 1}),
        ("uL", 1e-6, {"L": 1}),
        ("µL", 1e-6, {"L": 1}),
        ("mg", 1e-3, {"g": 1}),
        ("kg", 1e3, {"g": 1}),
        ("mg/L", 1e-3, {"g": 1, "L": -1}),
        ("pg/mL", 1e-9, {"g": 1, "L": -1}),
        ("cells/uL", 1e6, {"cell": 1, "L": -1}),
        ("nM", 1e-9, {"mol": 1, "L": -1}),
        ("mmol", 1e-3, {"mol": 1}),
        ("IU/mL", 1e3, {"IU": 1, "L": -1}),
        ("L/(day*kg)", 1e-3, {"L": 1, "day": -1, "g": -1}),
        ("1/(cells/uL)", 1e-6, {"cell": -1, "L": 1}),
        ("cells/uL/day", 1e6, {"cell": 1, "L": -1, "day": -1}),
        ("pg/mL/day/(cells/uL)", 1e-15, {"g": 1, "day": -1, "cell": -1}),
        ("L^2", 1.0, {"L": 2}),
        ("mL^-1", 1e3, {"L": -1}),
        ("%", 0.01, {}),
        ("dimensionless", 1.0, {}),
        ("1", 1.0, {}),
    ],
)
def test_parse_unit(text: str, scale: float, expected: dict[str, int]) -> None:
    unit = parse_unit(text)
    assert math.isclose(unit.scale, scale, rel_tol=1e-12)
    assert dims(unit) == {k: Fraction(v) for k, v in expected.items()}


def test_equivalent_spellings_are_equal() -> None:
    assert parse_unit("mg/L") == parse_unit("ug/mL")
    assert parse_unit("1/h") == Unit.of(24.0, {"day": Fraction(-1)})
    assert parse_unit("nmol/L") == parse_unit("nM")
    assert parse_unit("cells/uL") == parse_unit("cells") / parse_unit("uL")
    assert parse_unit("mg/L") != parse_unit("g/L")
    assert not parse_unit("mg/L").same_dimension(parse_unit("mg"))
    assert parse_unit("mg/L").same_dimension(parse_unit("g/L"))


def test_volume_exponent_tells_concentration_from_amount() -> None:
    assert parse_unit("cells/uL").volume_exponent == -1
    assert parse_unit("mg").volume_exponent == 0
    assert parse_unit("L").volume_exponent == 1


@pytest.mark.parametrize("text", ["furlong", "mg/parsec", "kday"])
def test_unknown_unit_is_named(text: str) -> None:
    with pytest.raises(ModelError, match="unknown unit"):
        parse_unit(text)


def test_empty_and_malformed_units() -> None:
    with pytest.raises(ModelError, match="empty unit"):
        parse_unit("   ")
    with pytest.raises(ModelError, match=r"missing '\)'"):
        parse_unit("1/(day*L")
    with pytest.raises(ModelError, match="cannot parse unit 'mg/L \\)'"):
        parse_unit("mg/L )")


def test_algebra() -> None:
    mg = parse_unit("mg")
    litre = parse_unit("L")
    conc = mg / litre
    assert conc * litre == mg
    assert conc / conc == DIMENSIONLESS
    assert (litre**2) ** Fraction(1, 2) == litre
    assert (DAY**-1).is_dimensionless is False
    assert DIMENSIONLESS.is_dimensionless
    assert hash(parse_unit("mg/L")) == hash(parse_unit("ug/mL"))


def test_str_is_readable() -> None:
    assert str(DIMENSIONLESS) == "dimensionless"
    assert str(parse_unit("1/day")) == "1/day"
    assert str(parse_unit("L/(day*g)")) == "L/(day*g)"
    assert str(parse_unit("mg/L")) == "0.001 g/L"


def test_sbml_terms_use_seconds_for_days() -> None:
    assert sbml_unit_terms(DAY) == [("second", 1.0, 86400.0)]
    ((kind, exponent, multiplier),) = sbml_unit_terms(parse_unit("1/h"))
    assert (kind, exponent) == ("second", -1.0)
    # (m * s)^-1 = 24 / day = 24 / (86400 s)  ->  m = 3600
    assert math.isclose(multiplier, 3600.0)
    terms = sbml_unit_terms(parse_unit("mg/L"))
    scale = 1.0
    for _, exponent, multiplier in terms:
        scale *= multiplier**exponent
    assert math.isclose(scale, 1e-3)
    assert sbml_unit_terms(parse_unit("%")) == [("dimensionless", 1.0, 0.01)]
    # International units have no SBML base unit: exported as dimensionless.
    assert sbml_unit_terms(parse_unit("IU")) == [("dimensionless", 1.0, 1.0)]
