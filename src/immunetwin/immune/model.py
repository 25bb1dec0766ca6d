"""The entry point: :func:`build_immune_model` composes every module into one model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from immunetwin import Model, Module
from immunetwin.immune.adaptive import adaptive_shared_module, pathogen_response_module
from immunetwin.immune.antigens import pathogens_module, self_antigen_module
from immunetwin.immune.autoimmunity import systemic_autoimmunity_module, tolerance_module
from immunetwin.immune.compartments import compartments_module
from immunetwin.immune.complement import acute_phase_module, complement_module
from immunetwin.immune.cytokines import cytokines_module
from immunetwin.immune.innate import innate_module
from immunetwin.immune.labs import PATHOGENS, labs_module, signals_module
from immunetwin.immune.lymphocytes import antibodies_module, lymphocytes_module
from immunetwin.immune.steady_state import HEALTHY_STEADY_STATE
from immunetwin.immune.tissue import (
    ORGANS,
    organ_exhaustion_module,
    tissue_module,
    tissue_shared_module,
)


def immune_modules(
    organs: Sequence[str] = ORGANS,
    dynamic_cytokines: Iterable[str] = (),
    organ_exhaustion: bool = False,
) -> list[Module]:
    """The modules of the immune model, in composition order.

    Args:
        organs: Target organs to instantiate with :func:`tissue_module`.
        dynamic_cytokines: Cytokines to declare as dynamic species instead of
            quasi-steady-state rules (e.g. ``("il6",)``).
        organ_exhaustion: Add exhaustion of organ-reactive effectors
            (:func:`organ_exhaustion_module`; a disease opts in).
    """
    organs = tuple(organs)
    return [
        compartments_module(),
        innate_module(),
        lymphocytes_module(),
        antibodies_module([f"igg_{p}" for p in PATHOGENS] + ["igg_auto"]),
        adaptive_shared_module(),
        pathogen_response_module(
            "bacterial",
            load="bacteria",
            load_unit="CFU/uL",
            capture_k=1.0,
            helper="th17",
            cd8=False,
            t_independent=0.5,
        ),
        pathogen_response_module(
            "viral",
            load="virus",
            load_unit="copies/uL",
            capture_k=100.0,
            helper="th1",
            cd8=True,
            t_independent=0.05,
        ),
        pathogens_module(),
        self_antigen_module(organs),
        complement_module(),
        acute_phase_module(),
        cytokines_module(dynamic_cytokines),
        tolerance_module(),
        systemic_autoimmunity_module(),
        tissue_shared_module(),
        *([organ_exhaustion_module()] if organ_exhaustion else []),
        *[tissue_module(o, exhaustion=organ_exhaustion) for o in organs],
        signals_module(organs),
        labs_module(organs),
    ]


def build_immune_model(
    name: str = "healthy_adult",
    organs: Sequence[str] = ORGANS,
    dynamic_cytokines: Iterable[str] = (),
    extra_modules: Iterable[Module] = (),
    changes: dict[str, float] | None = None,
    steady_state: bool = True,
    organ_exhaustion: bool = False,
) -> Model:
    """Build the healthy-adult immune model (optionally with changes and extra modules).

    Args:
        name: Model name (an identifier).
        organs: Target organs (default all seven).
        dynamic_cytokines: Cytokines declared dynamic instead of quasi-steady state.
        extra_modules: Further modules (a drug's PK/PD, a disease module).
        changes: Parameter (or initial-value) changes, e.g. a defect from :data:`DEFECTS`.
        steady_state: Start from the stored healthy steady state (recommended; otherwise
            from the rounded set points declared in the modules).
        organ_exhaustion: Add exhaustion of organ-reactive effectors (off by default:
            only the diseases calibrated with it carry it).

    Returns:
        A validated :class:`immunetwin.Model`.
    """
    model = Model.compose(
        name, [*immune_modules(organs, dynamic_cytokines, organ_exhaustion), *extra_modules]
    )
    if steady_state:
        species = {s.name for s in model.species}
        initial = {k: v for k, v in HEALTHY_STEADY_STATE.items() if k in species}
        if initial:
            model = model.with_changes(initial)
    if changes:
        model = model.with_changes(changes)
    return model
