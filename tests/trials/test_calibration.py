"""Calibration trials rerun at reduced size against their published results.

Tolerance: a simulated percentage passes when it lies within 2 binomial standard
errors of the published one (SE at the simulated arm size, about 9 points at 30
patients per arm: sampling error of a small rerun) plus 10 percentage points (the
model's structural error with one potency per drug; it is about the spread of
control-arm responses for one endpoint between published trials, e.g. placebo+MTX
ACR20 14.5% in ARMADA and 26% in OPTION). Published values the model misses by more
are marked ``xfail(strict=True)`` with the reason: they stay visible, and a fix that
makes them pass is noticed. At this size the test catches gross failures (a drug
without effect, a broken observation model), not 10-point errors:
docs/calibration.md holds the larger runs.

The trials run as the calibration runs them: virtual twins (every enrolled patient in
every arm, docs/trials.md) wherever the design allows. Each arm is checked against its
own published value, which needs no randomisation, and screening is paid once per
patient instead of once per arm: about half of an RA trial's cost (~9 candidates per
enrolled patient, as most candidates respond to the 180-day methotrexate lead-in and
fail entry). Until background methotrexate was averaged (each weekly dose a constant
input over its week, docs/regimens.md; 2026-12-07) ARMADA and OPTION ran at 15
enrolled for CI's time limit (30 took ~6.5 minutes); averaged, they run at 30 like the
other trials. TN-10 closes after a number of events and keeps its parallel design;
docs/calibration.md runs every trial as published (parallel).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin.trials import load_spec, run_trial
from immunetwin.trials.calibration import (
    CALIBRATION_FILE,
    CALIBRATION_TRIALS,
    SPECS,
    _best,
    _ec50s,
    calibrated_parameters,
    calibration_spec,
    misfit,
    write_calibration,
)

PATIENTS_PER_ARM = 30
SEED = 3
STRUCTURAL_POINTS = 10.0

# (trial, arm, endpoint) -> why the model misses it (see docs/calibration.md).
# Measured at this size and seed (one seed gives identical results on any worker count).
# None at present: at this size every published value is inside its tolerance. Until
# the tissue IL-6R hook (2026-12-01) tocilizumab 4 mg/kg DAS28 remission missed at 30
# enrolled (above 35% vs 13%: the low dose acted like the high one); after it, at 15
# enrolled, it read 6.7% (8 mg/kg 26.7% vs 27%); with tocilizumab recalibrated at 120
# twins (2026-12-07, x5.62) it read 20% here at 15 enrolled and 15.8% in the calibration
# (13% published); at 30 enrolled (averaged methotrexate) it reads 33.3%, inside its
# tolerance of 22 points but the closest RA row to its edge.
KNOWN_MISSES: dict[tuple[str, str, str], str] = {}
# Enrolled patients (each simulated in every arm: the arm size) where not
# PATIENTS_PER_ARM (none at present; the tolerance widens as the arm shrinks).
ENROLLED: dict[str, int] = {}
# Trials that keep the parallel design: patients in all arms together. TN-10 closes after
# a share of patients has an event; at 30 per arm its published hazard ratio (p = 0.006
# at 76 patients) is shown only about two times in three (seed 3: HR 0.62 [0.31, 1.27]).
# Type 1 diabetes simulates fast, so it runs at 300 patients (~160 events): the ratio
# test then has the power to see an effect of the published size.
PARALLEL_PATIENTS: dict[str, int] = {"tn10": 300}


@cache
def rerun(name: str):
    spec = calibration_spec(load_spec(SPECS / f"{name}.toml", {"seed": SEED}))
    if spec.randomisation.every_arm:
        patients = ENROLLED.get(name, PATIENTS_PER_ARM)
    else:
        patients = PARALLEL_PATIENTS.get(name, PATIENTS_PER_ARM * len(spec.arms))
    overrides = {"seed": SEED, "patients": patients}
    return run_trial(calibration_spec(load_spec(SPECS / f"{name}.toml", overrides)), workers=2)


def cases() -> list:
    params = []
    for name in sorted({t for trials in CALIBRATION_TRIALS.values() for t in trials}):
        spec = load_spec(SPECS / f"{name}.toml")
        kinds = {e.id: e.kind for e in spec.endpoints}
        for arm, values in spec.published.items():
            for endpoint, published in values.items():
                if kinds[endpoint] not in ("responder", "incidence"):
                    continue
                reason = KNOWN_MISSES.get((name, arm, endpoint))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                params.append(
                    pytest.param(
                        name, arm, endpoint, published, marks=marks, id=f"{name}-{arm}-{endpoint}"
                    )
                )
    return params


@pytest.mark.parametrize(("name", "arm", "endpoint", "published"), cases())
def test_calibration_trial_reproduces_the_published_result(name, arm, endpoint, published):
    result = rerun(name)
    estimate = result.endpoints[arm][endpoint]
    simulated, n = estimate["value"], estimate["n"]
    p = min(max(published / 100.0, 0.02), 0.98)
    se = 100.0 * math.sqrt(p * (1 - p) / n)
    tolerance = 2.0 * se + STRUCTURAL_POINTS
    print(f"\n{name} {arm} {endpoint}: simulated {simulated:.1f}% (n={n}), published {published}%")
    assert abs(simulated - published) <= tolerance, (
        f"simulated {simulated:.1f}% vs published {published}% (tolerance {tolerance:.1f})"
    )


# A simulated hazard ratio passes when the published one lies within 2 SE of it on the
# log scale (SE from the simulated Cox CI: sampling error of the small rerun) widened by
# a factor 1.5 either way (structural error, as the 10 points above: TN-10's own CI,
# 0.19-0.87, spans a factor 4.6). At 30 per arm that tolerance alone would pass a null
# effect, so the simulated CI must also exclude 1 on the published side: the published
# effects were significant (TN-10 p = 0.006).
STRUCTURAL_RATIO = 1.5


def ratio_cases() -> list:
    params = []
    for name in sorted({t for trials in CALIBRATION_TRIALS.values() for t in trials}):
        spec = load_spec(SPECS / f"{name}.toml")
        for arm, values in spec.published_comparisons.items():
            for endpoint, published in values.items():
                params.append(pytest.param(name, arm, endpoint, published, id=f"{name}-{arm}"))
    return params


@pytest.mark.parametrize(("name", "arm", "endpoint", "published"), ratio_cases())
def test_calibration_trial_reproduces_the_published_hazard_ratio(name, arm, endpoint, published):
    result = rerun(name)
    row = next(c for c in result.comparisons if c["arm"] == arm and c["endpoint"] == endpoint)
    simulated, low, high = row["hazard_ratio"], row["ci_low"], row["ci_high"]
    se = (math.log(high) - math.log(low)) / (2 * 1.96)
    tolerance = 2.0 * se + math.log(STRUCTURAL_RATIO)
    print(f"\n{name} {arm} {endpoint}: HR {simulated:.2f} [{low:.2f}, {high:.2f}] vs {published}")
    assert row["published"] == published
    assert (high < 1.0) if published < 1.0 else (low > 1.0), "no significant effect"
    assert abs(math.log(simulated) - math.log(published)) <= tolerance, (
        f"simulated HR {simulated:.2f} vs published {published} (log tolerance {tolerance:.2f})"
    )


def test_calibration_file_matches_the_declared_potencies():
    """The stored potencies are the declared EC50s times the chosen multiplier."""
    record = json.loads(CALIBRATION_FILE.read_text())
    assert set(record["drugs"]) <= set(CALIBRATION_TRIALS)
    for drug, entry in record["drugs"].items():
        spec = load_spec(SPECS / f"{CALIBRATION_TRIALS[drug][0]}.toml")
        declared = _ec50s(spec, drug)
        assert entry["declared"] == pytest.approx(declared), f"recalibrate {drug}"
        for name, value in entry["parameters"].items():
            assert value == pytest.approx(declared[name] * entry["multiplier"])
        tried = [e["multiplier"] for e in entry["evaluations"]]
        assert entry["multiplier"] in tried
        # Drugs calibrated before virtual twins (2026-12-01) record no design: parallel.
        assert entry.get("design", "parallel") in ("parallel", "every arm")
        best = min(e["misfit"] for e in entry["evaluations"])
        assert entry["misfit"] == pytest.approx(best)


def test_calibration_file_records_the_refined_search():
    """Each drug's record comes from the search as it is now: the grid first, then
    (where the misfit varies) the quarter-decade points either side of the best."""
    from immunetwin.trials.calibration import GRID, REFINE_STEP_DECADES, SEARCH_BOUND_DECADES

    record = json.loads(CALIBRATION_FILE.read_text())
    for drug, entry in record["drugs"].items():
        exponents = [math.log10(e["multiplier"]) for e in entry["evaluations"]]
        assert exponents[: len(GRID)] == pytest.approx([math.log10(g) for g in GRID]), drug
        if len({round(e["misfit"], 6) for e in entry["evaluations"]}) == 1:
            continue  # no signal: nothing refined (teplizumab)
        half_decades = [math.log10(e["multiplier"]) * 2 for e in entry["evaluations"]]
        grid_best = _best(
            [
                e
                for e, x in zip(entry["evaluations"], half_decades, strict=True)
                if abs(x - round(x)) < 1e-9
            ]
        )
        centre = math.log10(grid_best["multiplier"])
        for side in (-REFINE_STEP_DECADES, REFINE_STEP_DECADES):
            if abs(centre + side) <= SEARCH_BOUND_DECADES:
                assert any(abs(x - centre - side) < 1e-9 for x in exponents), (
                    f"{drug}: no evaluation at x{10 ** (centre + side):.3g}; recalibrate"
                )


def test_writing_a_drug_keeps_the_others_and_its_own_run_settings(tmp_path):
    """Recalibrating one drug merges it into the file; patients and seed stay per drug
    (a file-wide value would name only the latest run's)."""
    path = tmp_path / "calibration.json"
    first = {"seed": 7, "patients": 60, "grid": [1.0], "drugs": {"a": {"patients": 60, "seed": 7}}}
    second = {
        "seed": 9,
        "patients": 120,
        "grid": [1.0],
        "drugs": {"b": {"patients": 120, "seed": 9}},
    }
    write_calibration(first, path)
    write_calibration(second, path)
    merged = json.loads(path.read_text())
    assert merged["drugs"] == {"a": {"patients": 60, "seed": 7}, "b": {"patients": 120, "seed": 9}}
    assert "patients" not in merged and "seed" not in merged
    assert merged["grid"] == [1.0]
    stored = json.loads(CALIBRATION_FILE.read_text())
    assert "patients" not in stored and "seed" not in stored
    assert all({"patients", "seed"} <= set(entry) for entry in stored["drugs"].values())


def test_every_trial_gets_the_same_calibrated_potency():
    """One parameter set per drug: belimumab's potency is the same in BLISS-52 and BLISS-LN."""
    a = calibrated_parameters(load_spec(SPECS / "bliss52.toml"))
    b = calibrated_parameters(load_spec(SPECS / "bliss_ln.toml"))
    shared = set(a) & set(b)
    assert any(k.startswith("belimumab_") for k in shared)
    assert all(a[k] == b[k] for k in shared)


def test_misfit_is_zero_when_simulation_equals_publication():
    result = rerun("armada")
    arms = list(result.spec.published)

    def with_published(published):
        return replace(result, spec=result.spec.model_copy(update={"published": published}))

    equal = {
        arm: {e: result.endpoints[arm][e]["value"] for e in values}
        for arm, values in result.spec.published.items()
    }
    total, rows = misfit(with_published(equal), arms)
    assert rows and total == pytest.approx(0.0)
    # One published value 10 points above the simulation: z is that over the binomial SE.
    arm = arms[1]
    endpoint = next(iter(equal[arm]))
    simulated, n = result.endpoints[arm][endpoint]["value"], result.endpoints[arm][endpoint]["n"]
    off = {a: dict(v) for a, v in equal.items()}
    off[arm][endpoint] = simulated + 10.0
    p = min(max(off[arm][endpoint] / 100.0, 0.02), 0.98)
    se = 100.0 * math.sqrt(p * (1 - p) / n)
    total, _ = misfit(with_published(off), arms)
    assert total == pytest.approx((10.0 / se) ** 2)


def test_equal_misfits_keep_the_declared_potency():
    """A flat misfit (no signal) keeps multiplier 1; a lower misfit anywhere wins."""
    flat = [{"misfit": 5.0, "multiplier": m} for m in (0.1, 1.0, 10.0)]
    assert _best(flat)["multiplier"] == 1.0
    assert _best([*flat, {"misfit": 4.0, "multiplier": 10.0}])["multiplier"] == 10.0


def _parabola(vertex: float):
    """A misfit convex in log10(multiplier) with its minimum at 10**vertex."""
    tried: list[float] = []

    def evaluate(multiplier: float) -> tuple[float, list]:
        tried.append(multiplier)
        return (math.log10(multiplier) - vertex) ** 2, []

    return evaluate, tried


def test_search_goes_beyond_the_grid_while_the_best_is_at_its_edge():
    from immunetwin.trials.calibration import GRID, best_at_edge, search

    evaluate, tried = _parabola(2.1)  # optimum near x100, beyond the grid's x10
    evaluations = search(evaluate)
    assert tried[: len(GRID)] == list(GRID)
    # Beyond the edge in half decades, then a quarter decade either side of the best.
    assert [round(m, 6) for m in tried[len(GRID) :]] == [
        31.622777,
        100.0,
        316.227766,
        56.234133,
        177.827941,
    ]
    assert _best(evaluations)["multiplier"] == pytest.approx(100.0)
    assert not best_at_edge(evaluations)


def test_search_inside_the_grid_refines_around_the_best_only():
    from immunetwin.trials.calibration import GRID, search

    evaluate, tried = _parabola(-0.9)
    assert _best(search(evaluate))["multiplier"] == pytest.approx(0.1)
    assert tried[: len(GRID)] == list(GRID)
    assert tried[len(GRID) :] == pytest.approx([10**-1.25, 10**-0.75])

    evaluate, tried = _parabola(-0.8)  # nearer the quarter point than the grid point
    assert _best(search(evaluate))["multiplier"] == pytest.approx(10**-0.75)

    def flat(multiplier: float) -> tuple[float, list]:
        return 3.0, []  # no signal: no extension, no refinement, multiplier 1 kept

    assert [e["multiplier"] for e in search(flat)] == list(GRID)


def test_search_stops_at_its_bound_and_says_so():
    from immunetwin.trials.calibration import _multiplier_cell, best_at_edge, search

    evaluate, tried = _parabola(-5.0)  # the data want a potency 10^5 times stronger
    evaluations = search(evaluate)
    assert min(tried) == pytest.approx(1e-3)
    assert tried[-1] == pytest.approx(10**-2.75)  # refined inwards only: 10^-3.25 is out
    assert _best(evaluations)["multiplier"] == pytest.approx(1e-3)
    assert best_at_edge(evaluations)
    entry = {"multiplier": 1e-3, "evaluations": evaluations}
    assert _multiplier_cell(entry) == "0.001 [0.001-10, refined] at its edge"
    grid_only = [{"multiplier": m, "misfit": f} for m, f in ((0.1, 2.0), (1.0, 1.0), (10.0, 3.0))]
    unrefined = {"multiplier": 1.0, "evaluations": grid_only}
    assert _multiplier_cell(unrefined) == "1 [0.1-10]"


def test_plausible_range_is_the_run_within_the_95_percent_misfit_rise():
    from immunetwin.trials.calibration import _range_cell, plausible_range

    def entry(misfits: list[float]) -> dict:
        grid = [0.01, 0.1, 1.0, 10.0, 100.0]
        return {
            "evaluations": [
                {"multiplier": m, "misfit": f} for m, f in zip(grid, misfits, strict=True)
            ]
        }

    bounded = entry([30.0, 8.0, 5.0, 8.9, 40.0])  # 8.84 is the limit: 0.1 in, 10 out
    assert plausible_range(bounded["evaluations"]) == (0.1, 1.0, False, False)
    assert _range_cell(bounded) == "0.1-1"
    saturated = entry([22.8, 22.8, 21.9, 34.2, 115.0])  # adalimumab on ARMADA
    assert _range_cell(saturated) == "<= 1"
    assert _range_cell(entry([50.0, 3.0, 2.0, 2.5, 2.9])) == ">= 0.1"
    assert _range_cell(entry([0.4] * 5)) == "any tried (0.01-100)"
    # A second dip beyond a rise is not joined: the run is contiguous around the best.
    assert _range_cell(entry([1.0, 9.0, 0.5, 9.0, 1.0])) == "1-1"
    assert _range_cell({"evaluations": []}) == ""


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 200.0), min_size=2, max_size=9))
def test_plausible_range_holds_the_best_and_only_plausible_multipliers(misfits):
    from immunetwin.trials.calibration import PLAUSIBLE_MISFIT_RISE, plausible_range

    evaluations = [{"multiplier": 10.0**k, "misfit": f} for k, f in enumerate(misfits)]
    low, high, open_low, open_high = plausible_range(evaluations)
    best = _best(evaluations)
    assert low <= best["multiplier"] <= high
    inside = [e for e in evaluations if low <= e["multiplier"] <= high]
    assert all(e["misfit"] <= best["misfit"] + PLAUSIBLE_MISFIT_RISE for e in inside)
    assert open_low == (low == 1.0) and open_high == (high == 10.0 ** (len(misfits) - 1))


