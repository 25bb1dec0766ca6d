"""Calibration of drug potency to published trials, and the published-versus-simulated report.

What is calibrated: for each drug, one number, a multiplier on the EC50s of all its
effects (``<drug>_<hook>_ec50``). Emax, Hill coefficients, PK, the disease and the
immune model stay as sourced. The same calibrated values are used in every trial
(:func:`calibrated_parameters` is applied by :func:`immunetwin.trials.run_trial`),
so a drug has one parameter set for all trials.

How: each drug's calibration trials (:data:`CALIBRATION_TRIALS`) run at reduced
size with a fixed seed. Candidates are screened once: only the arms' drugs change
between evaluations, so the screening is reused. The multiplier is chosen on a
log grid (:data:`GRID`) to minimise the sum over the trial's arms given the drug,
and their published endpoints, of ((simulated - published) / SE)^2. SE is the
binomial standard error of the published proportion at the simulated arm size.
By default each calibration trial runs as virtual twins
(``randomisation.every_arm``): every enrolled patient in every arm, so each arm's
estimate uses all patients and the arms differ only by treatment. A dose response
is then not blurred by which patients happened to land in which arm (with 20-30
patients per arm that sampling noise was as large as the effects being fitted).
Trials that close after a number of events keep their parallel design. The search
is reproducible from its seed. ``immunetwin calibrate`` runs it and
writes :data:`CALIBRATION_FILE`; ``immunetwin calibrate --report docs/calibration.md``
reruns every trial under ``examples/trials`` and writes the table, misses included.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from immunetwin._errors import SpecError
from immunetwin._io import atomic_write_text
from immunetwin.trials.run import TrialResult, run_trial, trial_model
from immunetwin.trials.spec import TrialSpec, load_spec, parse_spec

__all__ = [
    "CALIBRATION_FILE",
    "CALIBRATION_TRIALS",
    "calibrate",
    "calibrated_parameters",
    "calibration_report",
    "calibration_spec",
    "check_report_settings",
    "merge_report",
    "misfit",
]

SPECS = Path(__file__).parent / "specs"
CALIBRATION_FILE = Path(__file__).parent / "calibration.json"
# Drug -> trials whose arms give it (BLISS-LN, a second belimumab trial, is held out).
CALIBRATION_TRIALS: dict[str, tuple[str, ...]] = {
    "adalimumab": ("armada",),
    "tocilizumab": ("option",),
    "methotrexate": ("strand1999",),
    "belimumab": ("bliss52",),
    "natalizumab": ("affirm",),
    "teplizumab": ("tn10",),
}
# The measure a comparison reports (analysis._compare), in the order it is looked for.
COMPARISON_MEASURES = ("hazard_ratio", "rate_ratio", "difference")
# Fewer events than this in both arms together: the report gives no hazard ratio.
MIN_EVENTS_FOR_HAZARD_RATIO = 10
# The search starts on this log grid of EC50 multipliers (half-decade steps).
GRID_STEP_DECADES = 0.5
GRID = tuple(10.0**x for x in (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0))
# While the best multiplier is at an edge of what was tried and strictly better than
# its neighbour, the search goes on a step beyond it, but never past 10^+-3: a potency
# a thousand times off the declared one says the model, not the drug, is wrong.
SEARCH_BOUND_DECADES = 3.0
# Then the quarter-decade points either side of the best are tried: a half-decade grid
# leaves the EC50 up to a factor 1.8 from the best multiplier it could have found (with
# natalizumab the relapse rate moved from 0.12 to 0.18 to 0.29 between grid points).
REFINE_STEP_DECADES = 0.25
# Calibration fits each drug on the patients of this seed; the report draws its patients
# from another, so what it shows is not the sample the potencies were fitted to.
CALIBRATION_SEED = 7
REPORT_SEED = 11
# How calibration trials are run: every patient in every arm, or as published.
EVERY_ARM, PARALLEL = "every arm", "parallel"
# The published-versus-simulated table's header (a report file holds it once).
REPORT_TABLE_HEADER = "| trial | arm | endpoint | published | simulated [95% CI] | n | hit |"
DESIGNS = (EVERY_ARM, PARALLEL)
# A calibration run's settings that each drug's entry records for itself.
RUN_SETTINGS = ("patients", "seed")


def _load_file(path: Path = CALIBRATION_FILE) -> dict[str, Any]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def calibrated_parameters(spec: TrialSpec) -> dict[str, float]:
    """Calibrated potency parameters of the trial's drugs (empty before calibration)."""
    model = trial_model(spec)
    values: dict[str, float] = {}
    for entry in _load_file().get("drugs", {}).values():
        for name, value in entry["parameters"].items():
            if model.kind_of(name) == "parameter":
                values[name] = float(value)
    return values


