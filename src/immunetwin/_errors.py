"""Exceptions that carry one clear, user-facing line."""


class ImmuneTwinError(Exception):
    """Base class for errors the user can fix; the CLI prints them as one line."""


class ModelError(ImmuneTwinError):
    """A model declaration is invalid (unknown symbol, duplicate name, unit mismatch...)."""


class SpecError(ImmuneTwinError):
    """A run or trial specification is invalid."""


class SimulationError(ImmuneTwinError):
    """A solve failed; in a population this is recorded per patient instead of raised."""