@settings(max_examples=40, deadline=None)
@given(st.floats(-2.9, 2.9))
def test_search_finds_the_quarter_decade_point_nearest_a_convex_optimum(vertex):
    from immunetwin.trials.calibration import REFINE_STEP_DECADES, search

    evaluate, _ = _parabola(vertex)
    best = math.log10(_best(search(evaluate))["multiplier"])
    assert abs(best - vertex) <= REFINE_STEP_DECADES / 2 + 1e-9


def test_report_interval_shows_a_missing_bound_as_na():
    from immunetwin.trials.calibration import _interval

    assert _interval(1.0, 2.5) == "[1, 2.5]"
    # A Kaplan-Meier median whose upper band never reaches 0.5 has no upper limit.
    assert _interval(30.3, None) == "[30.3, NA]"
    assert _interval(None, None) == ""


def test_a_missing_upper_bound_is_open_when_judging_a_hit():
    from immunetwin.trials.calibration import _inside

    assert _inside(48.4, 40.0, None) and not _inside(38.0, 40.0, None)
    assert _inside(2.0, 1.0, 3.0) and not _inside(4.0, 1.0, 3.0)
    assert not _inside(2.0, None, None)  # no interval at all


def test_report_compares_published_hazard_ratios_and_refuses_degenerate_ones(monkeypatch):
    import immunetwin.trials.calibration as calibration

    def hr_row(report: str) -> list[str]:
        row = next(line for line in report.splitlines() if "teplizumab vs placebo" in line)
        return [cell.strip() for cell in row.strip("|").split("|")]

    report = calibration.calibration_report(patients=40, seed=3, workers=1, names=["tn10"])
    cells = hr_row(report)
    assert cells[2] == "time_to_t1d (hazard ratio)" and cells[3] == "0.41"
    assert cells[4].split()[0] != "NA" and "events)" in cells[5]
    # Too few events for a Cox fit: no estimate, counted as a miss.
    monkeypatch.setattr(calibration, "MIN_EVENTS_FOR_HAZARD_RATIO", 10_000)
    report = calibration.calibration_report(patients=40, seed=3, workers=1, names=["tn10"])
    cells = hr_row(report)
    assert cells[4] == "NA" and cells[6] == "**miss**"
    assert "of 5 published values inside" in report