def _ec50s(spec: TrialSpec, drug: str) -> dict[str, float]:
    model = trial_model(spec)
    return {
        p.name: float(p.value)
        for p in model.parameters
        if p.name.startswith(f"{drug}_") and p.name.endswith("_ec50")
    }


def _arms_with(spec: TrialSpec, drug: str) -> list[str]:
    return [a.name for a in spec.arms if any(r.lower().startswith(drug) for r in a.regimens)]


def misfit(result: TrialResult, arms: Sequence[str]) -> tuple[float, list[dict[str, Any]]]:
    """Sum of squared standardised differences, simulated vs published, over ``arms``.

    Responder and incidence endpoints (percentages) enter with the binomial standard
    error of the published percentage at the simulated arm size, rates with the
    Poisson standard error of the published rate over the simulated exposure.
    """
    spec = result.spec
    kinds = {e.id: e.kind for e in spec.endpoints}
    total, rows = 0.0, []
    for arm in arms:
        for endpoint, published in spec.published.get(arm, {}).items():
            kind = kinds.get(endpoint)
            if kind not in ("responder", "incidence", "rate"):
                continue
            estimate = result.endpoints[arm][endpoint]
            simulated, n = estimate.get("value"), estimate.get("n") or 0
            if simulated is None or n == 0:
                continue
            if kind == "rate":
                # Poisson SE of the published rate over the simulated exposure.
                per = next(e.per for e in spec.endpoints if e.id == endpoint)
                years = float(estimate.get("patient_years") or 0.0)
                if years <= 0:
                    continue
                se = per * math.sqrt(max(published / per, 1e-6) / years)
            else:
                p = min(max(published / 100.0, 0.02), 0.98)
                se = 100.0 * math.sqrt(p * (1 - p) / n)
            z = (simulated - published) / se
            total += z * z
            rows.append(
                {
                    "arm": arm,
                    "endpoint": endpoint,
                    "published": published,
                    "simulated": simulated,
                    "z": z,
                }
            )
    return total, rows


def calibration_spec(spec: TrialSpec, design: str = EVERY_ARM) -> TrialSpec:
    """The trial as calibration runs it: virtual twins where the design allows.

    Twins ignore ratios and strata (every patient is in every arm), so they are reset;
    a trial that closes after a number of events keeps its parallel design.

    Raises:
        SpecError: For a design not in :data:`DESIGNS`.
    """
    if design not in DESIGNS:
        raise SpecError(f"calibration design {design!r} is unknown: choose from {DESIGNS}")
    if design == PARALLEL or spec.enrolment.close_after_events is not None:
        return spec
    data = spec.model_dump()
    data["randomisation"] = {**data["randomisation"], "every_arm": True, "stratify": []}
    data["arms"] = [{**arm, "ratio": 1} for arm in data["arms"]]
    return parse_spec(data)


