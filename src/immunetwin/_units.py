"""Physical units: parsing, algebra and conversion to SBML unit definitions.

A unit is a scale factor times a product of base dimensions raised to integer or
half-integer powers. The base dimensions are the ones immunology needs:

- ``day`` (time; the model's time unit), ``L`` (volume), ``g`` (mass),
- ``mol`` (amount of substance), ``cell`` (counted items: cells, virions, CFU),
- ``IU`` (international units, substance specific, kept apart so it never mixes with mass).

Unit strings read like clinical units: ``"cells/uL"``, ``"mg/L"``, ``"1/day"``,
``"pg/mL"``, ``"L/(day*kg)"``, ``"1/(cells/uL)"``, ``"dimensionless"``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from immunetwin._errors import ModelError

BASE_DIMENSIONS: Final = ("day", "L", "g", "mol", "cell", "IU")

_PREFIXES: Final = {
    "": 1.0,
    "p": 1e-12,
    "n": 1e-9,
    "u": 1e-6,
    "µ": 1e-6,
    "m": 1e-3,
    "c": 1e-2,
    "d": 1e-1,
    "k": 1e3,
}

# name -> (scale relative to the base dimension, base dimension)
_SIMPLE_UNITS: Final = {
    "L": (1.0, "L"),
    "l": (1.0, "L"),
    "g": (1.0, "g"),
    "mol": (1.0, "mol"),
    "M": (1.0, None),  # molar: handled below as mol/L
    "cell": (1.0, "cell"),
    "cells": (1.0, "cell"),
    "copies": (1.0, "cell"),
    "CFU": (1.0, "cell"),
    "IU": (1.0, "IU"),
    "U": (1.0, "IU"),
}
_TIME_UNITS: Final = {
    "s": 1.0 / 86400.0,
    "sec": 1.0 / 86400.0,
    "min": 1.0 / 1440.0,
    "h": 1.0 / 24.0,
    "hour": 1.0 / 24.0,
    "day": 1.0,
    "days": 1.0,
    "d": 1.0,
    "week": 7.0,
    "weeks": 7.0,
    "year": 365.25,
    "years": 365.25,
}
_DIMENSIONLESS_WORDS: Final = {"dimensionless", "1", "ratio", "fraction"}
# Percent and mm/h-like clinical readouts are declared with their own words.
_SPECIAL_UNITS: Final = {
    "%": (0.01, {}),
    "percent": (0.01, {}),
    "mm": (1.0, {"mm": Fraction(1)}),
    "mmHg": (1.0, {"mmHg": Fraction(1)}),
}


@dataclass(frozen=True)
class Unit:
    """A scale factor times a product of base dimensions.

    Attributes:
        scale: Multiplier that converts one of this unit into the base dimensions.
        dims: Exponent of each base dimension; absent means zero.
    """

    scale: float = 1.0
    dims: MappingProxyType[str, Fraction] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def of(scale: float, dims: dict[str, Fraction]) -> Unit:
        """Build a unit, dropping zero exponents."""
        clean = {k: Fraction(v) for k, v in dims.items() if v != 0}
        return Unit(float(scale), MappingProxyType(dict(sorted(clean.items()))))

    def __mul__(self, other: Unit) -> Unit:
        dims = dict(self.dims)
        for k, v in other.dims.items():
            dims[k] = dims.get(k, Fraction(0)) + v
        return Unit.of(self.scale * other.scale, dims)

    def __truediv__(self, other: Unit) -> Unit:
        return self * other ** Fraction(-1)

    def __pow__(self, exponent: Fraction | int | float) -> Unit:
        e = Fraction(exponent).limit_denominator(1000)
        return Unit.of(self.scale ** float(e), {k: v * e for k, v in self.dims.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Unit):
            return NotImplemented
        return dict(self.dims) == dict(other.dims) and math.isclose(
            self.scale, other.scale, rel_tol=1e-9
        )

    def __hash__(self) -> int:
        return hash((tuple(self.dims.items()), round(math.log10(self.scale), 9)))

    @property
    def is_dimensionless(self) -> bool:
        """True when no base dimension remains (the scale may differ from one)."""
        return not self.dims

    def same_dimension(self, other: Unit) -> bool:
        """True when both units measure the same kind of quantity."""
        return dict(self.dims) == dict(other.dims)

    @property
    def volume_exponent(self) -> Fraction:
        """Exponent of volume (-1 for a concentration)."""
        return self.dims.get("L", Fraction(0))

    def __str__(self) -> str:
        if not self.dims:
            return "dimensionless" if self.scale == 1.0 else f"{self.scale:g}"
        num = [f"{k}^{v}" if v != 1 else k for k, v in self.dims.items() if v > 0]
        den = [f"{k}^{-v}" if v != -1 else k for k, v in self.dims.items() if v < 0]
        text = "*".join(num) if num else "1"
        if den:
            text += "/" + ("(" + "*".join(den) + ")" if len(den) > 1 else den[0])
        return text if self.scale == 1.0 else f"{self.scale:g} {text}"


DIMENSIONLESS: Final = Unit.of(1.0, {})
DAY: Final = Unit.of(1.0, {"day": Fraction(1)})

_TOKEN = re.compile(r"\s*(\(|\)|\*|/|\^-?\d+(?:\.\d+)?|[A-Za-zµ%][A-Za-zµ_]*|\d+(?:\.\d+)?)")


def _atom(word: str) -> Unit:
    if word in _DIMENSIONLESS_WORDS:
        return DIMENSIONLESS
    if word in _SPECIAL_UNITS:
        scale, dims = _SPECIAL_UNITS[word]
        return Unit.of(scale, dims)
    if word in _TIME_UNITS:
        return Unit.of(_TIME_UNITS[word], {"day": Fraction(1)})
    # Longest unit name first so "mol" is not read as milli-"ol".
    for name in sorted(_SIMPLE_UNITS, key=len, reverse=True):
        if word.endswith(name):
            prefix = word[: -len(name)]
            if prefix not in _PREFIXES:
                continue
            scale, dim = _SIMPLE_UNITS[name]
            if name == "M":
                return Unit.of(_PREFIXES[prefix], {"mol": Fraction(1), "L": Fraction(-1)})
            assert dim is not None
            return Unit.of(_PREFIXES[prefix] * scale, {dim: Fraction(1)})
    raise ValueError(f"unknown unit {word!r}")


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Unit:
    """Parse a unit string such as ``"cells/uL"`` or ``"1/(day*cells/uL)"``.

    Raises:
        ModelError: If the string is empty or names an unknown unit.
    """
    source = text.strip()
    if not source:
        raise ModelError("empty unit: every quantity needs a unit (use 'dimensionless')")
    tokens: list[str] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            raise ModelError(f"cannot parse unit {text!r} at {source[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    try:
        unit, rest = _parse_product(tokens)
    except ValueError as err:
        raise ModelError(f"cannot parse unit {text!r}: {err}") from None
    if rest:
        raise ModelError(f"cannot parse unit {text!r}: unexpected {' '.join(rest)!r}")
    return unit


def _parse_product(tokens: list[str]) -> tuple[Unit, list[str]]:
    unit, tokens = _parse_factor(tokens)
    while tokens and tokens[0] in "*/":
        op, tokens = tokens[0], tokens[1:]
        rhs, tokens = _parse_factor(tokens)
        unit = unit * rhs if op == "*" else unit / rhs
    return unit, tokens


def _parse_factor(tokens: list[str]) -> tuple[Unit, list[str]]:
    if not tokens:
        raise ValueError("unit ends early")
    head, tokens = tokens[0], tokens[1:]
    if head == "(":
        unit, tokens = _parse_product(tokens)
        if not tokens or tokens[0] != ")":
            raise ValueError("missing ')'")
        tokens = tokens[1:]
    elif re.fullmatch(r"\d+(?:\.\d+)?", head):
        number = float(head)
        unit = Unit.of(number, {}) if number != 1 else DIMENSIONLESS
    else:
        unit = _atom(head)
    if tokens and tokens[0].startswith("^"):
        unit = unit ** Fraction(tokens[0][1:])
        tokens = tokens[1:]
    return unit, tokens


_SBML_KIND: Final = {"day": "second", "L": "litre", "g": "gram", "mol": "mole", "cell": "item"}


def sbml_unit_terms(unit: Unit) -> list[tuple[str, float, float]]:
    """Express a unit as SBML ``(kind, exponent, multiplier)`` terms.

    Days become seconds times 86400. International units, millimetres of
    mercury and other readout-only dimensions have no SBML base unit and are
    exported as dimensionless (SBML keeps the declared name in the id).
    """
    terms: list[tuple[str, float, float]] = []
    scale = unit.scale
    for dim, exponent in unit.dims.items():
        kind = _SBML_KIND.get(dim)
        if kind is None:
            continue
        multiplier = 86400.0 if dim == "day" else 1.0
        terms.append((kind, float(exponent), multiplier))
    if not terms:
        return [("dimensionless", 1.0, scale)]
    kind, first_exponent, multiplier = terms[0]
    # Fold the overall scale into the first term: (m*scale^(1/e)*base)^e = scale*(m*base)^e.
    terms[0] = (kind, first_exponent, multiplier * scale ** (1.0 / first_exponent))
    return terms
