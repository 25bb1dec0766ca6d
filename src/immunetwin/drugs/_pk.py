"""Build an immunetwin Module from a drug's PK declaration.

Naming, for a drug ``d``:
    - species (amounts, mg, in the nominal 1 L compartment ``d_body``):
      ``d_central``, ``d_peripheral`` (two-compartment), ``d_depot_sc`` /
      ``d_depot_oral`` / ``d_depot_im`` (one per extravascular route); and
      ``d_effect_site`` (mg/L) when the drug has an effect compartment;
    - parameters: ``d_clearance_typical`` (L/day), ``d_central_volume_typical``
      (L) and the other typical values, ``d_infusion_rate`` (mg/day, switched
      by the schedule for zero-order IV infusions) and ``d_<route>_input_rate``
      (mg/day into a depot, switched by the schedule for averaged regimens);
    - rules: ``d_clearance``, ``d_central_volume`` (covariate-adjusted) and
      ``d_concentration`` (mg/L, the plasma concentration that mechanism rules read).

PK states are amounts so that a dose is an exact ``add`` of mg and volumes
can carry covariates and variability as ordinary parameters.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.linalg import expm

from immunetwin._errors import ModelError
from immunetwin.declaration import (
    Compartment,
    LogNormal,
    Module,
    Parameter,
    Reaction,
    Rule,
    Species,
)
from immunetwin.drugs._declarations import Drug, Quantity, Route

__all__ = [
    "BODY_WEIGHT",
    "COVARIATE_MODULE",
    "SEX_FEMALE",
    "covariate_module",
    "pk_module",
    "species_names",
    "steady_state_swing",
]

BODY_WEIGHT = "body_weight"
SEX_FEMALE = "sex_female"
COVARIATE_MODULE = "patient_covariates"
# Solver absolute tolerance of every PK state (mg, or mg/L for an effect site). The
# default (1e-12) made CVODE follow each dose's decay over ten orders of magnitude and
# restart expensively after every dose (weekly methotrexate: ~300-500 steps a dose); at
# 1e-9 mg an ARMADA arm solves 1.39x faster and no output moves by more than 3e-5
# relative (benchmarks/tolerance.py, 2026-12-07). As a concentration it stays below 1e-4
# of every drug's EC50, declared or calibrated (6.8e-6 at worst, interferon beta:
# tests/drugs/test_pd.py::test_pk_tolerance_is_far_below_every_potency).
PK_ABSOLUTE_TOLERANCE = 1e-9


def covariate_module() -> Module:
    """Patient covariates read by PK rules: body weight (kg) and sex (1 = female)."""
    return Module(
        COVARIATE_MODULE,
        description="patient covariates for pharmacokinetics; set per patient",
        parameters=(
            Parameter(
                BODY_WEIGHT,
                70.0,
                "kg",
                source="conventional reference adult (70 kg); set per patient",
                description="body weight",
            ),
            Parameter(
                SEX_FEMALE,
                0.0,
                "dimensionless",
                source="definition: 1 = female, 0 = male; set per patient",
                description="sex indicator (1 = female)",
            ),
        ),
    )


def species_names(drug: Drug) -> dict[str, str]:
    """Role -> model name for a drug's dosing targets (``central``, ``depot_sc``...)."""
    d = drug.name
    names = {"central": f"{d}_central", "infusion_rate": f"{d}_infusion_rate"}
    if drug.pk is not None:
        for route in drug.pk.routes:
            if route.name != "iv":
                names[f"depot_{route.name}"] = f"{d}_depot_{route.name}"
                names[f"input_{route.name}"] = f"{d}_{route.name}_input_rate"
    return names


def _variability(q: Quantity) -> LogNormal | None:
    return LogNormal(q.cv) if q.cv else None


def _source(q: Quantity) -> str:
    return f"{q.source}; IIV CV {q.cv:.0%}: {q.cv_source}" if q.cv else q.source


