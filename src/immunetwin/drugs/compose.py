"""Composition: add drugs' PK modules to a model, and simulate regimens.

``with_drugs(model, regimens)`` returns the model with each drug's PK module
(and, once, the patient-covariate module) appended through
:meth:`immunetwin.Model.with_modules`. Mechanism rules that turn an immune
knob into a function of drug concentration come later, through
``Model.with_modules(..., replace=[knob names])``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from immunetwin._errors import SpecError
from immunetwin.declaration import Model, Module
from immunetwin.drugs._cells import cell_module
from immunetwin.drugs._declarations import Drug
from immunetwin.drugs._pk import COVARIATE_MODULE, covariate_module, pk_module
from immunetwin.drugs.regimen import PatientCovariates, Regimen, parse_regimen, regimen_schedule
from immunetwin.engine import Schedule, SimulationOptions, compiled, output_grid
from immunetwin.sbml import to_sbml

__all__ = [
    "covariate_parameters",
    "drug_modules",
    "pk_model",
    "schedule_source",
    "simulate_regimens",
    "with_drugs",
]

RegimenLike = Regimen | str | Drug


def _library(library: Mapping[str, Drug] | None) -> dict[str, Drug]:
    if library is None:
        from immunetwin.drugs.library import DRUGS

        return dict(DRUGS)
    return dict(library)


def _drugs_of(items: Iterable[RegimenLike], library: dict[str, Drug]) -> list[Drug]:
    names: list[str] = []
    for item in items:
        if isinstance(item, Drug):
            name = item.name
            library.setdefault(name, item)
        elif isinstance(item, Regimen):
            name = item.drug
        else:
            name = _drug_name(item, library) or parse_regimen(item, library).drug
        if name not in library:
            raise SpecError(f"unknown drug {name!r}: choose one of {', '.join(sorted(library))}")
        if name not in names:
            names.append(name)
    return [library[n] for n in names]


def _drug_name(text: str, library: dict[str, Drug]) -> str | None:
    """The drug named by ``text`` alone (a name or alias), or None for regimen text."""
    from immunetwin.drugs.regimen import _key

    key = _key(text)
    for drug in library.values():
        if key in {_key(n) for n in (drug.name, *drug.aliases)}:
            return drug.name
    return None


def drug_modules(
    items: Iterable[RegimenLike], library: Mapping[str, Drug] | None = None
) -> list[Module]:
    """PK modules of the drugs in ``items`` (regimens, regimen text or drugs), each once.

    Raises:
        SpecError: For an unknown drug or a bad regimen.
        ModelError: For a drug without a PK model.
    """
    lib = _library(library)
    return [pk_module(d) for d in _drugs_of(items, lib)]


def with_drugs(
    model: Model,
    regimens: Iterable[RegimenLike],
    library: Mapping[str, Drug] | None = None,
    name: str | None = None,
) -> Model:
    """``model`` with the PK module of every drug in ``regimens`` added.

    Drugs whose module the model already has are skipped, so background and
    add-on therapy of the same drug share one PK module. The covariate module
    (``body_weight``, ``sex_female``) is added unless the model declares it.

    Args:
        model: The model (e.g. the immune model).
        regimens: Regimens, regimen text, or drugs.
        library: Drugs by name (default: the built-in library).
        name: Name of the new model (default: the model's).

    Raises:
        SpecError: For an unknown drug or a bad regimen.
        ModelError: For a drug without a PK model, or a name clash.
    """
    lib = _library(library)
    present = {m.name for m in model.modules}
    modules: list[Module] = []
    if COVARIATE_MODULE not in present and model.kind_of("body_weight") is None:
        modules.append(covariate_module())
    for drug in _drugs_of(regimens, lib):
        if f"{drug.name}_pk" not in present:
            modules.append(cell_module(drug, model) if drug.cells else pk_module(drug))
    if not modules:
        return model
    return model.with_modules(modules, name=name)


def pk_model(
    regimens: Iterable[RegimenLike],
    library: Mapping[str, Drug] | None = None,
    name: str = "drug_pk",
) -> Model:
    """A stand-alone PK model of the drugs in ``regimens`` (with the covariate module)."""
    lib = _library(library)
    modules = [covariate_module(), *(pk_module(d) for d in _drugs_of(regimens, lib))]
    return Model.compose(name, modules)


def simulate_regimens(
    regimens: Sequence[Regimen | str],
    days: float,
    covariates: PatientCovariates | None = None,
    output_times: Sequence[float] | np.ndarray | None = None,
    parameters: Mapping[str, float] | None = None,
    rng: np.random.Generator | None = None,
    points_per_day: float = 24.0,
    library: Mapping[str, Drug] | None = None,
) -> pd.DataFrame:
    """Plasma concentrations (mg/L) of each drug for one patient.

    Args:
        regimens: Regimens or their text.
        days: Simulation length (days).
        covariates: The patient (default 70 kg, 170 cm, male).
        output_times: Times (days); default ``points_per_day`` a day.
        parameters: Extra parameter values (e.g. a patient's sampled PK parameters).
        rng: The patient's generator, for adherence below 100%.
        points_per_day: Output density when no times are given.
        library: Drugs by name (default: the built-in library).

    Returns:
        A DataFrame indexed by time (days), one ``<drug>_concentration`` column per drug.
    """
    lib = _library(library)
    covariates = covariates or PatientCovariates()
    parsed = [r if isinstance(r, Regimen) else parse_regimen(r, lib) for r in regimens]
    model = pk_model(parsed, lib)
    simulator = compiled(to_sbml(model), SimulationOptions(rtol=1e-8, atol=1e-12))
    schedule = regimen_schedule(parsed, covariates, days, rng, lib)
    values = {**covariates.model_parameters(), **(parameters or {})}
    names = [f"{d.name}_concentration" for d in _drugs_of(parsed, lib)]
    times = output_grid(days, output_times, points_per_day)
    index = simulator.parameter_indices(list(values))
    data = simulator.run(times, names, index, np.array(list(values.values())), schedule)
    return pd.DataFrame(data, index=pd.Index(times, name="time"), columns=names)


def covariate_parameters(covariates: Mapping[int, PatientCovariates]) -> pd.DataFrame:
    """Covariate parameters per patient (``body_weight``, ``sex_female``), indexed by patient id.

    Join it to sampled PK parameters to build ``run_population``'s parameter table.
    """
    rows = {pid: c.model_parameters() for pid, c in covariates.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "patient_id"
    return frame


def schedule_source(
    regimens: Sequence[Regimen | str],
    covariates: Mapping[int, PatientCovariates] | PatientCovariates | None,
    horizon_days: float,
    library: Mapping[str, Drug] | None = None,
) -> Callable[[int, np.random.Generator], Schedule]:
    """A ``schedules`` argument for ``run_population``: each patient's dosing schedule.

    The runner calls it with the patient id and the patient's own schedule
    generator, so missed doses depend on the run seed and the patient only.

    Args:
        regimens: Regimens or their text (parsed once here).
        covariates: Per-patient covariates by patient id, or one set for everybody.
        horizon_days: Simulation end (days).
        library: Drugs by name (default: the built-in library).
    """
    lib = _library(library)
    parsed = [r if isinstance(r, Regimen) else parse_regimen(r, lib) for r in regimens]

    def source(patient: int, rng: np.random.Generator) -> Schedule:
        if covariates is None or isinstance(covariates, PatientCovariates):
            patient_covariates = covariates
        else:
            patient_covariates = covariates[patient]
        return regimen_schedule(parsed, patient_covariates, horizon_days, rng, lib)

    return source
