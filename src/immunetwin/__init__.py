"""ImmuneTwin: an in-silico human immune system for autoimmune disease.

The public API is re-exported here; everything else may change.
"""

from typing import TYPE_CHECKING, Any

from immunetwin._errors import ImmuneTwinError as ImmuneTwinError
from immunetwin._errors import ModelError as ModelError
from immunetwin._errors import SimulationError as SimulationError
from immunetwin._errors import SpecError as SpecError
from immunetwin.declaration import Compartment as Compartment
from immunetwin.declaration import Event as Event
from immunetwin.declaration import LogitNormal as LogitNormal
from immunetwin.declaration import LogNormal as LogNormal
from immunetwin.declaration import Model as Model
from immunetwin.declaration import Module as Module
from immunetwin.declaration import Normal as Normal
from immunetwin.declaration import Parameter as Parameter
from immunetwin.declaration import Reaction as Reaction
from immunetwin.declaration import Rule as Rule
from immunetwin.declaration import Species as Species

if TYPE_CHECKING:
    from immunetwin.engine import Schedule as Schedule
    from immunetwin.engine import SimulationOptions as SimulationOptions
    from immunetwin.engine import Simulator as Simulator
    from immunetwin.engine import StateChange as StateChange
    from immunetwin.sbml import check_sbml as check_sbml
    from immunetwin.sbml import to_sbml as to_sbml
    from immunetwin.sbml import write_sbml as write_sbml

__version__ = "0.1.0"

# Heavy names load on first use (PEP 562), so worker processes that import one
# submodule do not pay for libSBML or pandas.
_LAZY = {
    "Schedule": "immunetwin.engine",
    "SimulationOptions": "immunetwin.engine",
    "Simulator": "immunetwin.engine",
    "StateChange": "immunetwin.engine",
    "check_sbml": "immunetwin.sbml",
    "to_sbml": "immunetwin.sbml",
    "write_sbml": "immunetwin.sbml",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'immunetwin' has no attribute {name!r}")


__all__ = [
    "Compartment",
    "Event",
    "ImmuneTwinError",
    "LogNormal",
    "LogitNormal",
    "Model",
    "ModelError",
    "Module",
    "Normal",
    "Parameter",
    "Reaction",
    "Rule",
    "Schedule",
    "SimulationError",
    "SimulationOptions",
    "Simulator",
    "SpecError",
    "Species",
    "StateChange",
    "check_sbml",
    "to_sbml",
    "write_sbml",
]
