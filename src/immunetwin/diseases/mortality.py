"""Death by cause: explicit competing-risk hazard models read from a patient's visits.

The immune model carries no death; survival is an observation model on top of the
simulated course. A disease's :class:`CompetingRisks` names its causes and computes each
cause's hazard (per year) from the visit readouts and the patient's age and sex, held
constant between visits (piecewise-constant hazards). Every model starts from
general-population mortality, a Gompertz law in age by sex, split into its
cardiovascular share and the rest; a disease multiplies these or adds its own causes.

**Lupus** (:data:`LUPUS_DEATHS`, SLE and lupus nephritis):

- **renal**: the excess death rate of chronic kidney disease by eGFR stage (Go et al.
  NEJM 2004), so kidney failure in the simulated course kills.
- **infection** and **CNS**: proportional to disease activity (SLEDAI-2K). Lupus
  infection deaths follow activity and its treatment; neuropsychiatric lupus is not a
  model organ, so systemic activity stands in for it. Their rates per SLEDAI point come
  from the published 10-year survival times each cause's share of deaths
  (``diseases.csv``), at a typical activity: the population test checks them, and the
  renal and cardiovascular parts (from other sources) are predictions.
- **cardiovascular**: the background cardiovascular share times lupus' standardised
  mortality ratio for circulatory disease; **other**: the rest of the background.

**Rheumatoid arthritis** (:data:`RA_DEATHS`): the cardiovascular hazard follows disease
activity (DAS28-ESR): in remission or low activity it is the general population's
(Myasoedova et al. 2016), moderate and high activity raise it by the KORONA registry's
incidence ratios. RA's non-cardiovascular excess (interstitial lung disease, infection,
lymphoma) is not modelled: ``other`` is the background.

**Type 1 diabetes** (:data:`T1D_DEATHS`): from clinical diagnosis (stage 3, a visit's
``stage3_day``) the hazard ratios of the Swedish National Diabetes Register (Lind et al.
NEJM 2014) against matched controls, cardiovascular 4.60 and any cause 3.52; the
non-cardiovascular excess (acute complications, kidney disease) is the ``diabetes``
cause. Before diagnosis: the background. Glycaemic control, which sets the excess in
that study (hazard ratio 2.4 at HbA1c <= 6.9% to 8.5 at >= 9.7%), is not simulated:
the ratios are the register's average.

**Crohn's disease** (:data:`CROHNS_DEATHS`): the pooled standardised mortality ratio of
population-based cohorts, 1.38 (Bewtra et al. Inflamm Bowel Dis 2013), as a constant
excess (the ``crohns`` cause: mostly gastrointestinal, respiratory and genitourinary
deaths, Duricova et al. Inflamm Bowel Dis 2010) on the background. It is not tied to
the simulated activity (no published gradient by CDAI in hand), so treatment does not
change it.

Not modelled (no death model, stated rather than invented): MS (excess mortality of
relapsing MS begins ~20 years after onset, Leray et al. PLoS One 2015, beyond the model's
course, which has no progressive phase), thyroiditis (treated hypothyroidism: no excess
in hand), the monogenic syndromes (mortality driven by infections and organ failures the
cohorts report too sparsely) and checkpoint-inhibitor toxicity (grade 5 events).

:meth:`CompetingRisks.expected` integrates the competing risks without sampling, for
population figures; calling the model (:meth:`CompetingRisks.sample`) draws one patient's
death day and cause from the same hazards.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from immunetwin._errors import SpecError
from immunetwin.drugs._declarations import Quantity

__all__ = [
    "BACKGROUND_PARAMETERS",
    "CROHNS_DEATHS",
    "LUPUS_DEATHS",
    "RA_DEATHS",
    "T1D_DEATHS",
    "CompetingRisks",
    "Mortality",
]

Q = Quantity
_LIFE_TABLE = (
    "US life tables 2019 (Arias & Xu, Natl Vital Stat Rep 2022;70(19)): death rate ~1.5 "
    "(women) and ~2.5 (men) per 1,000 per year at age 40"
)

BACKGROUND_PARAMETERS: Mapping[str, Quantity] = {
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
}

LUPUS_PARAMETERS: Mapping[str, Quantity] = {
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

_KORONA = (
    "KORONA registry, 4,034 RA patients by time-averaged DAS28 (CRIS KCT0000086): "
    "cardiovascular events 2.86, 2.71, 3.53 and 8.13 per 1,000 person-years in remission, "
    "low, moderate and high activity"
)
RA_PARAMETERS: Mapping[str, Quantity] = {
    # Remission and low activity carry the general population's risk: Myasoedova et al.
    # (Ann Rheum Dis 2016, PMC4520792) found RA in remission at the risk of non-RA
    # controls (hazard ratio 0.90, 0.51-1.59), and KORONA's remission and low rates agree.
    "cardiovascular_rr_moderate": Q(
        1.30,
        "dimensionless",
        _KORONA + " (3.53 / 2.71); events stand in for deaths",
    ),
    "cardiovascular_rr_high": Q(
        3.0,
        "dimensionless",
        _KORONA + " (incidence ratio high vs low 3.01, 1.20-8.50); events stand in for deaths",
    ),
}
RA_LOW_ACTIVITY = 3.2  # DAS28 at or below: low activity or remission (EULAR cut-off)
RA_HIGH_ACTIVITY = 5.1  # DAS28 above: high activity (EULAR cut-off)

_LIND = (
    "Lind et al. N Engl J Med 2014;371:1972, Swedish National Diabetes Register vs "
    "matched controls (mean age 36, follow-up 8 years)"
)
T1D_PARAMETERS: Mapping[str, Quantity] = {
    "cardiovascular_hr": Q(
        4.60, "dimensionless", _LIND + ": cardiovascular death hazard ratio 4.60 (3.47-6.10)"
    ),
    "all_cause_hr": Q(
        3.52, "dimensionless", _LIND + ": death from any cause hazard ratio 3.52 (3.06-4.04)"
    ),
}

_REFERENCE_AGE = 40.0  # years: the age of the life-table rates above


def _value(parameters: Mapping[str, Quantity], name: str) -> float:
    quantity = parameters[name]
    unit = "dimensionless" if quantity.unit == "dimensionless" else "1/year"
    return quantity.to(unit)


def _background(name: str) -> float:
    return _value(BACKGROUND_PARAMETERS, name)


def background_hazard(ages: np.ndarray, sex: str) -> np.ndarray:
    """General-population death rate (per year) at each age: Gompertz law by sex."""
    level = _background("background_women_age_40" if sex == "female" else "background_men_age_40")
    return level * np.exp(_background("gompertz_slope") * (ages - _REFERENCE_AGE))


CauseRates = Callable[[pd.DataFrame, np.ndarray], Mapping[str, np.ndarray]]
"""``(visits, background hazard at each visit) -> cause -> hazard at each visit``."""


@dataclass(frozen=True)
class Mortality:
    """Expected outcome of one patient over the visits' span.

    Attributes:
        survival: Probability of being alive at the last visit.
        by_cause: Cause -> probability of having died of it by the last visit.
    """

    survival: float
    by_cause: Mapping[str, float]


@dataclass(frozen=True)
class CompetingRisks:
    """A disease's competing causes of death, each a hazard read from the visits.

    Calling the model draws one patient's death (:meth:`sample`): it is the disease
    declaration's ``mortality``.

    Attributes:
        name: What the model covers, e.g. ``lupus``.
        causes: Cause names, in the order hazards and draws use.
        readouts: Visit readouts the hazards read.
        rates: The hazards (see :data:`CauseRates`).
        parameters: The model's own parameters, with units and sources (the background's
            are :data:`BACKGROUND_PARAMETERS`).
        summary: One sentence on what drives each cause, for the disease's page.
    """

    name: str
    causes: tuple[str, ...]
    readouts: tuple[str, ...]
    rates: CauseRates
    parameters: Mapping[str, Quantity]
    summary: str

    def hazards(self, visits: pd.DataFrame, age: float, sex: str) -> pd.DataFrame:
        """Hazard of each cause (per year) at each visit.

        Args:
            visits: One patient's readouts, indexed by day from the first visit, with
                the model's ``readouts``.
            age: Age in years at the first visit.
            sex: ``female`` or ``male``.

        Raises:
            SpecError: For a sex other than female or male, or missing readouts.
        """
        if sex not in ("female", "male"):
            raise SpecError(f"sex must be female or male, got {sex!r}")
        missing = [c for c in self.readouts if c not in visits.columns]
        if missing:
            raise SpecError(f"{self.name} mortality needs the readouts {', '.join(missing)}")
        days = visits.index.to_numpy(dtype=float)
        ages = age + (days - days[0]) / 365.25
        rates = self.rates(visits, background_hazard(ages, sex))
        return pd.DataFrame({cause: rates[cause] for cause in self.causes}, index=visits.index)

    def expected(self, visits: pd.DataFrame, age: float, sex: str) -> Mortality:
        """Survival and cumulative incidence of each cause (competing risks, no sampling).

        Each interval between visits holds the hazards of its first visit.
        """
        hazards = self.hazards(visits, age, sex)
        years = np.diff(hazards.index.to_numpy(dtype=float)) / 365.25
        rates = hazards.iloc[:-1].to_numpy()
        total = rates.sum(axis=1)
        alive = 1.0
        died = dict.fromkeys(self.causes, 0.0)
        for dt, row, h in zip(years, rates, total, strict=True):
            dying = alive * (1.0 - math.exp(-h * dt))
            if h > 0:
                for cause, rate in zip(self.causes, row, strict=True):
                    died[cause] += dying * rate / h
            alive -= dying
        return Mortality(alive, died)

    def survival(self, visits: pd.DataFrame, age: float, sex: str) -> pd.Series:
        """Probability of being alive at each visit (1 at the first), as :meth:`expected`."""
        hazards = self.hazards(visits, age, sex)
        years = np.diff(hazards.index.to_numpy(dtype=float)) / 365.25
        total = hazards.iloc[:-1].to_numpy().sum(axis=1)
        cumulative = np.concatenate([[0.0], np.cumsum(total * years)])
        return pd.Series(np.exp(-cumulative), index=visits.index, name="survival")

    def sample(
        self, visits: pd.DataFrame, age: float, sex: str, rng: np.random.Generator
    ) -> tuple[float, str]:
        """One patient's death day and cause, or ``(nan, "")`` alive at the last visit.

        Draws one exponential per interval (in visit order) from ``rng``, stopping at
        death.
        """
        hazards = self.hazards(visits, age, sex)
        days = hazards.index.to_numpy(dtype=float)
        rates = hazards.to_numpy()
        for start, end, row in zip(days[:-1], days[1:], rates[:-1], strict=True):
            total = float(row.sum())
            wait = rng.exponential(365.25 / total) if total > 0 else math.inf
            if start + wait < end:
                cause = self.causes[int(rng.choice(len(self.causes), p=row / total))]
                return start + wait, cause
        return math.nan, ""

    def __call__(
        self, visits: pd.DataFrame, age: float, sex: str, rng: np.random.Generator
    ) -> tuple[float, str]:
        """The disease declaration's death model: :meth:`sample`."""
        return self.sample(visits, age, sex, rng)