def calibrate(
    drugs: Sequence[str] | None = None,
    patients: int = 120,
    seed: int = CALIBRATION_SEED,
    workers: int | None = None,
    log: Callable[[str], None] = print,
    design: str = EVERY_ARM,
) -> dict[str, Any]:
    """Choose each drug's EC50 multiplier on :data:`GRID`; returns the calibration record.

    Args:
        drugs: Drugs to calibrate (default all of :data:`CALIBRATION_TRIALS`).
        patients: Patients per calibration trial (enrolled; with twins, in every arm).
        seed: Trial seed used for every evaluation (common random numbers).
        workers: Worker processes.
        log: Where progress lines go.
        design: :data:`EVERY_ARM` (virtual twins where the trial allows) or
            :data:`PARALLEL` (randomised, as published).
    """
    chosen = list(drugs or CALIBRATION_TRIALS)
    unknown = [d for d in chosen if d not in CALIBRATION_TRIALS]
    if unknown:
        raise SpecError(
            f"no calibration trials for {unknown[0]!r}: choose from {', '.join(CALIBRATION_TRIALS)}"
        )
    record: dict[str, Any] = {"seed": seed, "patients": patients, "grid": list(GRID), "drugs": {}}
    for drug in chosen:
        specs = [
            calibration_spec(
                load_spec(SPECS / f"{name}.toml", {"patients": patients, "seed": seed}), design
            )
            for name in CALIBRATION_TRIALS[drug]
        ]
        defaults = {k: v for s in specs for k, v in _ec50s(s, drug).items()}
        if not defaults:
            raise SpecError(f"{drug} has no potency (EC50) parameter to calibrate")

        def evaluate(multiplier: float, drug: str = drug, specs: list[TrialSpec] = specs):
            start = time.perf_counter()
            total, rows = 0.0, []
            for spec in specs:
                values = {k: v * multiplier for k, v in _ec50s(spec, drug).items()}
                # Other drugs keep their calibrated values (background MTX, say).
                others = {k: v for k, v in calibrated_parameters(spec).items() if k not in values}
                result = run_trial(spec, workers=workers, parameters={**others, **values})
                part, part_rows = misfit(result, _arms_with(spec, drug))
                total += part
                rows += [{**r, "trial": spec.name} for r in part_rows]
            log(
                f"{drug}: EC50 x {multiplier:.3g}: misfit {total:.2f} "
                f"({time.perf_counter() - start:.0f} s)"
            )
            for row in rows:
                log(
                    f"  {row['trial']} {row['arm']} {row['endpoint']}: simulated "
                    f"{row['simulated']:.3g} vs published {row['published']:.3g} "
                    f"(z {row['z']:+.2f})"
                )
            return total, rows

        evaluations = search(evaluate)
        best = _best(evaluations)
        record["drugs"][drug] = {
            "trials": [s.name for s in specs],
            "design": EVERY_ARM if all(s.randomisation.every_arm for s in specs) else PARALLEL,
            "patients": patients,
            "seed": seed,
            "multiplier": best["multiplier"],
            "misfit": best["misfit"],
            "best_at_edge": best_at_edge(evaluations),
            "parameters": {k: v * best["multiplier"] for k, v in defaults.items()},
            "declared": defaults,
            "evaluations": [
                {"multiplier": e["multiplier"], "misfit": e["misfit"]} for e in evaluations
            ],
            "fit": best["rows"],
        }
        log(
            f"{drug}: chose EC50 x {best['multiplier']:.3g} (misfit {best['misfit']:.2f}; "
            f"plausible {_range_cell(record['drugs'][drug])})"
        )
    return record


def _exponent(multiplier: float) -> float:
    """The multiplier's power of ten, on the half-decade lattice (no float drift)."""
    return round(math.log10(multiplier) / GRID_STEP_DECADES) * GRID_STEP_DECADES


def _edge(evaluations: Sequence[Mapping[str, Any]]) -> int:
    """Where the optimum may lie beyond what was tried: +1 above, -1 below, 0 inside.

    +1 (-1) when the best multiplier is the largest (smallest) tried and strictly
    better than its neighbour.
    """
    ordered = sorted(evaluations, key=lambda e: float(e["multiplier"]))
    best = _best(ordered)
    if len(ordered) < 2:
        return 0
    if best is ordered[-1] and float(best["misfit"]) < float(ordered[-2]["misfit"]):
        return 1
    if best is ordered[0] and float(best["misfit"]) < float(ordered[1]["misfit"]):
        return -1
    return 0