def _par(
    name: str,
    q: Quantity,
    unit: str,
    description: str,
    reference_weight_kg: float | None = None,
) -> Parameter:
    value = q.to(unit, reference_weight_kg)
    source = _source(q)
    if reference_weight_kg is not None and q.unit != unit and "kg" in q.unit:
        source = f"{source} (x {reference_weight_kg:g} kg reference weight)"
    return Parameter(
        name, value, unit, source=source, variability=_variability(q), description=description
    )


def pk_module(drug: Drug) -> Module:
    """The PK module of ``drug``.

    Raises:
        ModelError: If the drug has no PK model.
    """
    pk = drug.pk
    if pk is None and drug.cells is not None:
        raise ModelError(
            f"drug {drug.name!r} is a cell therapy: its kinetics need the immune model "
            "(immunetwin.drugs.with_drugs)"
        )
    if pk is None:
        raise ModelError(f"drug {drug.name!r} has no PK model: {drug.pk_note}")
    d = drug.name
    weight_kg = pk.reference_weight.to("kg")
    body = f"{d}_body"
    moiety = pk.active_moiety or drug.display_name
    parameters: list[Parameter] = [
        _par(f"{d}_clearance_typical", pk.clearance, "L/day", "linear clearance CL", weight_kg),
        _par(f"{d}_central_volume_typical", pk.central_volume, "L", "central volume Vc", weight_kg),
        Parameter(
            f"{d}_reference_weight",
            weight_kg,
            "kg",
            source=pk.reference_weight.source,
            description="body weight at which the typical values hold",
        ),
        Parameter(
            f"{d}_negligible_amount",
            1e-30,
            "mg",
            source="numerical: below this amount first-order decay fades out smoothly, so "
            "states never reach floating-point underflow (CVODE fails on subnormal states)",
            description="amount below which PK states stop decaying exponentially",
        ),
        Parameter(
            f"{d}_infusion_rate",
            0.0,
            "mg/day",
            source="definition: zero-order IV input, switched on and off by the dosing schedule",
            description="current IV infusion rate",
        ),
    ]
    species: list[Species] = [
        Species(
            f"{d}_central",
            body,
            0.0,
            "mg",
            source="no drug before the first dose",
            absolute_tolerance=PK_ABSOLUTE_TOLERANCE,
            description=f"amount of {moiety} in the central compartment",
        )
    ]
    reactions: list[Reaction] = [
        Reaction(
            f"{d}_elimination",
            _floored(d, f"{d}_clearance * {d}_concentration", f"{d}_central"),
            reactants={f"{d}_central": 1},
            description="linear elimination CL * C (mg/day)",
        ),
        Reaction(
            f"{d}_infusion",
            f"{d}_infusion_rate",
            products={f"{d}_central": 1},
            description="zero-order IV infusion into the central compartment",
        ),
    ]
    clearance_terms = [f"{d}_clearance_typical"]
    volume_terms = [f"{d}_central_volume_typical"]
    weight_ratio = f"({BODY_WEIGHT} / {d}_reference_weight)"
    if pk.clearance_weight_exponent is not None:
        parameters.append(
            _par(
                f"{d}_clearance_weight_exponent",
                pk.clearance_weight_exponent,
                "dimensionless",
                "allometric exponent of body weight on CL and Q",
            )
        )
        clearance_terms.append(f"{weight_ratio} ** {d}_clearance_weight_exponent")
    if pk.volume_weight_exponent is not None:
        parameters.append(
            _par(
                f"{d}_volume_weight_exponent",
                pk.volume_weight_exponent,
                "dimensionless",
                "allometric exponent of body weight on Vc and Vp",
            )
        )
        volume_terms.append(f"{weight_ratio} ** {d}_volume_weight_exponent")
    if pk.female_clearance_factor is not None:
        parameters.append(
            _par(
                f"{d}_female_clearance_factor",
                pk.female_clearance_factor,
                "dimensionless",
                "clearance in women relative to men",
            )
        )
        clearance_terms.append(f"(1 + ({d}_female_clearance_factor - 1) * {SEX_FEMALE})")
    if pk.female_volume_factor is not None:
        parameters.append(
            _par(
                f"{d}_female_volume_factor",
                pk.female_volume_factor,
                "dimensionless",
                "central volume in women relative to men",
            )
        )
        volume_terms.append(f"(1 + ({d}_female_volume_factor - 1) * {SEX_FEMALE})")
    size_factor_cl = [t for t in clearance_terms[1:] if "female" not in t]
    time_factor = ""
    if pk.time_varying_clearance is not None:
        tv = pk.time_varying_clearance
        parameters += [
            _par(
                f"{d}_clearance_time_max_log_change",
                tv.max_log_change,
                "dimensionless",
                "maximal change of log(CL) with time on treatment",
            ),
            _par(
                f"{d}_clearance_time_to_half",
                tv.time_to_half,
                "day",
                "time on treatment at half the change in CL",
            ),
            _par(
                f"{d}_clearance_time_hill",
                tv.hill,
                "dimensionless",
                "sigmoidicity of the change in CL with time",
            ),
        ]
        ratio = f"(time / {d}_clearance_time_to_half) ** {d}_clearance_time_hill"
        time_factor = f" * exp({d}_clearance_time_max_log_change * {ratio} / (1 + {ratio}))"
    rules: list[Rule] = [
        Rule(
            f"{d}_clearance",
            " * ".join(clearance_terms) + time_factor,
            "L/day",
            "individual linear clearance (covariates applied)",
        ),
        Rule(
            f"{d}_central_volume",
            " * ".join(volume_terms),
            "L",
            "individual central volume (covariates applied)",
        ),
        Rule(
            f"{d}_concentration",
            f"{d}_central / {d}_central_volume",
            "mg/L",
            f"plasma concentration of {moiety}",
        ),
    ]
    if pk.peripheral_volume is not None and pk.intercompartmental_clearance is not None:
        parameters += [
            _par(
                f"{d}_peripheral_volume_typical",
                pk.peripheral_volume,
                "L",
                "peripheral volume Vp",
                weight_kg,
            ),
            _par(
                f"{d}_intercompartmental_clearance_typical",
                pk.intercompartmental_clearance,
                "L/day",
                "intercompartmental clearance Q",
                weight_kg,
            ),
        ]
        size_factor_v = [t for t in volume_terms[1:] if "female" not in t]
        rules += [
            Rule(
                f"{d}_peripheral_volume",
                " * ".join([f"{d}_peripheral_volume_typical", *size_factor_v]),
                "L",
                "individual peripheral volume",
            ),
            Rule(
                f"{d}_intercompartmental_clearance",
                " * ".join([f"{d}_intercompartmental_clearance_typical", *size_factor_cl]),
                "L/day",
                "individual intercompartmental clearance",
            ),
        ]
        species.append(
            Species(
                f"{d}_peripheral",
                body,
                0.0,
                "mg",
                source="no drug before the first dose",
                absolute_tolerance=PK_ABSOLUTE_TOLERANCE,
                description=f"amount of {moiety} in the peripheral compartment",
            )
        )
        reactions.append(
            Reaction(
                f"{d}_distribution",
                _floored(
                    d,
                    f"{d}_intercompartmental_clearance * "
                    f"({d}_concentration - {d}_peripheral / {d}_peripheral_volume)",
                    f"{d}_central",
                    f"{d}_peripheral",
                ),
                reactants={f"{d}_central": 1},
                products={f"{d}_peripheral": 1},
                description="net transfer central -> peripheral, Q * (C - Cp) (mg/day)",
            )
        )
    if pk.saturable_vmax is not None and pk.saturable_km is not None:
        parameters += [
            _par(f"{d}_saturable_vmax", pk.saturable_vmax, "mg/day", "maximal saturable rate"),
            _par(f"{d}_saturable_km", pk.saturable_km, "mg/L", "half-saturating concentration"),
        ]
        reactions.append(
            Reaction(
                f"{d}_saturable_elimination",
                _floored(
                    d,
                    f"{d}_saturable_vmax * {d}_concentration / "
                    f"({d}_saturable_km + {d}_concentration)",
                    f"{d}_central",
                ),
                reactants={f"{d}_central": 1},
                description="saturable (target-mediated) elimination, Michaelis-Menten (mg/day)",
            )
        )
    for route in pk.routes:
        if route.name != "iv":
            parameters, species, reactions = _absorption(
                d, route, body, parameters, species, reactions
            )
    if pk.effect_half_life is not None:
        parameters.append(
            _par(
                f"{d}_effect_site_half_life",
                pk.effect_half_life,
                "day",
                "equilibration half-life of the effect compartment",
            )
        )
        species.append(
            Species(
                f"{d}_effect_site",
                body,
                0.0,
                "mg/L",
                source="no drug before the first dose",
                absolute_tolerance=PK_ABSOLUTE_TOLERANCE,
                description="effect-compartment concentration (delayed action)",
            )
        )
        reactions.append(
            Reaction(
                f"{d}_effect_equilibration",
                _floored(
                    d,
                    f"log(2) / {d}_effect_site_half_life * ({d}_concentration - {d}_effect_site)",
                    f"{d}_central",
                    f"{d}_effect_site * {body}",
                ),
                products={f"{d}_effect_site": 1},
                description="first-order approach of the effect site to plasma (mg/L/day)",
            )
        )
    return Module(
        name=f"{d}_pk",
        description=f"{drug.display_name}: {pk.compartments}-compartment PK",
        compartments=(
            Compartment(
                body,
                1.0,
                "L",
                source="definition: nominal volume; PK states are amounts, volumes are parameters",
                description=f"{drug.display_name} body (nominal)",
            ),
        ),
        species=tuple(species),
        parameters=tuple(parameters),
        reactions=tuple(reactions),
        rules=tuple(rules),
    )


