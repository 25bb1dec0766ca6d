"""The therapy library: drugs as data, regimens as text, PK modules for composition.

Public names::

    from immunetwin.drugs import DRUGS, Regimen, PatientCovariates, regimen_schedule, with_drugs

    regimen = Regimen.parse("adalimumab 40 mg SC every 14 days")
    model = with_drugs(immune_model, [regimen, "methotrexate 15 mg weekly"])
    schedule = regimen_schedule([regimen], PatientCovariates(weight_kg=80), horizon_days=168)
"""

from immunetwin.drugs._declarations import Drug as Drug
from immunetwin.drugs._declarations import Effect as Effect
from immunetwin.drugs._declarations import PKModel as PKModel
from immunetwin.drugs._declarations import Quantity as Quantity
from immunetwin.drugs._declarations import Route as Route
from immunetwin.drugs._declarations import TimeVaryingClearance as TimeVaryingClearance
from immunetwin.drugs._pk import covariate_module as covariate_module
from immunetwin.drugs._pk import pk_module as pk_module
from immunetwin.drugs.compose import covariate_parameters as covariate_parameters
from immunetwin.drugs.compose import drug_modules as drug_modules
from immunetwin.drugs.compose import pk_model as pk_model
from immunetwin.drugs.compose import schedule_source as schedule_source
from immunetwin.drugs.compose import simulate_regimens as simulate_regimens
from immunetwin.drugs.compose import with_drugs as with_drugs
from immunetwin.drugs.docs import drug_markdown as drug_markdown
from immunetwin.drugs.docs import drug_table as drug_table
from immunetwin.drugs.docs import write_drug_docs as write_drug_docs
from immunetwin.drugs.library import DRUGS as DRUGS
from immunetwin.drugs.pd import with_drug_effects as with_drug_effects
from immunetwin.drugs.regimen import Dose as Dose
from immunetwin.drugs.regimen import DoseEvent as DoseEvent
from immunetwin.drugs.regimen import PatientCovariates as PatientCovariates
from immunetwin.drugs.regimen import Phase as Phase
from immunetwin.drugs.regimen import Regimen as Regimen
from immunetwin.drugs.regimen import parse_regimen as parse_regimen
from immunetwin.drugs.regimen import regimen_schedule as regimen_schedule


def drug_names() -> list[str]:
    """Names of all declared drugs, sorted."""
    return sorted(DRUGS)


def get_drug(name: str) -> Drug:
    """The drug called ``name`` (or one of its aliases).

    Raises:
        SpecError: If no drug has that name.
    """
    from immunetwin._errors import SpecError
    from immunetwin.drugs.regimen import _key

    key = _key(name)
    for drug in DRUGS.values():
        if key in {_key(n) for n in (drug.name, *drug.aliases)}:
            return drug
    raise SpecError(f"unknown drug {name!r}: choose one of {', '.join(sorted(DRUGS))}")
