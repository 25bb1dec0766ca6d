"""Graded synovitis: the synovium's sites switch one by one, so drug responses are graded.

Each site is the generic bistable infiltrate (Baker et al. 2013) with its own gain
``drive * exp(spread * q_j)``; ``synovium_inflammation`` is the sites' mean.
"""

from __future__ import annotations

import math
from dataclasses import replace
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immunetwin import Schedule, Simulator, StateChange
from immunetwin.immune import build_immune_model
from immunetwin.immune.tissue import ORGAN_SPECS, tissue_module

SITES = ORGAN_SPECS["synovium"].sites
SITE_STATES = [f"synovium_site{j + 1}_inflammation" for j in range(SITES)]
# Shares of self-amplification left by a drug, from none to a deep blockade.
AMPLIFICATION = [1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
INFLAMED = 50.0  # cells/uL: far above health (~6), far below an inflamed site (hundreds)


@pytest.fixture(scope="module")
def synovium_sim():
    """The immune model with the synovium as its only organ."""
    return Simulator(build_immune_model(organs=("synovium",)))


def _all_sites_inflamed() -> Schedule:
    return Schedule(
        tuple(StateChange(time=0.0, target=s, op="set", value=500.0) for s in SITE_STATES)
    )


@pytest.fixture(scope="module")
def blockade_sweep(synovium_sim):
    """Inflamed sites after a year of established synovitis under each blockade."""
    inflamed = {}
    for factor in AMPLIFICATION:
        frame = synovium_sim.simulate(
            until=365.0,
            outputs=[*SITE_STATES, "synovium_inflammation"],
            output_times=[0.0, 365.0],
            parameters={"synovium_inflammatory_drive": 4.0, "myeloid_activation_factor": factor},
            schedule=_all_sites_inflamed(),
        )
        last = frame.iloc[-1]
        inflamed[factor] = (
            [bool(last[s] > INFLAMED) for s in SITE_STATES],
            float(last["synovium_inflammation"]),
            float(np.mean([last[s] for s in SITE_STATES])),
        )
    return inflamed


def test_site_gains_sit_at_normal_quantiles_around_the_organ_drive():
    module = tissue_module("synovium")
    rules = {r.name: r.expression for r in module.rules}
    spread = {p.name: p.value for p in module.parameters}["synovium_site_drive_spread"]
    quantiles = []
    for j in range(SITES):
        expression = rules[f"synovium_site{j + 1}_drive"]
        assert expression.startswith("synovium_inflammatory_drive * exp(synovium_site_drive_spread")
        quantiles.append(float(expression.rsplit("*", 1)[1].rstrip(")")))
    expected = [NormalDist().inv_cdf((j + 0.5) / SITES) for j in range(SITES)]
    assert quantiles == pytest.approx(expected, abs=1e-6)
    # Symmetric quantiles: the sites' median gain is the organ's drive.
    assert sorted(quantiles)[SITES // 2] == pytest.approx(0.0, abs=1e-6)
    assert spread > 0.0


def test_organ_infiltrate_is_the_mean_of_its_sites(blockade_sweep):
    for _, organ, mean in blockade_sweep.values():
        assert organ == pytest.approx(mean, rel=1e-9)


def test_sites_resolve_one_by_one_as_blockade_deepens(blockade_sweep):
    counts = [sum(blockade_sweep[f][0]) for f in AMPLIFICATION]
    assert counts[0] == SITES, "untreated established synovitis keeps every site inflamed"
    assert counts[-1] == 0, "deep blockade resolves every site"
    assert counts == sorted(counts, reverse=True), counts
    # Graded, not all-or-none: some blockade leaves some sites inflamed and others not.
    assert any(0 < c < SITES for c in counts), counts
    assert len(set(counts)) >= 4, counts
    # The sites with the lowest gain resolve first.
    for factor in AMPLIFICATION:
        sites = blockade_sweep[factor][0]
        assert sites == sorted(sites), (factor, sites)


def test_a_site_resolves_where_its_gain_leaves_the_bistable_range(blockade_sweep):
    """Which sites resolve follows from one threshold on the gain, the same for every site."""
    spread = ORGAN_SPECS["synovium"].site_spread
    gains = [4.0 * math.exp(spread * NormalDist().inv_cdf((j + 0.5) / SITES)) for j in range(SITES)]
    resolved_gains, kept_gains = [], []
    for factor in AMPLIFICATION:
        for gain, inflamed in zip(gains, blockade_sweep[factor][0], strict=True):
            (kept_gains if inflamed else resolved_gains).append(factor * gain)
    assert max(resolved_gains) < min(kept_gains)
    # Near the lower edge of the single-site bistable range (~1.9, test_sweeps.py).
    threshold = 0.5 * (max(resolved_gains) + min(kept_gains))
    assert 1.2 < threshold < 2.6


@settings(max_examples=25, deadline=None)
@given(spread=st.floats(0.0, 1.5), sites=st.integers(2, 9))
def test_any_site_count_declares_consistent_states_and_rules(spread, sites):
    spec = ORGAN_SPECS["synovium"]
    module = tissue_module(replace(spec, sites=sites, site_spread=spread, site_source="test"))
    species = {s.name for s in module.species}
    rules = {r.name: r.expression for r in module.rules}
    site_states = {f"synovium_site{j + 1}_inflammation" for j in range(sites)}
    assert site_states <= species
    assert "synovium_inflammation" not in species
    assert rules["synovium_inflammation"].count("_inflammation") == sites
    products = [p for r in module.reactions for p in r.products if p in site_states]
    assert sorted(products) == sorted(site_states)


def test_methotrexate_damps_local_amplification():
    from immunetwin.drugs import regimen_schedule, with_drug_effects

    regimen = ["methotrexate 15 mg oral weekly"]
    model = with_drug_effects(build_immune_model(organs=("synovium",)), regimen)
    frame = Simulator(model).simulate(
        until=180.0,
        outputs=["local_amplification", "myeloid_activation_factor"],
        schedule=regimen_schedule(regimen, horizon_days=180.0),
    )
    assert frame["local_amplification"].iloc[0] == pytest.approx(1.0)
    late = float(frame["myeloid_activation_factor"].iloc[-1])
    # Emax 0.5 at the EC50 of the mean steady state: about a quarter less amplification.
    assert 0.6 < late < 0.9
    assert float(frame["local_amplification"].iloc[-1]) == pytest.approx(late, rel=1e-6)


def test_an_organ_without_sites_is_a_clear_error():
    from immunetwin._errors import ModelError

    with pytest.raises(ModelError, match="sites must be at least 1, got 0"):
        tissue_module(replace(ORGAN_SPECS["synovium"], sites=0))


# TNF shares of self-amplification, low to high (RA draws each patient's own share).
TNF_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7]


def test_synovitis_that_needs_little_tnf_resists_full_tnf_blockade(synovium_sim):
    """Primary non-response: the same drive and full blockade resolve sites by TNF share.

    A patient who still meets trial entry on methotrexate (drive 6, myeloid activation
    at methotrexate's maximal damping 0.5: 6 of 7 sites inflamed) gets a year of
    saturating TNF blockade (free TNF fraction 0.02).
    """
    base = {"synovium_inflammatory_drive": 6.0, "myeloid_activation_factor": 0.5}
    untreated = synovium_sim.simulate(
        until=365.0,
        outputs=SITE_STATES,
        output_times=[0.0, 365.0],
        parameters=base,
        schedule=_all_sites_inflamed(),
    ).iloc[-1]
    on_mtx = sum(bool(untreated[s] > INFLAMED) for s in SITE_STATES)
    assert on_mtx == SITES - 1
    left = []
    for share in TNF_SHARES:
        blocked = synovium_sim.simulate(
            until=365.0,
            outputs=SITE_STATES,
            output_times=[0.0, 365.0],
            parameters={**base, "amplification_tnf_share": share, "tnf_free_fraction": 0.02},
            schedule=_all_sites_inflamed(),
        ).iloc[-1]
        left.append(sum(bool(blocked[s] > INFLAMED) for s in SITE_STATES))
    # More TNF dependence, fewer sites left: from no response to full resolution.
    assert left == sorted(left, reverse=True)
    assert left[0] == on_mtx  # share 0.1: blockade resolves no site
    assert left[-1] == 0  # share 0.7: every site resolves
    assert 0 < left[TNF_SHARES.index(0.5)] < on_mtx  # the median share: a partial response
