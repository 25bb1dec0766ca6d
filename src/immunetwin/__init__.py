"""ImmuneTwin: an in-silico human immune system for autoimmune disease.

The public API is re-exported here; everything else may change.
"""

from immunetwin._errors import ImmuneTwinError as ImmuneTwinError
from immunetwin._errors import ModelError as ModelError
from immunetwin._errors import SimulationError as SimulationError
from immunetwin._errors import SpecError as SpecError
from immunetwin.declaration import Compartment as Compartment
from immunetwin.declaration import Event as Event
from immunetwin.declaration import LogNormal as LogNormal
from immunetwin.declaration import Model as Model
from immunetwin.declaration import Module as Module
from immunetwin.declaration import Normal as Normal
from immunetwin.declaration import Parameter as Parameter
from immunetwin.declaration import Reaction as Reaction
from immunetwin.declaration import Rule as Rule
from immunetwin.declaration import Species as Species
from immunetwin.engine import Schedule as Schedule
from immunetwin.engine import SimulationOptions as SimulationOptions
from immunetwin.engine import Simulator as Simulator
from immunetwin.engine import StateChange as StateChange
from immunetwin.sbml import check_sbml as check_sbml
from immunetwin.sbml import to_sbml as to_sbml
from immunetwin.sbml import write_sbml as write_sbml

__version__ = "0.1.0"
