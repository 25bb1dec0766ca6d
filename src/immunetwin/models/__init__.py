"""Built-in models, by name: what ``immunetwin simulate NAME`` and ``list models`` offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from immunetwin._errors import ModelError
from immunetwin.declaration import Model

__all__ = ["BuiltinModel", "builtin_models", "get_model"]


@dataclass(frozen=True)
class BuiltinModel:
    """A named model factory with what it is for."""

    name: str
    description: str
    build: Callable[[], Model]


def _adalimumab() -> Model:
    from immunetwin.models.pk import adalimumab_pk

    return Model.compose("adalimumab_pk", [adalimumab_pk()])


def _benchmark() -> Model:
    from immunetwin.models.benchmark import stiff_benchmark_model

    return stiff_benchmark_model()


def builtin_models() -> dict[str, BuiltinModel]:
    """All built-in models by name."""
    models = [
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


def get_model(name: str) -> Model:
    """Build a built-in model by name.

    Raises:
        ModelError: If no built-in model has that name.
    """
    models = builtin_models()
    if name not in models:
        raise ModelError(f"unknown model {name!r}: choose one of {', '.join(sorted(models))}")
    return models[name].build()
