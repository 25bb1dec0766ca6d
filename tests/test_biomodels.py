"""Published immune models (BioModels) run through the engine reproduce their published figures.

The figures are those stated in ``../shared/reference/biomodels/README.md``; the files
are copied in ``tests/data/biomodels/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from immunetwin import Schedule, Simulator, StateChange

DATA = Path(__file__).parent / "data" / "biomodels"


def simulator(number: int) -> Simulator:
    return Simulator(DATA / f"BIOMD{number:010d}.xml")


# -- Baker 2013: cytokine-mediated inflammation in rheumatoid arthritis ------------------

# Both state variables are boundary species driven by rate rules (a COPASI export).
BAKER_P, BAKER_A, BAKER_DRIVE = "species_2", "species_1", "parameter_2"


def baker_steady_state(sim: Simulator, alpha2: float, start_inflamed: bool) -> float:
    schedule = None
    if start_inflamed:
        schedule = Schedule(
            (StateChange(0.0, BAKER_P, "set", 1.0), StateChange(0.0, BAKER_A, "set", 0.5))
        )
    frame = sim.simulate(
        1500.0,
        outputs=[BAKER_P],
        output_times=[0.0, 1400.0, 1500.0],
        parameters={BAKER_DRIVE: alpha2},
        schedule=schedule,
    )
    p = frame[BAKER_P]
    assert p[1400.0] == pytest.approx(p[1500.0], rel=1e-3)  # settled
    return float(p[1500.0])


def test_baker_2013_is_bistable_in_the_drive() -> None:
    sim = simulator(550)
    for alpha2 in (2.0, 5.0, 8.0):  # only the healthy state
        assert baker_steady_state(sim, alpha2, start_inflamed=False) < 0.03
        assert baker_steady_state(sim, alpha2, start_inflamed=True) < 0.03
    for alpha2 in (10.0, 12.0, 15.0, 15.5):  # healthy and disease states coexist
        healthy = baker_steady_state(sim, alpha2, start_inflamed=False)
        disease = baker_steady_state(sim, alpha2, start_inflamed=True)
        assert 0.015 < healthy < 0.04
        assert 0.35 < disease < 0.65
    for alpha2 in (16.0, 20.0):  # only the disease state
        assert baker_steady_state(sim, alpha2, start_inflamed=False) > 0.6
        assert baker_steady_state(sim, alpha2, start_inflamed=True) > 0.6


def test_baker_2013_age_dependent_drive_switches_to_disease() -> None:
    sim = simulator(549)
    p = sim.simulate(60.0, outputs=[BAKER_P], output_times=np.arange(0.0, 61.0, 1.0))[BAKER_P]
    assert p[14.0] == pytest.approx(0.07, abs=0.005)
    assert p[15.0] == pytest.approx(1.33, abs=0.02)  # the abrupt switch, overshooting
    assert p[60.0] == pytest.approx(0.56, abs=0.01)  # settles in the disease state
    assert p.idxmax() in (15.0, 16.0)


# -- Alexander & Wahl 2010: Treg control of self-reactive T cells ------------------------


def test_alexander_wahl_2010_threshold() -> None:
    sim = simulator(289)
    times = np.arange(0.0, 401.0, 1.0)
    for r0 in (0.5, 0.8):  # below one: a transient response, then back to tolerance
        v = 5 * r0 / (1600 - r0)
        frame = sim.simulate(400.0, output_times=times, parameters={"v": v})
        assert frame["R0"].iloc[0] == pytest.approx(r0)  # R0 = 1600 v / (5 + v)
        effectors = frame["E"]
        assert effectors.max() > 1e3
        assert effectors.iloc[-1] < 1e-3 * effectors.max()
    for r0 in (1.1, 1.5, 3.0):  # above ~1.1: chronic autoimmunity
        v = 5 * r0 / (1600 - r0)
        frame = sim.simulate(400.0, output_times=times, parameters={"v": v})
        effectors = frame["E"]
        assert effectors.iloc[-1] > 2e4
        assert effectors[300.0] == pytest.approx(effectors.iloc[-1], rel=0.05)  # persists


# -- Hancioglu 2007: human immune response to influenza A --------------------------------


def test_hancioglu_2007_influenza_time_course() -> None:
    sim = simulator(711)
    frame = sim.simulate(30.0, points_per_day=100)
    virus = frame["Viral_Load__V"]
    assert virus.idxmax() == pytest.approx(5.7, abs=0.1)
    after_peak = virus[virus.index > virus.idxmax()]
    cleared = after_peak[after_peak < 1e-3 * virus.max()].index[0]
    assert cleared == pytest.approx(7.5, abs=0.2)
    assert frame["Plasma_cells__P"].idxmax() == pytest.approx(9.7, abs=0.1)
    assert frame["Effector_cells__E"].idxmax() == pytest.approx(10.7, abs=0.1)
    assert frame["Antibodies__A"].idxmax() == pytest.approx(15.3, abs=0.1)


# -- Dwivedi 2014: IL-6 and CRP, healthy and Crohn's disease, anti-IL-6(R) ---------------

CRP = "mw114aa90f_5f5b_4fe8_9406_361c8489b6a1"  # serum CRP, nM; time in hours
WEEK_H = 168.0


@pytest.mark.parametrize(
    ("number", "dose_parameters", "baseline_nM"),
    [
        (534, ["ModelValue_48"], 40.0),  # healthy volunteer
        (535, ["ModelValue_48"], 221.0),  # Crohn's disease
        (537, ["ModelValue_98", "ModelValue_99"], 221.0),  # Crohn's disease
    ],
)
def test_dwivedi_2014_crp_baseline_is_a_steady_state(
    number: int, dose_parameters: list[str], baseline_nM: float
) -> None:
    sim = simulator(number)
    no_dose = Schedule(tuple(StateChange(0.0, p, "set", 0.0) for p in dose_parameters))
    crp = sim.simulate(
        12 * WEEK_H, outputs=[CRP], output_times=np.arange(0.0, 12 * WEEK_H, 24.0), schedule=no_dose
    )[CRP]
    assert crp.iloc[0] == pytest.approx(baseline_nM, rel=0.01)
    np.testing.assert_allclose(crp.to_numpy(), crp.iloc[0], rtol=1e-6)


def test_dwivedi_2014_anti_il6r_lowers_crp() -> None:
    sim = simulator(537)  # anti-IL-6R at weeks 0, 4 and 8
    crp = sim.simulate(9 * WEEK_H, outputs=[CRP], output_times=np.arange(0.0, 9 * WEEK_H, 24.0))[
        CRP
    ]
    baseline = crp.iloc[0]
    assert crp[2 * WEEK_H] / baseline == pytest.approx(0.41, abs=0.02)
    assert crp[8 * WEEK_H] / baseline == pytest.approx(0.06, abs=0.01)


@pytest.mark.xfail(
    strict=True,
    reason="engine: a parameter set per patient does not re-evaluate SBML initial assignments "
    "of other parameters that read it (ModelValue_48 = parameter_1, the dose); libRoadRunner's "
    "full reset would recompile the model per patient",
)
def test_dwivedi_2014_dose_parameter_reaches_initial_assignments() -> None:
    """The dose reaches the events through an initial assignment: ModelValue_48 = parameter_1."""
    sim = simulator(534)
    crp = sim.simulate(
        4 * WEEK_H,
        outputs=[CRP],
        output_times=np.arange(0.0, 4 * WEEK_H, 24.0),
        parameters={"parameter_1": 0.0},  # the dose, in mg
    )[CRP]
    np.testing.assert_allclose(crp.to_numpy(), crp.iloc[0], rtol=1e-6)


# -- Topp 2000: beta-cell mass, insulin and glucose --------------------------------------


def test_topp_2000_fixed_points() -> None:
    sim = simulator(341)

    def settle(glucose: float, insulin: float, beta_mass: float) -> dict[str, float]:
        start = Schedule(
            (
                StateChange(0.0, "G", "set", glucose),
                StateChange(0.0, "I", "set", insulin),
                StateChange(0.0, "B", "set", beta_mass),
            )
        )
        frame = sim.simulate(2000.0, outputs=["G", "I", "B"], schedule=start, points_per_day=0.1)
        return frame.iloc[-1].to_dict()

    physiological = settle(100.0, 10.0, 300.0)  # mg/dL, uU/mL, mg
    assert physiological == pytest.approx({"G": 100.0, "I": 10.0, "B": 300.0}, rel=1e-3)
    assert settle(250.0, 2.8, 37.0)["G"] == pytest.approx(100.0, rel=1e-3)
    pathological = settle(600.0, 2.8, 37.0)
    assert pathological["G"] == pytest.approx(600.0, rel=1e-2)
    assert pathological["B"] < 1e-3