def test_calibration_runs_trials_as_virtual_twins_where_the_design_allows():
    from immunetwin._errors import SpecError
    from immunetwin.trials.calibration import PARALLEL, calibration_spec

    affirm = load_spec(SPECS / "affirm.toml")
    assert {a.ratio for a in affirm.arms} != {1}  # 2:1 as published
    twins = calibration_spec(affirm)
    assert twins.randomisation.every_arm and {a.ratio for a in twins.arms} == {1}
    assert [a.name for a in twins.arms] == [a.name for a in affirm.arms]
    assert twins.endpoints == affirm.endpoints and twins.published == affirm.published
    # An event-driven close counts events across arms: TN-10 keeps its design.
    tn10 = load_spec(SPECS / "tn10.toml")
    assert calibration_spec(tn10) is tn10
    assert calibration_spec(affirm, PARALLEL) is affirm
    with pytest.raises(SpecError, match="calibration design 'crossover' is unknown"):
        calibration_spec(affirm, "crossover")


def test_calibration_report_holds_the_current_calibrated_parameters():
    # docs/calibration.md's parameter table is regenerated from calibration.json by
    # `calibrate --report` (or parameters_section alone): it must not go stale.
    from pathlib import Path

    from immunetwin.trials.calibration import _load_file, parameters_section

    report = Path(__file__).resolve().parents[2] / "docs" / "calibration.md"
    assert "\n".join(parameters_section(_load_file())) in report.read_text()
