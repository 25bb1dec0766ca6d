"""Built-in models, by name: what ``immunetwin simulate NAME`` and ``list models`` offer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from immunetwin._errors import ModelError
from immunetwin.declaration import Model

if TYPE_CHECKING:
    from immunetwin.engine import Schedule

__all__ = ["BuiltinModel", "builtin_models", "get_entry", "get_model"]


@dataclass(frozen=True)
class BuiltinModel:
    """A named model factory with what it is for.

    Attributes:
        name: What users type (``immunetwin simulate NAME``).
        description: One line.
        build: Builds the model.
        key_outputs: What to show by default (else the first species).
        defects: Named parameter changes users may apply (``--defect NAME``).
        infection: Builds an infection schedule from (kind, day), if the model has pathogens.
        infection_kinds: The kinds ``infection`` accepts.
    """

    name: str
    description: str
    build: Callable[[], Model]
    key_outputs: tuple[str, ...] = ()
    defects: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    infection: Callable[[str, float], Schedule] | None = None
    infection_kinds: tuple[str, ...] = ()


def _adalimumab() -> Model:
    from immunetwin.models.pk import adalimumab_pk

    return Model.compose("adalimumab_pk", [adalimumab_pk()])


def _benchmark() -> Model:
    from immunetwin.models.benchmark import stiff_benchmark_model

    return stiff_benchmark_model()


def _healthy() -> Model:
    from immunetwin.immune import build_immune_model

    return build_immune_model("healthy")


def _healthy_entry() -> BuiltinModel:
    from immunetwin.immune import DEFECTS
    from immunetwin.immune.scenarios import INFECTION_TARGETS, infection

    return BuiltinModel(
        "healthy",
        "healthy adult immune system: innate, adaptive, complement, cytokines, 7 organs",
        _healthy,
        key_outputs=(
            "lab_bacterial_load",
            "lab_viral_load",
            "lab_crp",
            "lab_neutrophils",
            "lab_lymphocytes",
            "lab_igm",
            "lab_igg",
            "lab_il6",
            "lab_esr",
            "lab_c3",
        ),
        defects={name: dict(defect.changes) for name, defect in DEFECTS.items()},
        infection=lambda kind, day: infection(kind, day),
        infection_kinds=tuple(INFECTION_TARGETS),
    )


def builtin_models() -> dict[str, BuiltinModel]:
    """All built-in models by name."""
    models = [
        _healthy_entry(),
        BuiltinModel(
            "adalimumab_pk",
            "adalimumab SC, one-compartment PK with label CL, V and F",
            _adalimumab,
        ),
        BuiltinModel(
            "stiff_benchmark",
            "52-state stiff cytokine-network test model with an SC drug (benchmarks only)",
            _benchmark,
        ),
    ]
    return {m.name: m for m in models}


def get_entry(name: str) -> BuiltinModel:
    """The registry entry of a built-in model.

    Raises:
        ModelError: If no built-in model has that name.
    """
    models = builtin_models()
    if name not in models:
        raise ModelError(f"unknown model {name!r}: choose one of {', '.join(sorted(models))}")
    return models[name]


def get_model(name: str) -> Model:
    """Build a built-in model by name.

    Raises:
        ModelError: If no built-in model has that name.
    """
    return get_entry(name).build()
