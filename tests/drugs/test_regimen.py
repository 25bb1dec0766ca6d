"""The regimen language: parsing, round-trips, dose times and amounts, errors, adherence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin import SpecError, StateChange
from immunetwin.drugs import (
    DRUGS,
    PatientCovariates,
    Regimen,
    Route,
    parse_regimen,
    regimen_schedule,
)
from immunetwin.population import SCHEDULE_STREAM, patient_rng

ADULT = PatientCovariates(weight_kg=70, height_cm=170, sex="male")


def times_and_mg(text: str, days: float, covariates: PatientCovariates = ADULT) -> list:
    regimen = parse_regimen(text)
    events = regimen.doses(DRUGS[regimen.drug], covariates, days)
    return [(round(e.time, 9), round(e.amount_mg, 9)) for e in events if e.taken]


# -- round trips -----------------------------------------------------------------------------

EXAMPLES = [
    "belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days",
    "adalimumab 40 mg SC every 14 days",
    "methotrexate 15 mg weekly",
    "prednisone 30 mg daily tapering to 5 mg over 12 weeks",
    "rituximab 1000 mg IV on days 0, 14",
    "ocrelizumab 300 mg IV on days 0, 14 then 600 mg every 24 weeks",
    "infliximab 5 mg/kg IV at weeks 0, 2, 6 then every 8 weeks",
    "tofacitinib 5 mg twice daily",
    "adalimumab 80 mg SC once then 40 mg every 14 days",
    "infliximab 5 mg/kg IV over 2 h at weeks 0, 2, 6 then every 8 weeks",
    "rituximab 1000 mg IV bolus on days 0, 14",
    "tofacitinib 5 mg twice daily, adherence 80%",
    "methotrexate 15 mg weekly skipping days 14, 21",
    "tocilizumab 8 mg/kg IV every 4 weeks, max 800 mg",
    "adalimumab 40 mg SC every other week starting week 2",
    "prednisone 60 mg daily for 2 weeks then tapering to 0 mg over 8 weeks in steps of 2.5 mg",
    "interferon beta-1a 44 ug SC three times weekly",
    "Prednisolone 10 mg orally once daily",
    "methotrexate 15 mg weekly, averaged",
    "methotrexate 7.5 mg weekly for 4 weeks then 15 mg SC weekly, adherence 90%, averaged",
]


@pytest.mark.parametrize("text", EXAMPLES + [r for d in DRUGS.values() for r in d.label_regimens])
def test_text_and_json_round_trip(text: str) -> None:
    regimen = parse_regimen(text)
    assert Regimen.parse(regimen.text()) == regimen
    assert Regimen.model_validate_json(regimen.model_dump_json()) == regimen
    assert str(regimen) == regimen.text()


@st.composite
def regimen_texts(draw: st.DrawFn) -> str:
    drug = draw(st.sampled_from(["adalimumab", "methotrexate", "belimumab", "prednisone"]))
    route = {"adalimumab": "SC", "methotrexate": "oral", "belimumab": "IV", "prednisone": "oral"}
    amount = draw(st.integers(1, 2000)) / draw(st.sampled_from([1, 2, 4, 10]))
    unit = draw(st.sampled_from(["mg", "mg/kg", "ug", "g", "mg/m2"]))
    schedule = draw(
        st.one_of(
            st.sampled_from(["daily", "twice daily", "weekly", "three times weekly", "once"]),
            st.integers(1, 60).map(lambda n: f"every {n} days"),
            st.integers(1, 26).map(lambda n: f"every {n} weeks"),
            st.lists(st.integers(0, 400), min_size=1, max_size=5, unique=True).map(
                lambda xs: "on days " + ", ".join(str(x) for x in sorted(xs))
            ),
        )
    )
    text = f"{drug} {amount:g} {unit} {route[drug]} {schedule}"
    if schedule.startswith("on days"):
        text += draw(st.sampled_from(["", " then every 28 days", " then 5 mg every 2 weeks"]))
    elif schedule != "once" and draw(st.booleans()):
        text += f" for {draw(st.integers(1, 20))} doses then {amount / 2:g} {unit} weekly"
    if draw(st.booleans()):
        text += f", adherence {draw(st.integers(0, 100))}%"
    return text


@settings(max_examples=60, deadline=None)
@given(regimen_texts())
def test_generated_regimens_round_trip(text: str) -> None:
    regimen = parse_regimen(text)
    assert parse_regimen(regimen.text()) == regimen


# -- dose times and amounts --------------------------------------------------------------------


def test_belimumab_weight_based_loading_then_every_28_days() -> None:
    doses = times_and_mg(
        "belimumab 10 mg/kg IV on days 0, 14, 28 then every 28 days",
        120,
        PatientCovariates(weight_kg=60),
    )
    assert doses == [(0, 600), (14, 600), (28, 600), (56, 600), (84, 600), (112, 600)]


def test_infliximab_weeks_then_every_8_weeks() -> None:
    doses = times_and_mg("infliximab 5 mg/kg IV at weeks 0, 2, 6 then every 8 weeks", 200)
    assert [t for t, _ in doses] == [0, 14, 42, 98, 154]
    assert {a for _, a in doses} == {350}


def test_ocrelizumab_dose_change_after_loading() -> None:
    doses = times_and_mg("ocrelizumab 300 mg IV on days 0, 14 then 600 mg every 24 weeks", 400)
    assert doses == [(0, 300), (14, 300), (182, 600), (350, 600)]


def test_twice_daily_three_times_weekly_and_twice_weekly() -> None:
    assert len(times_and_mg("tofacitinib 5 mg twice daily", 7)) == 14
    assert [t for t, _ in times_and_mg("interferon beta-1a 44 ug SC three times weekly", 14)] == [
        0,
        2,
        4,
        7,
        9,
        11,
    ]
    assert [t for t, _ in times_and_mg("etanercept 25 mg SC twice weekly", 14)] == [0, 3.5, 7, 10.5]


def test_linear_taper_then_maintenance() -> None:
    doses = dict(times_and_mg("prednisone 30 mg daily tapering to 5 mg over 12 weeks", 100))
    assert doses[0] == 30
    assert doses[42] == pytest.approx(17.5)
    assert doses[84] == 5 and doses[99] == 5
    stepped = dict(
        times_and_mg("prednisone 30 mg daily tapering to 5 mg over 12 weeks in steps of 2.5 mg", 90)
    )
    assert all(round(a / 2.5, 9).is_integer() for a in stepped.values())
    to_zero = times_and_mg("prednisone 20 mg daily tapering to 0 mg over 10 days", 30)
    assert max(t for t, _ in to_zero) < 10


def test_weight_based_induction_tapers_to_a_fixed_dose() -> None:
    text = "prednisone 1 mg/kg daily for 4 weeks then tapering to 5 mg over 20 weeks"
    doses = dict(times_and_mg(text, 200, PatientCovariates(weight_kg=60)))
    assert doses[0] == 60 and doses[27] == 60
    assert doses[28] == 60 and doses[28 + 140] == 5


def test_bsa_iu_and_cap() -> None:
    patient = PatientCovariates(weight_kg=80, height_cm=180)  # Mosteller BSA 2.0 m2
    assert patient.body_surface_area_m2 == pytest.approx(2.0)
    rituximab = times_and_mg("rituximab 375 mg/m2 IV weekly for 4 doses", 60, patient)
    assert rituximab == [(0, 750), (7, 750), (14, 750), (21, 750)]
    teplizumab = times_and_mg(
        "teplizumab 65, 125, 250, 500 ug/m2 IV on days 0, 1, 2, 3 then 1030 ug/m2 daily "
        "for 10 doses",
        30,
        patient,
    )
    assert [t for t, _ in teplizumab] == list(range(14))
    assert teplizumab[0][1] == pytest.approx(0.130) and teplizumab[-1][1] == pytest.approx(2.06)
    il2 = times_and_mg("aldesleukin 1 MIU SC every other day for 5 doses", 20)
    assert [t for t, _ in il2] == [0, 2, 4, 6, 8]
    assert il2[0][1] == pytest.approx(1e6 / 1.64e7)
    capped = times_and_mg(
        "tocilizumab 8 mg/kg IV every 4 weeks, max 800 mg", 28, PatientCovariates(weight_kg=130)
    )
    assert capped == [(0, 800)]


def test_start_day_and_skipped_days() -> None:
    assert [
        t for t, _ in times_and_mg("adalimumab 40 mg SC every 14 days, starting day 7", 50)
    ] == [
        7,
        21,
        35,
        49,
    ]
    skipped = times_and_mg("methotrexate 15 mg weekly skipping days 14, 21", 35)
    assert [t for t, _ in skipped] == [0, 7, 28]
    both = times_and_mg("tofacitinib 5 mg twice daily, skipping day 1", 3)
    assert [t for t, _ in both] == [0, 0.5, 2, 2.5]


def test_horizon_excludes_doses_at_or_after_it() -> None:
    assert [t for t, _ in times_and_mg("adalimumab 40 mg SC every 14 days", 28)] == [0, 14]


# -- schedules ---------------------------------------------------------------------------------


def test_schedule_targets_depots_with_lag_and_prodrug_conversion() -> None:
    schedule = regimen_schedule(
        ["belimumab 200 mg SC weekly", "azathioprine 100 mg daily"], ADULT, horizon_days=8
    )
    belimumab = [c for c in schedule.changes if c.target == "belimumab_depot_sc"]
    assert [c.time for c in belimumab] == pytest.approx([0.179, 7.179])
    assert {c.value for c in belimumab} == {200}
    azathioprine = [c for c in schedule.changes if c.target == "azathioprine_depot_oral"]
    assert len(azathioprine) == 8 and azathioprine[0].value == pytest.approx(48.3)


def test_iv_infusion_is_zero_order_and_overlaps_add() -> None:
    schedule = regimen_schedule(["rituximab 1000 mg IV on days 0, 14"], ADULT, horizon_days=20)
    assert list(schedule.changes) == [
        StateChange(0.0, "rituximab_infusion_rate", "set", 6000.0),
        StateChange(4 / 24, "rituximab_infusion_rate", "set", 0.0),
        StateChange(14.0, "rituximab_infusion_rate", "set", 6000.0),
        StateChange(14 + 4 / 24, "rituximab_infusion_rate", "set", 0.0),
    ]
    overlap = regimen_schedule(
        ["ivig 1 g/kg IV over 48 h once", "ivig 0.4 g/kg IV over 24 h on days 1"], ADULT, 5
    )
    rates = [(round(c.time, 6), c.value) for c in overlap.changes]
    assert rates == [(0, 35000.0), (1, 35000.0 + 28000.0), (2, 0.0)]
    bolus = regimen_schedule(["rituximab 500 mg IV bolus once"], ADULT, 5)
    assert list(bolus.changes) == [StateChange(0.0, "rituximab_central", "add", 500.0)]


def test_averaged_doses_are_constant_inputs_over_their_gaps() -> None:
    schedule = regimen_schedule(
        ["methotrexate 7.5 mg weekly for 2 weeks then 15 mg weekly, averaged"], ADULT, 30
    )
    assert list(schedule.changes) == [
        StateChange(0.0, "methotrexate_oral_input_rate", "set", 7.5 / 7),
        StateChange(14.0, "methotrexate_oral_input_rate", "set", 15.0 / 7),
    ]
    methotrexate = DRUGS["methotrexate"]
    assert methotrexate.pk is not None
    with_iv = dataclasses.replace(
        methotrexate,
        pk=dataclasses.replace(methotrexate.pk, routes=(*methotrexate.pk.routes, Route("iv"))),
    )
    iv = regimen_schedule(
        ["methotrexate 14 mg IV every 3.5 days, averaged"],
        ADULT,
        10,
        library={"methotrexate": with_iv},
    )
    # Averaged IV doses go through the infusion rate, into the central compartment.
    assert list(iv.changes) == [StateChange(0.0, "methotrexate_infusion_rate", "set", 4.0)]


@settings(max_examples=30, deadline=None)
@given(adherence=st.integers(0, 100), seed=st.integers(0, 2**32 - 1))
def test_averaged_dosing_delivers_exactly_the_doses_taken(adherence: int, seed: int) -> None:
    text = f"methotrexate 15 mg weekly, adherence {adherence}%"
    horizon = 70.0
    taken = regimen_schedule([text], ADULT, horizon, np.random.default_rng(seed)).changes
    averaged = regimen_schedule(
        [text + ", averaged"], ADULT, horizon, np.random.default_rng(seed)
    ).changes
    # The same doses are missed; each taken dose is spread over its week.
    given_mg = sum(c.value for c in taken)
    times = [c.time for c in averaged] + [horizon]
    delivered = sum(c.value * (b - a) for c, a, b in zip(averaged, times, times[1:], strict=False))
    assert delivered == pytest.approx(given_mg)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prednisone 5 mg daily, averaged", "prednisone cannot be averaged every 1 days: its pla"),
        ("adalimumab 40 mg SC every 28 days, averaged", "swings by 80% of its mean"),
        ("mycophenolate 1000 mg twice daily, averaged", "at most 35% of the mean"),
        ("tocilizumab 8 mg/kg IV every 28 days, averaged", "nonlinear or time-varying PK"),
        ("interferon_beta_1a 44 ug SC three times weekly, averaged", "every 2.33 days: its pla"),
        ("methotrexate 15 mg every 28 days, averaged", "effect half-life .21 days. must be at"),
        ("cd19_car_t 1e6 cells/kg IV every 28 days, averaged", "cell therapy cannot be averaged"),
    ],
)
def test_averaging_is_refused_where_peaks_matter(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        regimen_schedule([text], ADULT, 60)
    assert "\n" not in str(info.value)


# -- errors: one clear line ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aspirin 100 mg daily", "unknown drug 'aspirin'.*choose one of"),
        ("adalimumab 40 mL SC every 14 days", "cannot read '40 ml sc every 14 days'"),
        ("adalimumab 40 mg SC every 2 months", "months are ambiguous"),
        ("adalimumab 40 mg SC monthly", "'monthly' is ambiguous"),
        ("adalimumab SC every 14 days", "has no dose"),
        ("adalimumab 40 mg SC", "no schedule"),
        ("adalimumab 40 mg SC weekly every 14 days", "two schedules"),
        ("adalimumab 40 mg IV weekly", "route IV is not declared for adalimumab.*allowed: SC"),
        ("adalimumab 40 mg SC weekly then 20 mg weekly", "phase 1 repeats without an end"),
        ("adalimumab 40 mg SC every 14 days, adherence 120%", "between 0% and 100%"),
        ("rituximab 1000, 500 mg IV on days 0, 14, 28", "2 doses for 3 days"),
        ("adalimumab 40 mg SC weekly for 2.5 doses", "whole number"),
        ("methotrexate 15 mg over 2 h weekly", "IV doses only"),
        ("", "a regimen needs text"),
        ("adalimumab", "has no dose"),
        ("methotrexate 15 mg on days 0, 7, averaged", "every phase needs a repeating schedule"),
    ],
)
def test_bad_regimens_raise_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        parse_regimen(text)
    assert "\n" not in str(info.value)


def test_cell_therapy_doses_are_cells_per_kg() -> None:
    regimen = parse_regimen("cd19_car_t 1e6 cells/kg IV once")
    schedule = regimen_schedule([regimen], ADULT, 30)
    (infusion,) = [c for c in schedule.changes if c.target == "cd19_car_t_effector"]
    assert infusion.time == 0.0 and infusion.op == "add"
    assert infusion.value == pytest.approx(1e6 * ADULT.weight_kg / 0.5e6)  # per uL lymphoid


def test_adherence_needs_the_patients_generator() -> None:
    with pytest.raises(SpecError, match="random generator"):
        regimen_schedule(["tofacitinib 5 mg twice daily, adherence 80%"], ADULT, 10)


# -- adherence -------------------------------------------------------------------------------


def _taken(text: str, seed: int, patient: int, days: float = 182) -> list[bool]:
    regimen = parse_regimen(text)
    rng = patient_rng(seed, patient, SCHEDULE_STREAM)
    return [e.taken for e in regimen.doses(DRUGS[regimen.drug], ADULT, days, rng)]


def test_same_seed_same_missed_doses() -> None:
    text = "methotrexate 15 mg weekly, adherence 70%"
    assert _taken(text, 7, 3) == _taken(text, 7, 3)
    assert _taken(text, 7, 3) != _taken(text, 7, 4)
    schedules = [
        regimen_schedule([text], ADULT, 182, patient_rng(7, 3, SCHEDULE_STREAM)) for _ in range(2)
    ]
    assert schedules[0] == schedules[1]


def test_fraction_taken_matches_adherence_over_many_patients() -> None:
    taken = np.array(
        [_taken("tofacitinib 5 mg twice daily, adherence 80%", 11, p, 28) for p in range(300)]
    )
    assert taken.shape == (300, 56)
    assert taken.mean() == pytest.approx(0.8, abs=0.02)  # 16,800 doses: SE 0.003


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(0, 1),
    high=st.floats(0, 1),
    seed=st.integers(0, 2**32 - 1),
    patient=st.integers(0, 10_000),
)
def test_higher_adherence_takes_a_superset_of_doses(
    low: float, high: float, seed: int, patient: int
) -> None:
    low, high = sorted((low, high))
    few = _taken(f"adalimumab 40 mg SC weekly, adherence {low:.6f}", seed, patient, 140)
    many = _taken(f"adalimumab 40 mg SC weekly, adherence {high:.6f}", seed, patient, 140)
    assert all(m for f, m in zip(few, many, strict=True) if f)
    if high == 1.0:
        assert all(many)
    if low == 0.0:
        assert not any(few)


def test_plasma_swing_allows_slow_drugs_without_an_effect_compartment() -> None:
    # Hydroxychloroquine (45-day half-life) daily and adalimumab every 14 days swing
    # less than the limit; averaged, each dose becomes a constant input over its gap.
    for text in ("hydroxychloroquine 400 mg daily", "adalimumab 40 mg SC every 14 days"):
        averaged = regimen_schedule([text + ", averaged"], ADULT, 60).changes
        assert averaged and all(c.op == "set" for c in averaged)
