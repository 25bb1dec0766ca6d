"""An untreated virtual RA population against active-RA trial baselines; healthy DAS28."""

from __future__ import annotations

import numpy as np

from immunetwin.diseases.readouts import DAS28_HIGH, DAS28_LOW, DAS28_REMISSION


def _placebo_remission(trials_csv) -> float:
    """OPTION placebo+MTX share with DAS28 < 2.6 at week 24 (%), parsed from the CSV."""
    row = trials_csv[(trials_csv["trial"] == "OPTION") & (trials_csv["arm"] == "placebo+MTX")]
    assert len(row) == 1
    endpoints = [e.strip() for e in row["endpoint"].iloc[0].split("/")]
    results = [float(r) for r in row["result"].iloc[0].split("/")]
    return results[endpoints.index(f"DAS28<{DAS28_REMISSION:g}")]


def test_das28_in_the_range_of_active_ra_trial_baselines(ra_population, trials_csv):
    assert (trials_csv["population"].str.contains("active RA")).any()
    das28 = ra_population["das28_crp"]
    print(
        f"\nRA DAS28-CRP median {das28.median():.2f} (IQR {das28.quantile(0.25):.2f}-"
        f"{das28.quantile(0.75):.2f}); TJC28 {ra_population['tjc28'].median():g}, "
        f"SJC28 {ra_population['sjc28'].median():g}, CRP {ra_population['crp'].median():.0f} "
        f"mg/L, PGA {ra_population['patient_global'].median():.0f} mm"
    )
    # Active-RA trials (ARMADA, OPTION) enrolled >=6 swollen and >=8 tender joints: a
    # high-activity population, mean DAS28 ~5.5-7. Tolerance: the median must lie in
    # high activity (>5.1, EULAR cut point) and below 7 (few trial baselines exceed it).
    assert DAS28_HIGH < das28.median() < 7.0
    assert ra_population["sjc28"].median() >= 6
    assert ra_population["tjc28"].median() >= 8
    assert (das28 > DAS28_LOW).mean() >= 0.9


def test_untreated_ra_rarely_remits(ra_population, trials_csv):
    placebo = _placebo_remission(trials_csv)  # 1% on placebo + MTX at week 24
    observed = 100.0 * (ra_population["das28_crp"] < DAS28_REMISSION).mean()
    print(f"\nuntreated RA DAS28<2.6: {observed:.1f}% (OPTION placebo+MTX {placebo:g}%)")
    # Untreated patients should remit no more than placebo+MTX; tolerance 3 points (the
    # binomial 95% upper bound at 1% with 200 patients is ~3.5%).
    assert observed <= placebo + 3.0


def test_smokers_have_more_active_disease(ra_population):
    by = ra_population.groupby("smoking")["synovium_inflammatory_drive"].median()
    assert by["current"] > by["never_or_former"]


def test_healthy_population_is_in_remission(healthy_population):
    # Fibromyalgia (2% without arthritis) reads tender joints and a high global without
    # synovitis: those few are not in DAS28 remission (tests/diseases/test_ra_fibromyalgia.py).
    das28 = healthy_population.loc[~healthy_population["fibromyalgia"], "das28_crp"]
    print(f"\nhealthy DAS28-CRP max {das28.max():.2f}, median {das28.median():.2f}")
    assert (das28 < DAS28_REMISSION).all()
    # Healthy synovia vary (declared drive CV 0.3): a rare examiner-found swollen joint.
    assert np.median(healthy_population["sjc28"]) == 0


def test_das28_components_are_consistent(ra_population):
    assert ra_population[["tjc28", "sjc28"]].le(28).all().all()
    assert ra_population[["tjc28", "sjc28"]].ge(0).all().all()
    assert ra_population["patient_global"].between(0, 100).all()


def test_active_ra_lowers_haemoglobin_mildly(ra_population, healthy_population):
    """Anaemia of inflammation: IL-6 induces hepcidin, which withholds iron from the marrow."""
    ra, healthy = ra_population["haemoglobin"], healthy_population["haemoglobin"]
    print(
        f"\nhaemoglobin median: active RA {ra.median():.1f} g/dL, healthy {healthy.median():.1f}; "
        f"RA below 12 g/dL: {(ra < 12.0).mean():.0%}"
    )
    # Mild to moderate (Weiss & Goodnough NEJM 2005: rarely below 8-9 g/dL), below health.
    assert ra.median() < healthy.median() - 0.5
    assert 10.0 <= ra.median() <= 13.5 and ra.min() >= 8.0


def test_each_patient_has_own_cytokine_shares_of_synovial_amplification():
    """TNF and IL-6 shares are logit-normal per patient, independent, median 0.5."""
    from immunetwin.diseases import DISEASES
    from immunetwin.diseases.population import sample_disease_patients
    from immunetwin.diseases.ra import CYTOKINE_SHARE_LOGIT_SD

    _, parameters = sample_disease_patients(DISEASES["ra"], 3000, seed=4)
    shares = parameters[["amplification_tnf_share", "amplification_il6_share"]]
    assert ((shares > 0.0) & (shares < 1.0)).all().all()
    log_odds = np.log(shares / (1.0 - shares))
    assert np.allclose(log_odds.median(), 0.0, atol=0.08)
    assert np.allclose(log_odds.std(), CYTOKINE_SHARE_LOGIT_SD, rtol=0.05)
    assert abs(np.corrcoef(log_odds.T)[0, 1]) < 0.06  # drawn independently
    # Primary non-responders to TNF blockade (share below ~0.2) are a minority.
    print(f"\nRA TNF share < 0.2: {(shares['amplification_tnf_share'] < 0.2).mean():.0%}")
    assert 0.1 < (shares["amplification_tnf_share"] < 0.2).mean() < 0.3
