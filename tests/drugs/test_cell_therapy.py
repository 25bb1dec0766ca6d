"""Cell therapies: CD19 CAR-T kinetics and effects in lupus, adoptive Tregs, dosing in cells.

Published reference points (Mackensen et al. Nat Med 2022;28:2124; Mueller et al. N Engl
J Med 2024;390:687): after fludarabine/cyclophosphamide and 1e6 CAR-T/kg, CAR-T expand
to a peak about day 9, B cells disappear within days and reappear after 110 +/- 32 days,
anti-dsDNA seroconverts, vaccine titres (long-lived plasma cells) stay, and CRS is mild.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from immunetwin._errors import SpecError
from immunetwin.diseases import SLE
from immunetwin.diseases.population import simulate_disease_patient
from immunetwin.drugs import DRUGS, PatientCovariates, parse_regimen, regimen_schedule
from immunetwin.drugs._cells import LYMPHOID_UL, conditioning_rate, lymphocyte_pools
from immunetwin.drugs.pd import unhooked_effects, with_drug_effects
from immunetwin.engine import Simulator
from immunetwin.immune import build_immune_model

CAR_T = "cd19_car_t 1e6 cells/kg IV once"
DOSE_PER_KG = 1e6
WEIGHT_KG = 70.0
OUTPUTS = (
    "cd19_car_t_concentration",
    "cd19_car_t_effector",
    "cd19_car_t_memory",
    "lab_b_cells",
    "lab_lymphocytes",
    "plasmablasts_self",
    "llpc_self",
    "igg_auto",
    "lab_il6",
)
B_CELL_RETURN_DAYS = (110.0, 32.0)  # mean, SD (Mackensen et al. 2022)


def _at(frame: pd.DataFrame | pd.Series, day: float):
    """The row (or value) at the output time nearest ``day`` (outputs are weekly)."""
    return frame.iloc[int(np.abs(frame.index.to_numpy() - day).argmin())]


@pytest.fixture(scope="module")
def car_t_course() -> pd.DataFrame:
    disease = dataclasses.replace(SLE, outputs=tuple(dict.fromkeys([*SLE.outputs, *OUTPUTS])))
    trajectory, _ = simulate_disease_patient(
        disease, seed=3, days=240.0, regimens=[CAR_T], visit_days=28.0, weight_kg=WEIGHT_KG
    )
    return trajectory


def test_car_t_expand_to_a_peak_then_contract_and_persist(car_t_course):
    cells = car_t_course["cd19_car_t_concentration"]
    infused = DOSE_PER_KG * WEIGHT_KG / LYMPHOID_UL
    after = cells.loc[0.0:]
    peak_day = float(after.idxmax())
    print(f"\nCAR-T: infused {infused:.0f}, peak {after.max():.0f} cells/uL on day {peak_day:g}")
    assert 5.0 <= peak_day <= 16.0  # published: about day 9
    assert after.max() > 10.0 * infused
    assert _at(cells, 60.0) < 0.2 * after.max()  # contraction
    day180 = _at(car_t_course, 180.0)
    assert day180["cd19_car_t_memory"] > day180["cd19_car_t_effector"] > 0.0  # persistence


def test_b_cells_vanish_within_days_and_return_as_published(car_t_course):
    b = car_t_course["lab_b_cells"]
    baseline = float(b.loc[:0.0].iloc[-1])
    assert b.loc[7.0:60.0].max() < 0.02 * baseline  # aplasia
    back = b.loc[14.0:][b.loc[14.0:] >= 0.01 * baseline]
    assert not back.empty, "B cells never returned"
    day = float(back.index[0])
    mean, sd = B_CELL_RETURN_DAYS
    print(f"\nB cells back above 1% of baseline on day {day:g} (published {mean:g} +/- {sd:g})")
    assert mean - 2 * sd <= day <= mean + 2 * sd


def test_conditioning_depletes_lymphocytes(car_t_course):
    lymphocytes = car_t_course["lab_lymphocytes"]
    baseline = float(lymphocytes.loc[:0.0].iloc[-1])
    assert lymphocytes.loc[3.0:7.0].min() < 0.2 * baseline
    assert lymphocytes.loc[200.0:].min() > 0.3 * baseline  # homeostatic recovery


def test_plasmablasts_and_anti_dsdna_fall_long_lived_plasma_cells_stay(car_t_course):
    before = car_t_course.loc[:0.0].iloc[-1]
    day56 = _at(car_t_course, 56.0)
    assert day56["plasmablasts_self"] < 0.05 * before["plasmablasts_self"]
    assert day56["igg_auto"] < 0.2 * before["igg_auto"]  # published: seroconversion
    assert day56["llpc_self"] > 0.9 * before["llpc_self"]  # CD19- cells spared


def test_cytokine_release_raises_il6_during_expansion(car_t_course):
    il6 = car_t_course["lab_il6"]
    before = float(il6.loc[:0.0].iloc[-1])
    assert il6.loc[1.0:14.0].max() > 1.5 * before


def test_without_antigen_car_t_do_not_expand():
    model = with_drug_effects(build_immune_model(name="healthy_car_t"), [CAR_T])
    simulator = Simulator(model)
    schedule = regimen_schedule([CAR_T], PatientCovariates(weight_kg=WEIGHT_KG), 60.0)
    times = np.arange(0.0, 61.0, 1.0)

    def peak(half_saturation: float) -> float:
        frame = simulator.simulate(
            until=60.0,
            outputs=["cd19_car_t_concentration"],
            output_times=times,
            parameters={"cd19_car_t_antigen_half_saturation": half_saturation},
            schedule=schedule,
        )
        return float(frame["cd19_car_t_concentration"].max())

    infused = DOSE_PER_KG * WEIGHT_KG / LYMPHOID_UL
    assert peak(1e12) < infused  # no antigen: from the infusion on, only contraction
    assert peak(500.0) > 10.0 * infused


def test_infused_tregs_join_the_treg_pool_then_return_to_set_point():
    regimen = "treg_cell_therapy 3e6 cells/kg IV once"
    model = with_drug_effects(build_immune_model(name="healthy_tregs"), [regimen])
    simulator = Simulator(model)
    schedule = regimen_schedule([regimen], PatientCovariates(weight_kg=WEIGHT_KG), 400.0)
    frame = simulator.simulate(
        until=400.0, outputs=["treg"], output_times=[0.0, 0.01, 365.0], schedule=schedule
    )
    before, after, year = (float(_at(frame["treg"], day)) for day in (0.0, 0.01, 365.0))
    # A jump of the infused cells per uL of lymphoid tissue (15 min of turnover later).
    assert after - before == pytest.approx(3e6 * WEIGHT_KG / LYMPHOID_UL, rel=1e-2)
    assert abs(year - before) < 0.1 * (after - before)


def test_cell_doses_are_in_cells_and_need_a_cell_therapy():
    with pytest.raises(SpecError, match="cell therapy"):
        regimen_schedule(["cd19_car_t 70 mg IV once"])
    with pytest.raises(SpecError, match="cell therapies"):
        regimen_schedule(["rituximab 1e6 cells IV once"])
    regimen = parse_regimen("cd19_car_t 7e7 cells IV once")
    schedule = regimen_schedule([regimen], PatientCovariates(weight_kg=50.0), 30.0)
    added = [c for c in schedule.changes if c.target == "cd19_car_t_effector"]
    assert len(added) == 1 and added[0].value == pytest.approx(7e7 / LYMPHOID_UL)
    switches = [c for c in schedule.changes if c.target == "cd19_car_t_conditioning_rate"]
    assert [(c.time, c.value) for c in switches] == [
        (0.0, pytest.approx(-np.log(0.1) / 3.0)),
        (3.0, 0.0),
    ]
    assert conditioning_rate(DRUGS["cd19_car_t"]) == pytest.approx(np.log(10.0) / 3.0)


def test_conditioning_spares_long_lived_plasma_cells_and_dendritic_cells():
    pools = lymphocyte_pools(build_immune_model(name="pools"))
    assert {"cd4_naive", "b_naive", "treg", "nk_blood", "plasmablasts_self"} <= set(pools)
    assert not [p for p in pools if p.startswith(("llpc_", "cdc_"))]
    assert "plasma_cells" not in pools and "neutrophils_blood" not in pools


def test_cell_therapies_are_simulated_not_only_described():
    cell_drugs = [DRUGS["cd19_car_t"], DRUGS["treg_cell_therapy"]]
    assert unhooked_effects(cell_drugs) == []