def _lupus(name: str) -> float:
    return _value(LUPUS_PARAMETERS, name)


def _renal(egfr: np.ndarray) -> np.ndarray:
    return np.select(
        [egfr < 15.0, egfr < 30.0, egfr < 45.0, egfr < 60.0],
        [
            _lupus("renal_excess_egfr_below_15"),
            _lupus("renal_excess_egfr_15_29"),
            _lupus("renal_excess_egfr_30_44"),
            _lupus("renal_excess_egfr_45_59"),
        ],
        0.0,
    )


def _lupus_rates(visits: pd.DataFrame, background: np.ndarray) -> dict[str, np.ndarray]:
    share = _background("cardiovascular_share")
    sledai = visits["sledai_2k"].to_numpy(dtype=float)
    return {
        "infection": _lupus("infection_per_sledai") * sledai,
        "renal": _renal(visits["egfr"].to_numpy(dtype=float)),
        "cns": _lupus("cns_per_sledai") * sledai,
        "cardiovascular": background * share * _lupus("cardiovascular_smr"),
        "other": background * (1.0 - share),
    }


LUPUS_DEATHS = CompetingRisks(
    name="lupus",
    causes=("infection", "renal", "cns", "cardiovascular", "other"),
    readouts=("sledai_2k", "egfr"),
    rates=_lupus_rates,
    parameters=LUPUS_PARAMETERS,
    summary=(
        "infection and CNS deaths in proportion to SLEDAI-2K (calibrated to the published "
        "10-year survival and causes), renal deaths by eGFR stage (Go et al. 2004), "
        "cardiovascular deaths at lupus' SMR of 2.7, other causes at the background"
    ),
)


