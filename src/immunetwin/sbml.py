"""Export a declared :class:`~immunetwin.declaration.Model` to SBML Level 3 Version 2.

Every model ImmuneTwin simulates goes through this file, so what is simulated
is exactly what COPASI or Tellurium would open. Units are exported as SBML unit
definitions (days as 86400 s); each element's source and description travel as
SBML notes.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import libsbml

from immunetwin._errors import ModelError
from immunetwin._expressions import parse_expression, to_sbml_formula
from immunetwin._units import Unit, parse_unit, sbml_unit_terms
from immunetwin.declaration import Model

__all__ = ["check_sbml", "to_sbml", "write_sbml"]

_KIND = {
    "second": libsbml.UNIT_KIND_SECOND,
    "litre": libsbml.UNIT_KIND_LITRE,
    "gram": libsbml.UNIT_KIND_GRAM,
    "mole": libsbml.UNIT_KIND_MOLE,
    "item": libsbml.UNIT_KIND_ITEM,
    "dimensionless": libsbml.UNIT_KIND_DIMENSIONLESS,
}


def _ok(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ModelError(
            f"SBML export failed at {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


class _Units:
    """Creates one SBML unit definition per distinct unit, with readable ids."""

    def __init__(self, model: libsbml.Model) -> None:
        self._model = model
        self._ids: dict[Unit, str] = {}

    def id_for(self, unit: Unit, label: str) -> str:
        if unit in self._ids:
            return self._ids[unit]
        base = "u_" + re.sub(r"\W+", "_", label.replace("/", "_per_").replace("%", "percent"))
        uid, n = base.strip("_"), 1
        while self._model.getUnitDefinition(uid) is not None:
            n += 1
            uid = f"{base}_{n}"
        definition = self._model.createUnitDefinition()
        _ok(definition.setId(uid), f"unit {label}")
        definition.setName(label)
        for kind, exponent, multiplier in sbml_unit_terms(unit):
            term = definition.createUnit()
            term.setKind(_KIND[kind])
            term.setExponent(exponent)
            term.setScale(0)
            term.setMultiplier(multiplier)
        self._ids[unit] = uid
        return uid


def _notes(element: libsbml.SBase, **fields: str) -> None:
    text = "".join(
        f"<p>{html.escape(key)}: {html.escape(value)}</p>" for key, value in fields.items() if value
    )
    if text:
        element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml">{text}</body>')


def _math(formula_source: str, where: str) -> libsbml.ASTNode:
    formula = to_sbml_formula(parse_expression(formula_source, where))
    node = libsbml.parseL3Formula(formula)
    if node is None:
        raise ModelError(f"{where}: SBML cannot parse {formula!r}: {libsbml.getLastParseL3Error()}")
    return node


def to_sbml(model: Model) -> str:
    """Return the model as an SBML Level 3 Version 2 document (a string)."""
    document = libsbml.SBMLDocument(3, 2)
    sbml = document.createModel()
    sbml.setId(model.name)
    sbml.setName(model.name)
    units = _Units(sbml)
    day = units.id_for(parse_unit("day"), "day")
    sbml.setTimeUnits(day)

    for compartment in model.compartments:
        c = sbml.createCompartment()
        _ok(c.setId(compartment.name), compartment.name)
        c.setSize(compartment.size)
        c.setConstant(True)
        c.setSpatialDimensions(3)
        c.setUnits(units.id_for(model.unit_of(compartment.name), compartment.unit))
        _notes(c, source=compartment.source, description=compartment.description)

    for species in model.species:
        s = sbml.createSpecies()
        _ok(s.setId(species.name), species.name)
        s.setCompartment(species.compartment)
        unit = model.unit_of(species.name)
        is_concentration = unit.volume_exponent == -1
        substance = unit * model.unit_of(species.compartment) if is_concentration else unit
        s.setSubstanceUnits(units.id_for(substance, f"{species.unit}*{species.compartment}"))
        if is_concentration:
            s.setInitialConcentration(species.initial)
        else:
            s.setInitialAmount(species.initial)
        s.setHasOnlySubstanceUnits(not is_concentration)
        s.setBoundaryCondition(species.constant)
        s.setConstant(species.constant)
        _notes(s, unit=species.unit, source=species.source, description=species.description)

    event_targets = {t for event in model.events for t in event.assignments}
    for parameter in model.parameters:
        p = sbml.createParameter()
        _ok(p.setId(parameter.name), parameter.name)
        p.setValue(parameter.value)
        p.setConstant(parameter.name not in event_targets)
        p.setUnits(units.id_for(model.unit_of(parameter.name), parameter.unit))
        variability = repr(parameter.variability) if parameter.variability else ""
        _notes(
            p,
            unit=parameter.unit,
            source=parameter.source,
            variability=variability,
            description=parameter.description,
        )

    for rule in model.rules:
        p = sbml.createParameter()
        _ok(p.setId(rule.name), rule.name)
        p.setConstant(False)
        p.setUnits(units.id_for(model.unit_of(rule.name), rule.unit))
        _notes(p, unit=rule.unit, description=rule.description)
        r = sbml.createAssignmentRule()
        r.setVariable(rule.name)
        _ok(r.setMath(_math(rule.expression, f"rule {rule.name!r}")), rule.name)

    species_names = {s.name for s in model.species}
    for reaction in model.reactions:
        r = sbml.createReaction()
        _ok(r.setId(reaction.name), reaction.name)
        r.setReversible(False)
        for name, n in reaction.reactants.items():
            ref = r.createReactant()
            ref.setSpecies(name)
            ref.setStoichiometry(float(n))
            ref.setConstant(True)
        for name, n in reaction.products.items():
            ref = r.createProduct()
            ref.setSpecies(name)
            ref.setStoichiometry(float(n))
            ref.setConstant(True)
        participants = {*reaction.reactants, *reaction.products}
        for name in sorted(parse_expression(reaction.rate).symbols & species_names - participants):
            modifier = r.createModifier()
            modifier.setSpecies(name)
        volume = model.reaction_compartment(reaction)
        law = r.createKineticLaw()
        rate = reaction.rate if volume is None else f"{volume} * ({reaction.rate})"
        if volume is not None:
            r.setCompartment(volume)
        _ok(law.setMath(_math(rate, f"reaction {reaction.name!r}")), reaction.name)
        _notes(r, description=reaction.description)

    for event in model.events:
        e = sbml.createEvent()
        _ok(e.setId(event.name), event.name)
        e.setUseValuesFromTriggerTime(True)
        trigger = e.createTrigger()
        trigger.setInitialValue(False)
        trigger.setPersistent(True)
        _ok(trigger.setMath(_math(event.trigger, f"event {event.name!r}")), event.name)
        for target, text in event.assignments.items():
            assignment = e.createEventAssignment()
            assignment.setVariable(target)
            _ok(assignment.setMath(_math(text, f"event {event.name!r}")), event.name)
        _notes(e, description=event.description)

    return libsbml.writeSBMLToString(document)


def check_sbml(text: str) -> list[str]:
    """Run libSBML's consistency checks; return the error messages (warnings ignored)."""
    document = libsbml.readSBMLFromString(text)
    document.checkConsistency()
    errors = []
    for i in range(document.getNumErrors()):
        error = document.getError(i)
        if error.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {error.getLine()}: {error.getMessage().strip()}")
    return errors


def write_sbml(model: Model, path: str | Path) -> Path:
    """Write the model's SBML to ``path`` atomically and return the path."""
    from immunetwin._io import atomic_write_text

    return atomic_write_text(Path(path), to_sbml(model))
