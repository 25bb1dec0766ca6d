"""The ImmuneTwin immune-system model (issue 3).

Build it with :func:`build_immune_model`; organs are instances of :func:`tissue_module`;
defects and drugs change the named :data:`KNOBS` (see :data:`DEFECTS`).
"""

from immunetwin.immune.docs import parameter_table_markdown as parameter_table_markdown
from immunetwin.immune.knobs import DEFECTS as DEFECTS
from immunetwin.immune.knobs import DRUG_TARGETS as DRUG_TARGETS
from immunetwin.immune.knobs import KNOBS as KNOBS
from immunetwin.immune.knobs import knob_table as knob_table
from immunetwin.immune.model import build_immune_model as build_immune_model
from immunetwin.immune.model import immune_modules as immune_modules
from immunetwin.immune.tissue import OPTIONAL_ORGANS as OPTIONAL_ORGANS
from immunetwin.immune.tissue import ORGAN_SPECS as ORGAN_SPECS
from immunetwin.immune.tissue import ORGANS as ORGANS
from immunetwin.immune.tissue import OrganSpec as OrganSpec
from immunetwin.immune.tissue import tissue_module as tissue_module

__all__ = [
    "DEFECTS",
    "DRUG_TARGETS",
    "KNOBS",
    "OPTIONAL_ORGANS",
    "ORGANS",
    "ORGAN_SPECS",
    "OrganSpec",
    "build_immune_model",
    "immune_modules",
    "knob_table",
    "parameter_table_markdown",
    "tissue_module",
]
