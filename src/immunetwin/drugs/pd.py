"""Pharmacodynamics: drug effects turn immune-model hooks into rules of drug concentration.

Every :class:`~immunetwin.drugs.Effect` that names a ``knob`` (a hook parameter of the
immune model: ``tnf_free_fraction``, ``cd20_depletion_rate``, ``fcrn_level``...) acts
through one generic builder. For each targeted hook, :func:`pd_module` declares

- ``<hook>_baseline``: the model's value of the hook, copied with its unit and source;
- per drug and hook, ``<drug>_<hook>_ec50`` (mg/L, from the effect's potency),
  ``<drug>_<hook>_emax`` and ``<drug>_<hook>_hill`` (from :data:`EFFECT_PARAMETERS`
  or the defaults of the effect kind);
- a rule ``<hook>`` that replaces the constant:

  * dimensionless hooks (1 without drug): ``baseline * prod(factor)`` with
    ``factor = 1 - emax * H`` for inhibiting kinds (neutralise, block_receptor,
    inhibit_signalling, inhibit_proliferation, suppress_production, block_migration)
    and ``1 + emax * H`` for stimulating kinds (agonise, partial_agonise, expand);
  * rate hooks (``cd20_depletion_rate``, 0 without drug): ``baseline + sum(emax * H)``
    with ``emax`` in the hook's unit (a product with a zero baseline would stay zero);
  * ``replace`` (``exogenous_igg``, g/L): no potency; the drug itself is added,
    ``baseline + C * grams_per_milligram`` (infused IgG).

``H = (C/EC50)**n / (1 + (C/EC50)**n)`` reads the drug's effect-site concentration
when the PK model has one, else its plasma concentration. The module is composed with
``model.with_modules([module], replace=[hooks])``; parameters are one set per drug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from immunetwin._errors import ModelError
from immunetwin._units import parse_unit
from immunetwin.declaration import Model, Module, Parameter, Rule
from immunetwin.drugs._declarations import Drug, Effect, Quantity
from immunetwin.drugs.compose import RegimenLike, _drugs_of, _library, with_drugs

__all__ = [
    "EFFECT_PARAMETERS",
    "INHIBITING",
    "STIMULATING",
    "EffectParameters",
    "hooked_effects",
    "pd_module",
    "unhooked_effects",
    "with_drug_effects",
]

INHIBITING = frozenset(
    {
        "neutralise",
        "block_receptor",
        "inhibit_signalling",
        "inhibit_proliferation",
        "suppress_production",
        "block_migration",
    }
)
STIMULATING = frozenset({"agonise", "partial_agonise", "expand"})
REPLACE = "replace"
DEPLETE = "deplete"

GC_ADHESION_EMAX = 0.6
MTX_ADENOSINE_EMAX = 0.5
ALDESLEUKIN_TREG_EMAX = 15.0

_FULL = "definition: complete inhibition at saturating concentration"
_HILL1 = "assumption: simple occupancy (Hill coefficient 1)"


@dataclass(frozen=True)
class EffectParameters:
    """Maximal effect and steepness of one drug's effect on one hook.

    Attributes:
        emax: Maximal effect: a fraction (dimensionless) for factor hooks, or a rate in
            the hook's unit for additive (rate) hooks.
        hill: Hill coefficient (dimensionless).
    """

    emax: Quantity
    hill: Quantity = field(default_factory=lambda: Quantity(1.0, "dimensionless", _HILL1))


_ANTI_CD20_KMAX = Quantity(
    2.0,
    "1/day",
    "calibrated: >90% fall of circulating B cells within days of rituximab 1 g "
    "(Rituxan label; Breedveld et al. J Clin Pharmacol 2007;47:1119)",
)

_GC_ADHESION_EMAX = Quantity(
    GC_ADHESION_EMAX,
    "dimensionless",
    "calibrated: sustained neutrophilia on prednisone 40 mg/day (blood leukocytes +~4.8e9/L "
    "within 2 weeks: Shoenfeld et al. Am J Med 1981;71:773) and the glucocorticoid dose "
    "dependence of hospitalised infection (George et al. Ann Intern Med 2020, "
    "trials_calibration.csv George2020)",
)

# Emax and Hill per (drug, hook) where the effect-kind default does not hold.
EFFECT_PARAMETERS: Mapping[tuple[str, str], EffectParameters] = {
    ("rituximab", "cd20_depletion_rate"): EffectParameters(_ANTI_CD20_KMAX),
    ("ocrelizumab", "cd20_depletion_rate"): EffectParameters(_ANTI_CD20_KMAX),
    ("obinutuzumab", "cd20_depletion_rate"): EffectParameters(
        Quantity(
            4.0,
            "1/day",
            "assumption: type II anti-CD20 depletes more deeply than rituximab (about twice "
            "its maximal rate; Furie et al. Ann Rheum Dis 2022, unconfirmed)",
        )
    ),
    ("natalizumab", "lymphocyte_cns_entry"): EffectParameters(
        Quantity(
            0.92,
            "dimensionless",
            "literature: part of the CNS entry of effector T cells does not need alpha4 "
            "integrin (Th17 cells enter through LFA-1/ICAM-1 and the choroid plexus: "
            "Rothhammer et al. J Exp Med 2011;208:2465; Glatigny et al. J Immunol "
            "2011;187:6176); its size from AFFIRM's 92% fewer gadolinium-enhancing lesions "
            "on natalizumab (Polman et al. NEJM 2006; recalled), an endpoint the calibration "
            "does not fit. With full blockade (Emax 1) ARR fell to 0.07-0.12 vs 0.22 at any "
            "potency",
        )
    ),
    ("prednisone", "cytokine_production_factor"): EffectParameters(
        Quantity(
            0.8,
            "dimensionless",
            "assumption: high-dose glucocorticoid lowers LPS-stimulated TNF/IL-6 production "
            "by ~80% (Rhen & Cidlowski NEJM 2005; unconfirmed)",
        )
    ),
    ("methylprednisolone", "cytokine_production_factor"): EffectParameters(
        Quantity(
            0.8,
            "dimensionless",
            "assumption: as prednisolone (Rhen & Cidlowski NEJM 2005; unconfirmed)",
        )
    ),
    ("voclosporin", "cytokine_production_factor"): EffectParameters(
        Quantity(
            0.6,
            "dimensionless",
            "assumption: calcineurin inhibition blocks NFAT-driven IL-2/IFN-g fully but "
            "NF-kB-driven TNF/IL-6 only partly (unconfirmed)",
        )
    ),
    ("nivolumab", "pd1_strength"): EffectParameters(
        Quantity(0.9, "dimensionless", "immune.knobs DEFECTS pd1_blockade (pd1_strength 0.1)")
    ),
    ("pembrolizumab", "pd1_strength"): EffectParameters(
        Quantity(0.9, "dimensionless", "immune.knobs DEFECTS pd1_blockade (pd1_strength 0.1)")
    ),
    ("ipilimumab", "ctla4_strength"): EffectParameters(
        Quantity(0.7, "dimensionless", "immune.knobs DEFECTS ctla4_blockade (ctla4_strength 0.3)")
    ),
    ("prednisone", "lymphocyte_proliferation_factor"): EffectParameters(
        Quantity(0.8, "dimensionless", "assumption: as cytokine production (unconfirmed)")
    ),
    ("methylprednisolone", "lymphocyte_proliferation_factor"): EffectParameters(
        Quantity(0.8, "dimensionless", "assumption: as cytokine production (unconfirmed)")
    ),
    ("prednisone", "neutrophil_adhesion_factor"): EffectParameters(_GC_ADHESION_EMAX),
    ("methylprednisolone", "neutrophil_adhesion_factor"): EffectParameters(_GC_ADHESION_EMAX),
    ("aldesleukin_low_dose", "treg_proliferation_factor"): EffectParameters(
        Quantity(
            ALDESLEUKIN_TREG_EMAX,
            "dimensionless",
            "calibrated: Treg share of CD4 T cells about doubles within a week of low-dose "
            "IL-2 (1 MIU/day x5: Rosenzwajg et al. Ann Rheum Dis 2019;78:209; SLE 1 MIU every "
            "other day: He et al. Nat Med 2016;22:991)",
        )
    ),
    ("aldesleukin_low_dose", "lymphocyte_proliferation_factor"): EffectParameters(
        Quantity(
            1.0,
            "dimensionless",
            "assumption: saturating IL-2 at most doubles effector proliferation above the "
            "endogenous IL-2 drive (unconfirmed)",
        )
    ),
    ("cd19_car_t", "cd20_depletion_rate"): EffectParameters(
        Quantity(
            2.0,
            "1/day",
            "assumption: as anti-CD20 (calibrated to >90% fall of circulating B cells within "
            "days; Mackensen et al. Nat Med 2022: B cells undetectable within days of the "
            "CAR-T peak)",
        )
    ),
    ("cd19_car_t", "plasmablast_depletion_rate"): EffectParameters(
        Quantity(2.0, "1/day", "assumption: as for B cells (both CD19+)")
    ),
    ("cd19_car_t", "cell_therapy_il6_release_rate"): EffectParameters(
        Quantity(
            2000.0,
            "pg/mL/day",
            "calibrated: peak IL-6 of tens of pg/mL and CRS grade 1-2 in most SLE patients "
            "(Mueller et al. N Engl J Med 2024;390:687: grade 1 in 10 of 15, grade 2 in 1)",
        )
    ),
    ("teplizumab", "effector_t_depletion_rate"): EffectParameters(
        Quantity(
            1.0,
            "1/day",
            "assumption: CD3 engagement clears circulating activated T cells within days "
            "(Tzield label: lymphopenia in most patients, nadir by day 5 of the course)",
        )
    ),
    ("teplizumab", "effector_t_exhaustion_rate"): EffectParameters(
        Quantity(
            0.2,
            "1/day",
            "assumption: a 14-day course leaves most self-reactive CD8 T cells exhausted-like "
            "(1 - exp(-0.2 x 14) = 94% at saturating exposure; Long et al. Sci Immunol 2016)",
        )
    ),
    ("interferon_beta_1a", "lymphocyte_cns_entry"): EffectParameters(
        Quantity(
            0.55,
            "dimensionless",
            "calibrated: annualised relapse rate -33% on 44 ug SC three times weekly over 2 "
            "years (PRISMS, Lancet 1998;352:1498: 0.87 vs 1.28 on placebo); unconfirmed",
        )
    ),
    ("ivig", "fc_gamma_receptor_function"): EffectParameters(
        Quantity(
            0.9,
            "dimensionless",
            "assumption: IVIG blocks most but not all splenic Fc-gamma-receptor clearance "
            "(platelets rise above 50e3/uL in ~80% of ITP patients after 2 g/kg; Imbach 1981)",
        )
    ),
    ("methotrexate", "myeloid_activation_factor"): EffectParameters(
        Quantity(
            MTX_ADENOSINE_EMAX,
            "dimensionless",
            "assumption: adenosine A2A signalling at most halves macrophage and neutrophil "
            "activation (TNF and IL-12 release, oxidative burst; Hasko & Cronstein Trends "
            "Immunol 2004;25:33; size unconfirmed). Methotrexate alone gives ACR20 in about "
            "half of patients, ACR70 in few (Strand et al. 1999: 46%)",
        )
    ),
    ("aldesleukin_low_dose", "nk_il2_proliferation_rate"): EffectParameters(
        Quantity(
            0.5,
            "1/day",
            "assumption: NK doubling time ~1.4 d at saturating IL-2 (NK cells expand several-"
            "fold within 1-2 weeks of high-dose IL-2; unconfirmed)",
        )
    ),
}


def _default_parameters(effect: Effect, hook_unit: str) -> EffectParameters:
    if parse_unit(hook_unit).same_dimension(parse_unit("dimensionless")):
        if effect.kind in INHIBITING:
            return EffectParameters(Quantity(1.0, "dimensionless", _FULL))
        if effect.kind in STIMULATING:
            raise ModelError(
                f"stimulating effect on {effect.knob!r} needs an Emax in EFFECT_PARAMETERS"
            )
    raise ModelError(
        f"effect {effect.kind!r} on {effect.knob!r} needs an Emax in EFFECT_PARAMETERS"
    )


def hooked_effects(drug: Drug) -> list[Effect]:
    """The effects of ``drug`` that act through an immune-model hook (``knob``)."""
    return [e for e in drug.mechanism if e.knob is not None]


def unhooked_effects(drugs: Iterable[Drug]) -> list[tuple[str, Effect]]:
    """(drug name, effect) for every effect without a hook: described, not simulated.

    Cell products that join a pool of the model act by their dose (adoptive Tregs
    become Tregs), so their effects are simulated without a hook.
    """
    return [
        (d.name, e)
        for d in drugs
        for e in d.mechanism
        if e.knob is None and (d.cells is None or d.cells.pool is None)
    ]


def _potency(drug: Drug, effect: Effect) -> tuple[float, str, str]:
    """The effect's potency in the unit of the drug's concentration: value, unit, source.

    mg/L for drugs with PK; cells/uL (of lymphoid tissue) for cell therapies.
    """
    q = effect.potency
    if q is None:
        raise ModelError(
            f"drug {drug.name!r}: effect on {effect.knob!r} has no potency (EC50/IC50): "
            "fill it in the library with a source or 'calibrated: <to what>'"
        )
    if drug.cells is not None:
        try:
            return q.to("cells/uL"), "cells/uL", q.source
        except ModelError:
            raise ModelError(
                f"drug {drug.name!r}: a cell therapy's potency must be in cells/uL, got {q.text()}"
            ) from None
    value, source = _potency_mg_per_l(drug, q)
    return value, "mg/L", source


def _potency_mg_per_l(drug: Drug, q: Quantity) -> tuple[float, str]:
    """A potency in mg/L of the PK model's concentration, and its source."""
    unit = parse_unit(q.unit)
    if unit.same_dimension(parse_unit("mg/L")):
        return q.to("mg/L"), q.source
    pk = drug.pk
    if unit.same_dimension(parse_unit("nmol/L")) and pk and pk.molecular_weight:
        grams_per_mol = pk.molecular_weight.to("g/mol")
        # 1 nmol/L of a 1 g/mol compound is 1e-9 g/L = 1e-6 mg/L.
        value = q.to("nmol/L") * grams_per_mol * 1e-6
        return value, f"{q.source} ({q.text()} at {grams_per_mol:g} g/mol)"
    if unit.same_dimension(parse_unit("IU/mL")) and pk and pk.units_per_mg:
        value = q.to("IU/L") / pk.units_per_mg.to("IU/mg")
        return value, f"{q.source} ({q.text()} at {pk.units_per_mg.text()})"
    raise ModelError(f"drug {drug.name!r}: cannot convert potency {q.text()} to mg/L")