def search(
    evaluate: Callable[[float], tuple[float, list[dict[str, Any]]]],
    grid: Sequence[float] = GRID,
    bound_decades: float = SEARCH_BOUND_DECADES,
) -> list[dict[str, Any]]:
    """Evaluate the misfit on ``grid``, step beyond an edge while the best sits there, refine.

    The refinement tries the points :data:`REFINE_STEP_DECADES` either side of the best
    (within the bound), unless every misfit is equal (no signal: the declared potency
    is kept and nothing is gained by trying more).

    Args:
        evaluate: Multiplier -> (misfit, per-row fit).
        grid: The multipliers tried first.
        bound_decades: No multiplier beyond 10^+-bound_decades is tried.

    Returns:
        Every evaluation (``multiplier``, ``misfit``, ``rows``), in the order tried.
    """
    evaluations: list[dict[str, Any]] = []
    for multiplier in grid:
        total, rows = evaluate(multiplier)
        evaluations.append({"multiplier": multiplier, "misfit": total, "rows": rows})
    while direction := _edge(evaluations):
        edge = (max if direction > 0 else min)(float(e["multiplier"]) for e in evaluations)
        exponent = _exponent(edge) + direction * GRID_STEP_DECADES
        if abs(exponent) > bound_decades + 1e-9:
            break
        multiplier = 10.0**exponent
        total, rows = evaluate(multiplier)
        evaluations.append({"multiplier": multiplier, "misfit": total, "rows": rows})
    if len({round(float(e["misfit"]), 6) for e in evaluations}) > 1:
        centre = _exponent(float(_best(evaluations)["multiplier"]))
        for exponent in (centre - REFINE_STEP_DECADES, centre + REFINE_STEP_DECADES):
            if abs(exponent) > bound_decades + 1e-9:
                continue
            multiplier = 10.0**exponent
            total, rows = evaluate(multiplier)
            evaluations.append({"multiplier": multiplier, "misfit": total, "rows": rows})
    return evaluations


