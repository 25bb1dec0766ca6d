"""The disease library: diseases as data on the shared immune model (issue 4)."""

from immunetwin.diseases.declaration import Covariate as Covariate
from immunetwin.diseases.declaration import Demographics as Demographics
from immunetwin.diseases.declaration import Disease as Disease
from immunetwin.diseases.declaration import ParameterChange as ParameterChange
from immunetwin.diseases.population import disease_model as disease_model
from immunetwin.diseases.population import virtual_population as virtual_population
from immunetwin.diseases.ra import RA as RA
from immunetwin.diseases.sle import SLE as SLE

DISEASES: dict[str, Disease] = {d.name: d for d in (SLE, RA)}

__all__ = [
    "DISEASES",
    "RA",
    "SLE",
    "Covariate",
    "Demographics",
    "Disease",
    "ParameterChange",
    "disease_model",
    "virtual_population",
]