def _concentration(drug: Drug) -> str:
    if drug.pk is not None and drug.pk.effect_half_life is not None:
        return f"{drug.name}_effect_site"
    return f"{drug.name}_concentration"


def _hill(conc: str, ec50: str, n: str) -> str:
    return f"(({conc}/{ec50})**{n} / (1 + ({conc}/{ec50})**{n}))"


def _replacement(drug: Drug, hook: str, unit: str, model: Model) -> str:
    """The drug itself joins the hook's quantity: its concentration in the hook's unit."""
    if drug.pk is None or drug.pk.concentration_unit != "mg/L" or unit != "g/L":
        raise ModelError(
            f"replacement by {drug.name!r} needs a concentration in mg/L and a hook in g/L, "
            f"got hook {hook!r} in {unit}"
        )
    if model.kind_of("grams_per_milligram") is None:
        raise ModelError(f"replacement by {drug.name!r} needs 'grams_per_milligram' in the model")
    return f"{_concentration(drug)} * grams_per_milligram"


def pd_module(
    model: Model, drugs: Iterable[Drug], name: str = "drug_pd"
) -> tuple[Module, list[str]]:
    """One module redefining every hook the drugs target, and the hooks it replaces.

    Args:
        model: The model holding the hooks as parameters (and the drugs' PK modules).
        drugs: The drugs whose hooked effects act.
        name: Module name.

    Returns:
        The module and the names of the hook parameters it replaces.

    Raises:
        ModelError: For a hook the model lacks (or that is no longer a parameter), an
            effect without potency, or a potency or Emax that cannot be converted.
    """
    by_hook: dict[str, list[tuple[Drug, Effect]]] = {}
    for drug in drugs:
        for effect in hooked_effects(drug):
            by_hook.setdefault(str(effect.knob), []).append((drug, effect))
    parameters: list[Parameter] = []
    rules: list[Rule] = []
    for hook, acting in by_hook.items():
        if model.kind_of(hook) != "parameter":
            raise ModelError(
                f"hook {hook!r} is not a parameter of model {model.name!r} "
                f"(it is {model.kind_of(hook)}): cannot act on it"
            )
        base: Parameter = model.element(hook)  # type: ignore[assignment]
        dimensionless = parse_unit(base.unit).same_dimension(parse_unit("dimensionless"))
        parameters.append(
            Parameter(
                f"{hook}_baseline",
                base.value,
                base.unit,
                source=base.source,
                variability=base.variability,
                description=f"{hook} without drug (copied from the model). {base.description}",
            )
        )
        factors: list[str] = []
        terms: list[str] = []
        for drug, effect in acting:
            if effect.kind == REPLACE:
                terms.append(_replacement(drug, hook, base.unit, model))
                continue
            prefix = f"{drug.name}_{hook}"
            ec50, ec50_unit, ec50_source = _potency(drug, effect)
            pars = EFFECT_PARAMETERS.get((drug.name, hook)) or _default_parameters(
                effect, base.unit
            )
            emax_unit = "dimensionless" if dimensionless else base.unit
            parameters += [
                Parameter(
                    f"{prefix}_ec50",
                    ec50,
                    ec50_unit,
                    source=ec50_source,
                    description=f"{drug.name} concentration of half-maximal effect on {hook}.",
                ),
                Parameter(
                    f"{prefix}_emax",
                    pars.emax.to(emax_unit),
                    emax_unit,
                    source=pars.emax.source,
                    description=f"Maximal effect of {drug.name} on {hook} ({effect.kind}).",
                ),
                Parameter(
                    f"{prefix}_hill",
                    pars.hill.to("dimensionless"),
                    "dimensionless",
                    source=pars.hill.source,
                    description=f"Hill coefficient of {drug.name} on {hook}.",
                ),
            ]
            h = _hill(_concentration(drug), f"{prefix}_ec50", f"{prefix}_hill")
            if not dimensionless:
                terms.append(f"{prefix}_emax * {h}")
            elif effect.kind in INHIBITING:
                factors.append(f"(1 - {prefix}_emax * {h})")
            elif effect.kind in STIMULATING:
                factors.append(f"(1 + {prefix}_emax * {h})")
            else:
                raise ModelError(
                    f"drug {drug.name!r}: effect kind {effect.kind!r} on the dimensionless hook "
                    f"{hook!r} has no pharmacodynamic form"
                )
        expression = f"{hook}_baseline"
        if terms:
            expression = " + ".join([expression, *terms])
        if factors:
            expression = " * ".join([f"({expression})" if terms else expression, *factors])
        drug_names = ", ".join(sorted({d.name for d, _ in acting}))
        rules.append(Rule(hook, expression, base.unit, description=f"{hook} under {drug_names}."))
    module = Module(
        name,
        description="Drug mechanisms: immune hooks as functions of drug concentration.",
        parameters=tuple(parameters),
        rules=tuple(rules),
    )
    return module, list(by_hook)


def with_drug_effects(
    model: Model,
    regimens: Iterable[RegimenLike],
    library: Mapping[str, Drug] | None = None,
    name: str | None = None,
) -> Model:
    """``model`` with the drugs' PK modules (:func:`with_drugs`) and their mechanisms.

    Every hook targeted by the drugs becomes one rule of their concentrations (see the
    module docstring). Effects without a hook are not simulated
    (:func:`unhooked_effects` lists them). Call it once with every regimen, background
    and add-on together: a second call finds the hooks already rules and raises.

    Args:
        model: The immune model (hooks as parameters).
        regimens: Regimens, regimen text, or drugs.
        library: Drugs by name (default: the built-in library).
        name: Name of the new model (default: the model's).

    Raises:
        SpecError: For an unknown drug or a bad regimen.
        ModelError: For a hook effect without potency, or a hook the model lacks.
    """
    regimens = list(regimens)
    lib = _library(library)
    drugs = _drugs_of(regimens, lib)
    with_pk = with_drugs(model, regimens, lib, name=name)
    module, hooks = pd_module(with_pk, drugs)
    if not hooks:
        return with_pk
    return with_pk.with_modules([module], name=name, replace=hooks)