def best_at_edge(evaluations: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the best multiplier is at an edge of those tried and better than inside it.

    After :func:`search` that edge is its bound; the optimum may lie beyond it, and the
    chosen potency is then a limit, not a fit.
    """
    return _edge(evaluations) != 0


# The misfit is a sum of squared z (about -2 log-likelihood up to a constant), so the
# multipliers whose misfit lies within the chi-square(1) 95% point of the best form an
# approximate profile-likelihood 95% interval. Approximate and narrow: each z counts
# the simulated arm's sampling error only, not the published trial's own.
PLAUSIBLE_MISFIT_RISE = 3.84


def plausible_range(
    evaluations: Sequence[Mapping[str, Any]],
) -> tuple[float, float, bool, bool]:
    """The multipliers the data do not tell from the best: within the 95% misfit rise.

    Returns the lowest and highest tried multiplier of the contiguous run (in
    multiplier order) around the best whose misfit is at most the best's plus
    :data:`PLAUSIBLE_MISFIT_RISE`, and whether each end is the end of the range tried
    (then the interval is open there: the data set no bound on that side).
    """
    ordered = sorted(evaluations, key=lambda e: float(e["multiplier"]))
    best = _best(evaluations)
    limit = float(best["misfit"]) + PLAUSIBLE_MISFIT_RISE
    low = high = ordered.index(best)
    while low > 0 and float(ordered[low - 1]["misfit"]) <= limit:
        low -= 1
    while high < len(ordered) - 1 and float(ordered[high + 1]["misfit"]) <= limit:
        high += 1
    return (
        float(ordered[low]["multiplier"]),
        float(ordered[high]["multiplier"]),
        low == 0,
        high == len(ordered) - 1,
    )


def _range_cell(entry: Mapping[str, Any]) -> str:
    """The plausible range of the multiplier, with its open ends (:func:`plausible_range`)."""
    evaluations = entry.get("evaluations", ())
    if not evaluations:
        return ""
    low, high, open_low, open_high = plausible_range(evaluations)
    if open_low and open_high:
        return f"any tried ({low:.3g}-{high:.3g})"
    if open_low:
        return f"<= {high:.3g}"
    if open_high:
        return f">= {low:.3g}"
    return f"{low:.3g}-{high:.3g}"


def _multiplier_cell(entry: Mapping[str, Any]) -> str:
    """The chosen multiplier, the range tried and whether it sits at the search's end."""
    tried = [float(e["multiplier"]) for e in entry.get("evaluations", ())]
    cell = f"{entry['multiplier']:.3g}"
    if tried:
        off_lattice = any(abs(10.0 ** _exponent(m) / m - 1.0) > 1e-9 for m in tried)
        cell += f" [{min(tried):.3g}-{max(tried):.3g}{', refined' if off_lattice else ''}]"
        if best_at_edge(entry["evaluations"]):
            cell += " at its edge"
    return cell


def _best(evaluations: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The evaluation with the lowest misfit.

    Among equal misfits (a saturated or absent effect) the multiplier closest to 1
    wins: the declared potency is kept unless the data move it.
    """
    return min(
        evaluations,
        key=lambda e: (round(float(e["misfit"]), 6), abs(math.log(float(e["multiplier"])))),
    )


def write_calibration(record: Mapping[str, Any], path: Path = CALIBRATION_FILE) -> Path:
    """Merge ``record`` into the calibration file (drugs not recalibrated are kept).

    Patients and seed are kept per drug only: drugs are recalibrated one at a time at
    their own sizes, so a file-wide value would name only the latest run's.
    """
    current = _load_file(path)
    drugs = {**current.get("drugs", {}), **record["drugs"]}
    per_drug = ("drugs", *RUN_SETTINGS)
    merged = {
        **{k: v for k, v in current.items() if k not in per_drug},
        **{k: v for k, v in record.items() if k not in per_drug},
        "drugs": drugs,
    }
    return atomic_write_text(path, json.dumps(merged, indent=2, sort_keys=True) + "\n")


def _inside(value: float, low: float | None, high: float | None) -> bool:
    """Whether ``value`` lies in the CI; a missing bound (beyond follow-up) is open."""
    if low is None and high is None:
        return False
    return (low is None or low <= value) and (high is None or value <= high)


def _interval(low: float | None, high: float | None) -> str:
    """``[low, high]``, with NA for a missing bound.

    A Kaplan-Meier median has no upper limit when the upper band never falls to 0.5.
    """
    if low is None and high is None:
        return ""
    text = [f"{x:.3g}" if x is not None else "NA" for x in (low, high)]
    return f"[{text[0]}, {text[1]}]"


def parameters_section(record: Mapping[str, Any]) -> list[str]:
    """The report's "Calibrated parameters" section (markdown lines) from a record."""
    lines = ["## Calibrated parameters", ""]
    if record.get("drugs"):
        lines += [
            "| drug | trials | design | patients, seed | EC50 multiplier | plausible range "
            "| misfit (sum z^2) | parameters |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for drug, entry in sorted(record["drugs"].items()):
            params = ", ".join(f"{k} = {v:.3g} mg/L" for k, v in entry["parameters"].items())
            lines.append(
                f"| {drug} | {', '.join(entry['trials'])} | {entry.get('design', PARALLEL)} | "
                f"{entry['patients']}, {entry['seed']} | {_multiplier_cell(entry)} | "
                f"{_range_cell(entry)} | {entry['misfit']:.1f} | {params} |"
            )
        lines += [
            "",
            f"Search: EC50 multipliers {', '.join(f'{g:.3g}' for g in record['grid'])}, "
            "then half-decade steps beyond an edge while the best multiplier is there, up "
            f"to x10^+-{SEARCH_BOUND_DECADES:g}, then the points "
            f"{REFINE_STEP_DECADES:g} decade either side of the best ('refined'; not "
            "when every misfit is equal, as with no signal). In brackets the range "
            "tried; 'at its "
            "edge': the best multiplier is the end of that range and better than its "
            "neighbour, so the optimum may lie beyond (a limit, not a fit). "
            "Plausible range: the multipliers tried whose misfit is within "
            f"{PLAUSIBLE_MISFIT_RISE:g} of the best (the chi-square 95% point: an "
            "approximate profile-likelihood interval, narrower than the truth because each "
            "z counts the simulated arm's sampling error only); '<=' or '>=' where it "
            "reaches the end of the range tried, so the data bound the potency on one "
            "side only. "
            "Design 'every arm': each enrolled patient simulated in every arm (virtual "
            "twins, docs/trials.md), so the patients count is per arm; 'parallel': "
            "randomised as published, the patients shared between the arms.",
            "",
        ]
    else:
        lines += ["Not calibrated yet: declared potencies are used.", ""]
    return lines


def calibration_report(
    patients: int = 150,
    seed: int = REPORT_SEED,
    workers: int | None = None,
    names: Sequence[str] | None = None,
    log: Callable[[str], None] = print,
) -> str:
    """Markdown: every trial under examples/trials, published vs simulated with 95% CIs."""
    lines = [
        "# Calibration: published versus simulated",
        "",
        "Generated by `immunetwin calibrate --report docs/calibration.md` "
        f"(each trial at {patients} patients, seed {seed}; rerun to reproduce).",
        "Simulated values are % responders (or the endpoint's unit) with 95% CIs.",
        "A miss is a published value outside the simulated 95% CI. Rows 'A vs B' compare "
        "an arm with the control arm (hazard ratio: Cox model; difference: percentage points).",
        "",
    ]
    lines += parameters_section(_load_file())
    lines += [
        "## Trials",
        "",
        REPORT_TABLE_HEADER,
        "|---|---|---|---|---|---|---|",
    ]
    paths = sorted(SPECS.glob("*.toml"))
    if names:
        known = [p.stem for p in paths]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SpecError(
                f"unknown calibration trial {unknown[0]!r}: choose from {', '.join(known)}"
            )
        paths = [p for p in paths if p.stem in names]
    hits = total = 0
    for path in paths:
        spec = load_spec(path, {"patients": patients, "seed": seed})
        start = time.perf_counter()
        result = run_trial(spec, workers=workers)
        log(f"{spec.name}: {time.perf_counter() - start:.0f} s")
        for arm, published in spec.published.items():
            for endpoint, value in published.items():
                e = result.endpoints[arm].get(endpoint)
                if e is None:
                    continue
                sim, low, high = e.get("value"), e.get("ci_low"), e.get("ci_high")
                if sim is None:
                    lines.append(
                        f"| {spec.name} | {arm} | {endpoint} | {value:g} | NA | 0 | **miss** |"
                    )
                    total += 1
                    continue
                hit = _inside(value, low, high)
                hits += hit
                total += 1
                interval = _interval(low, high)
                lines.append(
                    f"| {spec.name} | {arm} | {endpoint} | {value:g} | {sim:.3g} {interval} | "
                    f"{e.get('n')} | {'yes' if hit else '**miss**'} |"
                )
        for comparison in result.comparisons:
            effect = spec.published_comparisons.get(comparison["arm"], {}).get(
                comparison["endpoint"]
            )
            if effect is None:
                continue
            measure = next((k for k in COMPARISON_MEASURES if k in comparison), None)
            sim = comparison.get(measure) if measure else None
            both = [
                result.endpoints[a][comparison["endpoint"]]
                for a in (comparison["arm"], comparison["control"])
            ]
            n: int | str = sum(e.get("n") or 0 for e in both)
            events = sum(e.get("events") or 0 for e in both)
            if measure == "hazard_ratio":
                n = f"{n} ({events} events)"
                if events < MIN_EVENTS_FOR_HAZARD_RATIO:
                    # A Cox fit on a handful of events is degenerate (2 events gave
                    # HR 2e7, CI [0, NA]): no estimate, and a miss, not a hit.
                    sim = None
            label = f"{comparison['arm']} vs {comparison['control']}"
            name = f"{comparison['endpoint']} ({(measure or 'effect').replace('_', ' ')})"
            total += 1
            if sim is None:
                lines.append(
                    f"| {spec.name} | {label} | {name} | {effect:g} | NA | {n} | **miss** |"
                )
                continue
            low, high = comparison["ci_low"], comparison["ci_high"]
            hit = _inside(effect, low, high)
            hits += hit
            lines.append(
                f"| {spec.name} | {label} | {name} | {effect:g} | {sim:.3g} "
                f"{_interval(low, high)} | {n} | {'yes' if hit else '**miss**'} |"
            )
    lines += ["", _tally(hits, total), ""]
    return "\n".join(lines)


def _tally(hits: int, total: int) -> str:
    """The report's count of hits (:data:`_TALLY_PATTERN` finds it again when merging)."""
    return f"{hits} of {total} published values inside the simulated 95% CI."


_RUN_PATTERN = re.compile(r"\(each trial at (\d+) patients, seed (\d+);")
_TALLY_PATTERN = re.compile(r"^\d+ of \d+ published values inside the simulated 95% CI\.$")


def report_run_settings(text: str) -> tuple[int, int] | None:
    """The patients and seed a report's trials ran at, from its opening lines."""
    found = _RUN_PATTERN.search(text)
    return None if found is None else (int(found[1]), int(found[2]))


def check_report_settings(old: str, patients: int, seed: int, where: str) -> None:
    """Raise unless rows at ``patients`` and ``seed`` may join the report ``old``.

    Raises:
        SpecError: When ``old`` was run at other settings (its rows would not be
            comparable with the new ones).
    """
    settings = report_run_settings(old)
    if settings is not None and settings != (patients, seed):
        raise SpecError(
            f"--trial rows at {patients} patients, seed {seed} cannot join {where}'s table "
            f"at {settings[0]} patients, seed {settings[1]}: give the same --patients and "
            "--seed, or a new file"
        )


def _report_parts(text: str, where: str) -> tuple[list[str], list[str], list[str]]:
    """A report's lines before its trials table, the table's rows, and the lines after.

    The rows are the lines after the header and its separator that start with ``|``;
    the tally line ("N of M published values...") and what follows are the last part.
    """
    lines = text.splitlines()
    if REPORT_TABLE_HEADER not in lines:
        raise SpecError(f"{where} has no published-versus-simulated table")
    start = lines.index(REPORT_TABLE_HEADER) + 2  # header and separator
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[:start], lines[start:end], lines[end:]


def _trial_of(row: str) -> str:
    return row.split("|")[1].strip()


def merge_report(old: str, new: str, where: str = "the report") -> str:
    """``old`` with the trials table rows of ``new``'s trials replaced by ``new``'s.

    ``new`` is a report of some trials (``calibrate --report --trial``): its rows take
    the place of the same trials' rows in ``old`` (new trials go at the end of the
    table), the tally of hits is recounted over the merged table, and the part before
    the table (run settings, calibrated parameters) is ``new``'s, as it describes the
    current calibration. Everything after the tally line is ``old``'s.

    Raises:
        SpecError: When either has no table, or the two were run at different patient
            numbers or seeds (their rows would not be comparable).
    """
    new_run = report_run_settings(new)
    if new_run is not None:
        check_report_settings(old, *new_run, where)
    _, old_rows, old_after = _report_parts(old, where)
    new_before, new_rows, _ = _report_parts(new, "the new report")
    replaced = {_trial_of(row) for row in new_rows}
    merged: list[str] = []
    placed: set[str] = set()
    for row in old_rows:
        trial = _trial_of(row)
        if trial not in replaced:
            merged.append(row)
        elif trial not in placed:
            merged += [r for r in new_rows if _trial_of(r) == trial]
            placed.add(trial)
    merged += [r for r in new_rows if _trial_of(r) not in placed]
    hits = sum(row.rstrip().endswith("| yes |") for row in merged)
    tally = _tally(hits, len(merged))
    after = [tally if _TALLY_PATTERN.match(line) else line for line in old_after]
    return "\n".join([*new_before, *merged, *after]) + "\n"