def _floored(d: str, rate: str, *amounts: str) -> str:
    """``rate`` times a smooth switch that fades it out below the negligible amount (mg).

    First-order decay never ends: a stopped drug's states would shrink into the
    subnormal floating-point range, where CVODE's Newton iteration fails. With
    the switch ``x / (x + negligible)`` (x the absolute amount) decay turns
    second-order below 1e-30 mg and slows to ~1e-30 / (k t): states stay normal
    numbers, the right-hand side stays smooth, and nothing that matters changes.
    """
    x = " + ".join(f"abs({a})" for a in amounts)
    return f"({rate}) * ({x}) / ({x} + {d}_negligible_amount)"


def _absorption(
    d: str,
    route: Route,
    body: str,
    parameters: list[Parameter],
    species: list[Species],
    reactions: list[Reaction],
) -> tuple[list[Parameter], list[Species], list[Reaction]]:
    assert route.bioavailability is not None and route.absorption_rate is not None
    r = route.name
    depot = f"{d}_depot_{r}"
    ka, f = f"{d}_{r}_absorption_rate", f"{d}_{r}_bioavailability"
    parameters = [
        *parameters,
        _par(ka, route.absorption_rate, "1/day", f"first-order {r.upper()} absorption rate ka"),
        _par(f, route.bioavailability, "dimensionless", f"{r.upper()} bioavailability F"),
        Parameter(
            f"{d}_{r}_input_rate",
            0.0,
            "mg/day",
            source="definition: zero-order input into the depot, set by the dosing schedule "
            "for averaged regimens (each dose spread over its dosing interval)",
            description=f"current averaged {r.upper()} input rate",
        ),
    ]
    species = [
        *species,
        Species(
            depot,
            body,
            0.0,
            "mg",
            source="no drug before the first dose",
            absolute_tolerance=PK_ABSOLUTE_TOLERANCE,
            description=f"amount at the {r.upper()} absorption site",
        ),
    ]
    reactions = [
        *reactions,
        Reaction(
            f"{d}_{r}_input",
            f"{d}_{r}_input_rate",
            products={depot: 1},
            description="averaged dosing: each dose spread evenly over its dosing interval",
        ),
        Reaction(
            f"{d}_{r}_absorption",
            _floored(d, f"{ka} * {f} * {depot}", depot),
            reactants={depot: 1},
            products={f"{d}_central": 1},
            description="the bioavailable fraction is absorbed at rate ka",
        ),
        Reaction(
            f"{d}_{r}_presystemic_loss",
            _floored(d, f"{ka} * (1 - {f}) * {depot}", depot),
            reactants={depot: 1},
            description="the rest leaves the depot at the same rate (first-pass, local loss)",
        ),
    ]
    return parameters, species, reactions


