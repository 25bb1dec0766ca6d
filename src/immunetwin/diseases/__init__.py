"""The disease library: diseases as data on the shared immune model (issue 4)."""

from immunetwin.diseases.crohns import CROHNS as CROHNS
from immunetwin.diseases.declaration import Covariate as Covariate
from immunetwin.diseases.declaration import Demographics as Demographics
from immunetwin.diseases.declaration import Disease as Disease
from immunetwin.diseases.declaration import ParameterChange as ParameterChange
from immunetwin.diseases.irae import IRAE as IRAE
from immunetwin.diseases.irae import MELANOMA_ICI as MELANOMA_ICI
from immunetwin.diseases.lupus_nephritis import LUPUS_NEPHRITIS as LUPUS_NEPHRITIS
from immunetwin.diseases.monogenic import ALPS as ALPS
from immunetwin.diseases.monogenic import APS1 as APS1
from immunetwin.diseases.monogenic import CVID as CVID
from immunetwin.diseases.monogenic import IPEX as IPEX
from immunetwin.diseases.ms import MS as MS
from immunetwin.diseases.population import disease_model as disease_model
from immunetwin.diseases.population import virtual_population as virtual_population
from immunetwin.diseases.ra import RA as RA
from immunetwin.diseases.sle import SLE as SLE
from immunetwin.diseases.t1d import T1D as T1D
from immunetwin.diseases.thyroiditis import THYROIDITIS as THYROIDITIS

DISEASES: dict[str, Disease] = {
    d.name: d
    for d in (
        SLE,
        LUPUS_NEPHRITIS,
        RA,
        CROHNS,
        THYROIDITIS,
        ALPS,
        APS1,
        IPEX,
        CVID,
        IRAE,
        MELANOMA_ICI,
        MS,
        T1D,
    )
}

__all__ = [
    "ALPS",
    "APS1",
    "CROHNS",
    "CVID",
    "DISEASES",
    "IPEX",
    "IRAE",
    "LUPUS_NEPHRITIS",
    "MELANOMA_ICI",
    "MS",
    "RA",
    "SLE",
    "T1D",
    "THYROIDITIS",
    "Covariate",
    "Demographics",
    "Disease",
    "ParameterChange",
    "disease_model",
    "virtual_population",
]
