"""Death by cause in lupus: an explicit hazard model read from a patient's visits.

The immune model carries no death; survival is an observation model on top of the
simulated course, as the issue asks for SLE 10-year survival and causes of death.
Each cause has a hazard (per year) that reads the visit readouts and the patient's age
and sex, held constant between visits (piecewise-constant hazards):

- **background**: general-population mortality, a Gompertz law in age by sex. Its
  cardiovascular share is raised by lupus (``cardiovascular`` below); the rest is
  ``other`` (malignancy, accidents...).
- **renal**: the excess death rate of chronic kidney disease by eGFR stage (Go et al.
  NEJM 2004), so kidney failure in the simulated course kills.
- **infection** and **CNS**: proportional to disease activity (SLEDAI-2K). Lupus
  infection deaths follow activity and its treatment; neuropsychiatric lupus is not a
  model organ, so systemic activity stands in for it. Their rates per SLEDAI point come
  from the published 10-year survival times each cause's share of deaths
  (``diseases.csv``), at a typical activity: the population test checks them, and the
  renal and cardiovascular parts (from other sources) are predictions.
- **cardiovascular**: the background cardiovascular share times lupus' standardised
  mortality ratio for circulatory disease.

Expected values (:func:`expected_mortality`) integrate the competing risks without
sampling, for population figures; :func:`sample_death` draws one patient's death day
and cause from the same hazards.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from immunetwin._errors import SpecError
from immunetwin.drugs._declarations import Quantity

__all__ = [
    "CAUSES",
    "MORTALITY_PARAMETERS",
    "cause_hazards",
    "expected_mortality",
    "sample_death",
]

CAUSES = ("infection", "renal", "cns", "cardiovascular", "other")

Q = Quantity
_LIFE_TABLE = (
    "US life tables 2019 (Arias & Xu, Natl Vital Stat Rep 2022;70(19)): death rate ~1.5 "
    "(women) and ~2.5 (men) per 1,000 per year at age 40"
)

MORTALITY_PARAMETERS: Mapping[str, Quantity] = {
    "gompertz_slope": Q(
        0.085,
        "1/year",
        "Gompertz law of adult mortality: death rate doubles every ~8 years of age "
        "(Finch, Longevity, Senescence and the Genome 1990)",
    ),
    "background_women_age_40": Q(0.0015, "1/year", _LIFE_TABLE),
    "background_men_age_40": Q(0.0025, "1/year", _LIFE_TABLE),
    "cardiovascular_share": Q(
        0.25,
        "dimensionless",
        "heart disease and stroke ~25% of US deaths (CDC WONDER 2019)",
    ),
    "cardiovascular_smr": Q(
        2.7,
        "dimensionless",
        "SLE standardised mortality ratio for circulatory disease ~2.7 (Yurkovich et al. "
        "Arthritis Care Res 2014;66:608, meta-analysis)",
    ),
    # Excess deaths per year by eGFR stage: age-standardised rates minus the eGFR >= 60
    # rate (0.76 per 100 person-years) of Go et al. NEJM 2004;351:1296.
    "renal_excess_egfr_45_59": Q(0.0032, "1/year", "Go et al. NEJM 2004 (1.08 - 0.76 /100 py)"),
    "renal_excess_egfr_30_44": Q(0.040, "1/year", "Go et al. NEJM 2004 (4.76 - 0.76 /100 py)"),
    "renal_excess_egfr_15_29": Q(0.106, "1/year", "Go et al. NEJM 2004 (11.36 - 0.76 /100 py)"),
    "renal_excess_egfr_below_15": Q(0.134, "1/year", "Go et al. NEJM 2004 (14.14 - 0.76 /100 py)"),
    # 10-year survival 85% (diseases.csv sle_survival_10y, 80-90%) times each cause's share
    # of deaths (sle_death_causes) gives its 10-year risk; divided by 10 years and by the
    # mean SLEDAI-2K of established lupus (~8, BLISS-52 baseline ~9.7) a rate per point.
    "infection_per_sledai": Q(
        0.00063,
        "1/year",
        "calibrated: infection 33% of deaths at 85% 10-year survival (diseases.csv "
        "sle_death_causes, Wang et al. Medicine 2015; sle_survival_10y) = 0.5%/year at "
        "SLEDAI-2K 8; per SLEDAI-2K point",
    ),
    "cns_per_sledai": Q(
        0.00026,
        "1/year",
        "calibrated: CNS 14% of deaths at 85% 10-year survival (diseases.csv) = 0.21%/year "
        "at SLEDAI-2K 8; per point (neuropsychiatric lupus follows systemic activity here)",
    ),
}

_REFERENCE_AGE = 40.0  # years: the age of the life-table rates above


def _value(name: str) -> float:
    quantity = MORTALITY_PARAMETERS[name]
    unit = "dimensionless" if quantity.unit == "dimensionless" else "1/year"
    return quantity.to(unit)


def _renal(egfr: np.ndarray) -> np.ndarray:
    return np.select(
        [egfr < 15.0, egfr < 30.0, egfr < 45.0, egfr < 60.0],
        [
            _value("renal_excess_egfr_below_15"),
            _value("renal_excess_egfr_15_29"),
            _value("renal_excess_egfr_30_44"),
            _value("renal_excess_egfr_45_59"),
        ],
        0.0,
    )


def cause_hazards(visits: pd.DataFrame, age: float, sex: str) -> pd.DataFrame:
    """Hazard of each cause (per year) at each visit.

    Args:
        visits: One patient's readouts, indexed by day from the first visit, with
            ``sledai_2k`` and ``egfr``.
        age: Age in years at the first visit.
        sex: ``female`` or ``male``.

    Raises:
        SpecError: For a sex other than female or male, or missing readouts.
    """
    if sex not in ("female", "male"):
        raise SpecError(f"sex must be female or male, got {sex!r}")
    missing = [c for c in ("sledai_2k", "egfr") if c not in visits.columns]
    if missing:
        raise SpecError(f"mortality needs the readouts {', '.join(missing)}")
    days = visits.index.to_numpy(dtype=float)
    ages = age + (days - days[0]) / 365.25
    level = _value("background_women_age_40" if sex == "female" else "background_men_age_40")
    background = level * np.exp(_value("gompertz_slope") * (ages - _REFERENCE_AGE))
    share = _value("cardiovascular_share")
    sledai = visits["sledai_2k"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "infection": _value("infection_per_sledai") * sledai,
            "renal": _renal(visits["egfr"].to_numpy(dtype=float)),
            "cns": _value("cns_per_sledai") * sledai,
            "cardiovascular": background * share * _value("cardiovascular_smr"),
            "other": background * (1.0 - share),
        },
        index=visits.index,
    )


@dataclass(frozen=True)
class Mortality:
    """Expected outcome of one patient over the visits' span.

    Attributes:
        survival: Probability of being alive at the last visit.
        by_cause: Cause -> probability of having died of it by the last visit.
    """

    survival: float
    by_cause: Mapping[str, float]


def expected_mortality(visits: pd.DataFrame, age: float, sex: str) -> Mortality:
    """Survival and cumulative incidence of each cause (competing risks, no sampling).

    Each interval between visits holds the hazards of its first visit.
    """
    hazards = cause_hazards(visits, age, sex)
    years = np.diff(hazards.index.to_numpy(dtype=float)) / 365.25
    rates = hazards.iloc[:-1].to_numpy()
    total = rates.sum(axis=1)
    alive = 1.0
    died = dict.fromkeys(CAUSES, 0.0)
    for dt, row, h in zip(years, rates, total, strict=True):
        dying = alive * (1.0 - math.exp(-h * dt))
        if h > 0:
            for cause, rate in zip(CAUSES, row, strict=True):
                died[cause] += dying * rate / h
        alive -= dying
    return Mortality(alive, died)


def sample_death(
    visits: pd.DataFrame, age: float, sex: str, rng: np.random.Generator
) -> tuple[float, str]:
    """One patient's death day and cause, or ``(nan, "")`` alive at the last visit.

    Draws one exponential per interval (in visit order) from ``rng``, stopping at death.
    """
    hazards = cause_hazards(visits, age, sex)
    days = hazards.index.to_numpy(dtype=float)
    for start, end, (_, row) in zip(days[:-1], days[1:], hazards.iloc[:-1].iterrows(), strict=True):
        total = float(row.sum())
        wait = rng.exponential(365.25 / total) if total > 0 else math.inf
        if start + wait < end:
            cause = CAUSES[int(rng.choice(len(CAUSES), p=row.to_numpy() / total))]
            return start + wait, cause
    return math.nan, ""