def _ra_rates(visits: pd.DataFrame, background: np.ndarray) -> dict[str, np.ndarray]:
    share = _background("cardiovascular_share")
    das28 = visits["das28_esr"].to_numpy(dtype=float)
    relative = np.select(
        [das28 > RA_HIGH_ACTIVITY, das28 > RA_LOW_ACTIVITY],
        [
            _value(RA_PARAMETERS, "cardiovascular_rr_high"),
            _value(RA_PARAMETERS, "cardiovascular_rr_moderate"),
        ],
        1.0,
    )
    return {
        "cardiovascular": background * share * relative,
        "other": background * (1.0 - share),
    }


RA_DEATHS = CompetingRisks(
    name="rheumatoid arthritis",
    causes=("cardiovascular", "other"),
    readouts=("das28_esr",),
    rates=_ra_rates,
    parameters=RA_PARAMETERS,
    summary=(
        f"cardiovascular deaths at the background rate with DAS28-ESR <= {RA_LOW_ACTIVITY:g}, "
        "x1.30 at moderate and x3.0 at high activity (KORONA registry); other causes at the "
        "background (RA's non-cardiovascular excess is not modelled)"
    ),
)


def _t1d_rates(visits: pd.DataFrame, background: np.ndarray) -> dict[str, np.ndarray]:
    share = _background("cardiovascular_share")
    diagnosed = np.isfinite(visits["stage3_day"].to_numpy(dtype=float))
    cardiovascular_hr = _value(T1D_PARAMETERS, "cardiovascular_hr")
    # The non-cardiovascular ratio that, with the cardiovascular one, gives the
    # all-cause ratio: share * cv + (1 - share) * other = all-cause.
    other_hr = (_value(T1D_PARAMETERS, "all_cause_hr") - share * cardiovascular_hr) / (1 - share)
    return {
        "cardiovascular": background * share * np.where(diagnosed, cardiovascular_hr, 1.0),
        "diabetes": background * (1.0 - share) * np.where(diagnosed, other_hr - 1.0, 0.0),
        "other": background * (1.0 - share),
    }


