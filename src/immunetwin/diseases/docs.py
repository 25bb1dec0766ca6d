"""Markdown description of a disease (mechanism, parameters with sources, covariates)."""

from __future__ import annotations

from immunetwin.diseases.declaration import Disease
from immunetwin.drugs._declarations import Quantity

__all__ = ["disease_markdown", "disease_rows"]


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def disease_markdown(disease: Disease) -> str:
    """The parameter and covariate tables of a disease, as Markdown.

    Args:
        disease: The disease.
    """
    lines = [
        "| Parameter | Median | Variability | Source | Stands for |",
        "|---|---|---|---|---|",
    ]
    for c in disease.changes:
        variability = c.variability.describe() if c.variability else "none"
        lines.append(
            f"| `{c.parameter}` | {c.value:g} | {variability} | {_cell(c.source)} | "
            f"{_cell(c.rationale)} |"
        )
    for name, (value, source) in disease.initial_state.items():
        lines.append(f"| `{name}` (initial) | {value:g} | none | {_cell(source)} | |")
    lines += [
        "",
        "| Covariate | Effect in the model | Direction | Size | Source |",
        "|---|---|---|---|---|",
    ]
    for cov in disease.covariates:
        if cov.modelled:
            levels = ", ".join(f"{k}: x{v:g}" for k, v in cov.levels.items())
            effect = f"`{cov.parameter}` {levels}"
        else:
            effect = "not modelled"
        lines.append(
            f"| {cov.name} | {effect} | {_cell(cov.direction)} | {_cell(cov.size)} | "
            f"{_cell(cov.source)} |"
        )
    d = disease.demographics
    lines += [
        "",
        f"Demographics: {d.female_fraction:.0%} women, age {d.age_mean:g} +/- {d.age_sd:g} "
        f"years ({d.age_range[0]:g}-{d.age_range[1]:g}); {d.source}.",
    ]
    if disease.extra_organs:
        lines += [
            "",
            "Organs added to the shared model (optional organs, a module each): "
            + ", ".join(f"`{organ}`" for organ in disease.extra_organs)
            + ".",
        ]
    if disease.organ_exhaustion:
        lines += [
            "",
            "Module added to the shared model: exhaustion of organ-reactive effectors "
            "(`organ_exhaustion_module`, docs/model.md).",
        ]
    readouts, responses = disease.observation_names()
    lines += [
        "",
        "Readouts (`immunetwin list readouts --disease "
        f"{disease.name}`, the names trial expressions read): "
        + ", ".join(f"`{name}`" for name in sorted(readouts))
        + ". Responses (a visit against baseline): "
        + (", ".join(f"`{name}`" for name in sorted(responses)) or "none")
        + ". `temperature_c` and `fever` are symptoms every disease shares, from plasma "
        "IL-6 (`readouts.symptom_readouts`: 36.8 C in health, 38.0 C at 50 pg/mL, "
        "Steinmetz et al. J Infect Dis 1995; each reading +- 0.4 C, Mackowiak et al. JAMA "
        "1992). Fatigue: RA only (`facit_fatigue`, from the visit's pain; other "
        "diseases: not modelled).",
        "",
        *_death_lines(disease),
    ]
    return "\n".join(lines) + "\n"


def _death_parameters(disease: Disease) -> list[tuple[str, Quantity]]:
    """The death model's own parameters and the background's, or none."""
    from immunetwin.diseases.mortality import BACKGROUND_PARAMETERS, CompetingRisks

    if not isinstance(disease.mortality, CompetingRisks):
        return []
    return [*disease.mortality.parameters.items(), *BACKGROUND_PARAMETERS.items()]


def _death_lines(disease: Disease) -> list[str]:
    from immunetwin.diseases.mortality import CompetingRisks

    model = disease.mortality
    if model is None:
        return [
            "Death: not modelled (`immunetwin.diseases.mortality` says why); trials of "
            "this disease have no `death_day`."
        ]
    if not isinstance(model, CompetingRisks):
        return ["Death: a custom model; trials read `death_day` and `death_cause`."]
    lines = [
        f"Death (`immunetwin.diseases.mortality`, the {model.name} model; trials read "
        "`death_day` and `death_cause`): causes "
        + ", ".join(f"`{cause}`" for cause in model.causes)
        + f"; {model.summary}.",
        "",
        "| Death parameter | Value | Unit | Source |",
        "|---|---|---|---|",
    ]
    for name, quantity in _death_parameters(disease):
        lines.append(
            f"| `{name}` | {quantity.value:g} | {quantity.unit} | {_cell(quantity.source)} |"
        )
    return lines


def disease_rows() -> list[dict[str, object]]:
    """One row per disease parameter change and covariate, for ``immunetwin list diseases``."""
    from immunetwin.diseases import DISEASES

    rows: list[dict[str, object]] = []
    for disease in DISEASES.values():
        for c in disease.changes:
            rows.append(
                {
                    "disease": disease.name,
                    "description": disease.description,
                    "item": c.parameter,
                    "value": f"{c.value:g}",
                    "variability": c.variability.describe() if c.variability else "",
                    "source": c.source,
                }
            )
        for cov in disease.covariates:
            effect = (
                ", ".join(f"{k} x{v:g}" for k, v in cov.levels.items())
                if cov.modelled
                else "not modelled"
            )
            rows.append(
                {
                    "disease": disease.name,
                    "description": disease.description,
                    "item": f"covariate {cov.name}"
                    + (f" -> {cov.parameter}" if cov.modelled else ""),
                    "value": effect,
                    "variability": "",
                    "source": cov.source,
                }
            )
        for name, quantity in _death_parameters(disease):
            rows.append(
                {
                    "disease": disease.name,
                    "description": disease.description,
                    "item": f"death {name}",
                    "value": f"{quantity.value:g} {quantity.unit}",
                    "variability": "",
                    "source": quantity.source,
                }
            )
    return rows