# Every patient's schedule checks its averaged regimens: the swing of one drug, route and
# gap is computed once per process (a few ms each).
@functools.lru_cache(maxsize=256)
def steady_state_swing(drug: Drug, route: str, gap_days: float, points: int = 400) -> float:
    """Peak-to-trough swing of the plasma concentration over a dosing gap at steady state.

    The swing is (max - min) / mean of the central concentration over one gap of
    repeated equal doses, for the typical patient (the reference weight, no covariate
    factors), from the linear PK system: ``x' = A x`` with each dose an impulse into
    the route's depot (first-order absorption at ka, as :func:`pk_module` builds it)
    or, for IV, into the central compartment (a bolus: an infusion swings less, so
    this is an upper bound). At steady state the state just after a dose is
    ``(I - exp(A gap))^-1 b``; the gap is then sampled at ``points`` steps. For a
    one-compartment IV bolus it is ``k * gap`` (k = CL/V).

    Args:
        drug: A drug with a linear PK model.
        route: ``iv``, ``sc``, ``oral`` or ``im`` (one the drug declares).
        gap_days: Days between doses.
        points: Samples over the gap.

    Raises:
        ModelError: For a drug without PK, with saturable elimination or
            time-varying clearance (no single steady-state cycle by superposition),
            or a route the drug does not declare.
    """
    pk = drug.pk
    if pk is None:
        raise ModelError(f"drug {drug.name!r} has no PK model")
    if pk.saturable_vmax is not None or pk.time_varying_clearance is not None:
        raise ModelError(
            f"drug {drug.name!r} has nonlinear or time-varying PK: no steady-state swing"
        )
    weight = pk.reference_weight.to("kg")
    clearance = pk.clearance.to("L/day", weight)
    volume = pk.central_volume.to("L", weight)
    # As pk_module: a peripheral compartment needs both its volume and Q.
    peripheral_volume, inter_clearance = pk.peripheral_volume, pk.intercompartmental_clearance
    two_compartment = peripheral_volume is not None and inter_clearance is not None
    extravascular = route != "iv"
    # States: [central, peripheral?, depot?] (amounts, mg).
    size = 1 + int(two_compartment) + int(extravascular)
    rates = np.zeros((size, size))
    rates[0, 0] = -clearance / volume
    if peripheral_volume is not None and inter_clearance is not None:
        inter = inter_clearance.to("L/day", weight)
        peripheral = peripheral_volume.to("L", weight)
        rates[0, 0] -= inter / volume
        rates[0, 1] = inter / peripheral
        rates[1, 0] = inter / volume
        rates[1, 1] = -inter / peripheral
    dose = np.zeros(size)
    if extravascular:
        declared = pk.route(route)
        assert declared.absorption_rate is not None and declared.bioavailability is not None
        ka = declared.absorption_rate.to("1/day")
        rates[-1, -1] = -ka  # absorbed and lost presystemically at the same rate
        rates[0, -1] = ka * declared.bioavailability.to("dimensionless")
        dose[-1] = 1.0
    else:
        dose[0] = 1.0
    after_dose = np.linalg.solve(np.eye(size) - expm(rates * gap_days), dose)
    step = expm(rates * gap_days / points)
    central = np.empty(points + 1)
    state = after_dose
    for k in range(points + 1):
        central[k] = state[0]
        state = step @ state
    mean = float(np.trapezoid(central, dx=1.0 / points))
    return float((central.max() - central.min()) / mean)