T1D_DEATHS = CompetingRisks(
    name="type 1 diabetes",
    causes=("cardiovascular", "diabetes", "other"),
    readouts=("stage3_day",),
    rates=_t1d_rates,
    parameters=T1D_PARAMETERS,
    summary=(
        "from clinical diagnosis (stage 3), cardiovascular deaths x4.60 and all causes "
        "x3.52 the background (Lind et al. 2014), the non-cardiovascular excess as the "
        "diabetes cause; the background before diagnosis"
    ),
)


CROHNS_PARAMETERS: Mapping[str, Quantity] = {
    "all_cause_smr": Q(
        1.38,
        "dimensionless",
        "Bewtra et al. Inflamm Bowel Dis 2013;19:599, meta-analysis of inception and "
        "population cohorts: Crohn's disease all-cause SMR 1.38 (1.23-1.55); Duricova et "
        "al. Inflamm Bowel Dis 2010;16:347 pooled 1.39 (1.30-1.49)",
    ),
}


def _crohns_rates(visits: pd.DataFrame, background: np.ndarray) -> dict[str, np.ndarray]:
    excess = _value(CROHNS_PARAMETERS, "all_cause_smr") - 1.0
    return {"crohns": background * excess, "other": background}


CROHNS_DEATHS = CompetingRisks(
    name="Crohn's disease",
    causes=("crohns", "other"),
    readouts=(),
    rates=_crohns_rates,
    parameters=CROHNS_PARAMETERS,
    summary=(
        "the background at every age and sex plus a constant excess of 0.38 times it "
        "(pooled SMR 1.38, Bewtra et al. 2013): not tied to the simulated activity, so "
        "treatment does not change it"
    ),
)
