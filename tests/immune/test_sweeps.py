"""Behaviour 6: a Treg threshold (Alexander & Wahl 2010) and bistable inflammation (Baker 2013).

Both are shown by parameter sweeps in the model's own terms (see
../shared/reference/biomodels/README.md for the published models).
"""

from __future__ import annotations

import itertools

import pytest

from immunetwin import Schedule, Simulator, StateChange
from immunetwin.immune import build_immune_model

TREG_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
DRIVES = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0]


@pytest.fixture(scope="module")
def thyroid_sim():
    """The immune model with one target organ, so no other organ competes for IL-2."""
    return Simulator(build_immune_model(organs=("thyroid",)))


@pytest.fixture(scope="module")
def treg_sweep(thyroid_sim):
    """A transient self-reactive response (cross-reactive priming on day 30) at each Treg level.

    foxp3_function scales Treg generation, proliferation and suppression together.
    """
    sim = thyroid_sim
    trigger = Schedule(
        (StateChange(time=30.0, target="thyroid_effector_t", op="add", value=100.0),)
    )
    chronic = {}
    for level in TREG_LEVELS:
        frame = sim.simulate(
            until=730.0,
            outputs=["thyroid_effector_t"],
            output_times=[29.0, 31.0, 730.0],
            parameters={"foxp3_function": level},
            schedule=trigger,
        )
        before, after = frame["thyroid_effector_t"].iloc[0], frame["thyroid_effector_t"].iloc[-1]
        assert frame["thyroid_effector_t"].iloc[1] > 50.0  # the trigger happened
        chronic[level] = bool(after > 10.0 and after > 100.0 * min(before, 0.1))
    return chronic


def test_treg_threshold_separates_transient_from_chronic_responses(treg_sweep):
    states = [treg_sweep[level] for level in TREG_LEVELS]
    assert states[0], "without Tregs the self-reactive response must become chronic"
    assert not states[-1], "with normal Tregs the response must return to tolerance"
    switches = sum(a != b for a, b in itertools.pairwise(states))
    assert switches == 1, f"one threshold expected, got {states}"


@pytest.fixture(scope="module")
def inflammation_sweep(sim):
    """Skin inflammation after one year, from a healthy and from an inflamed start.

    Skin is one site; the synovium's sites switch one by one (tests/immune/test_synovial_sites.py).
    """
    inflamed = Schedule((StateChange(time=0.0, target="skin_inflammation", op="set", value=400.0),))
    result = {}
    for drive in DRIVES:
        ends = []
        for schedule in (None, inflamed):
            frame = sim.simulate(
                until=365.0,
                outputs=["skin_inflammation"],
                output_times=[0.0, 365.0],
                parameters={"skin_inflammatory_drive": drive},
                schedule=schedule,
            )
            ends.append(float(frame["skin_inflammation"].iloc[-1]))
        result[drive] = tuple(ends)
    return result


def test_inflammation_is_bistable_over_a_range_of_drive(inflammation_sweep, healthy_state):
    basal = healthy_state["skin_inflammation"]
    high = 10.0 * basal

    def kind(ends):
        low_start, high_start = ends
        if low_start < high and high_start < high:
            return "healthy"
        if low_start >= high and high_start >= high:
            return "disease"
        assert low_start < high <= high_start, "a healthy start cannot end above an inflamed one"
        return "bistable"

    kinds = [kind(inflammation_sweep[d]) for d in DRIVES]
    assert kinds[0] == "healthy" and kinds[-1] == "disease"
    assert "bistable" in kinds
    # Ordered like Baker et al.: healthy only, then both states, then disease only.
    order = {"healthy": 0, "bistable": 1, "disease": 2}
    assert [order[k] for k in kinds] == sorted(order[k] for k in kinds)
    # The healthy adult (drive 1) is monostable: no disease state to fall into.
    assert kinds[DRIVES.index(1.0)] == "healthy"
