"""Reference tables and lab-unit conversions shared by the immune-model tests.

Reference values are read from ``../shared/reference/*.csv`` (never copied by hand);
units are converted to the model's lab units here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference"

# Reference-table id -> (model lab rule, factor converting the lab into the table's unit).
LAB_FOR_REFERENCE: dict[str, tuple[str, float]] = {
    "neutrophils_blood": ("lab_neutrophils", 1.0),
    "lymphocytes_blood": ("lab_lymphocytes", 1.0),
    "monocytes_fraction": ("lab_monocytes_percent", 1.0),
    "cd4_blood": ("lab_cd4", 1.0),
    "cd8_blood": ("lab_cd8", 1.0),
    "b_cells_blood": ("lab_b_cells", 1.0),
    "nk_blood": ("lab_nk", 1.0),
    "treg_fraction_cd4": ("lab_treg_percent", 1.0),
    "igg_serum": ("lab_igg", 100.0),  # g/L -> mg/dL
    "iga_serum": ("lab_iga", 100.0),
    "igm_serum": ("lab_igm", 100.0),
    "c3_serum": ("lab_c3", 100.0),
    "c4_serum": ("lab_c4", 100.0),
    "crp_normal": ("lab_crp", 1.0),
    "esr_normal": ("lab_esr", 1.0),
    "ifna_normal": ("lab_ifn_alpha", 1.0),  # pg/L == fg/mL
    "baff_normal": ("lab_baff", 1.0),
}

_UNIT_CHECK = {  # the table's unit for each id, asserted so a changed table fails loudly
    "igg_serum": "mg/dL",
    "iga_serum": "mg/dL",
    "igm_serum": "mg/dL",
    "c3_serum": "mg/dL",
    "c4_serum": "mg/dL",
    "ifna_normal": "fg/mL",
    "baff_normal": "ng/mL",
    "crp_normal": "mg/L",
}


def load_table(name: str) -> pd.DataFrame:
    path = REFERENCE / name
    if not path.is_file():
        raise FileNotFoundError(f"reference table missing: {path}")
    return pd.read_csv(path).set_index(pd.read_csv(path).columns[0])


def reference_range(physiology: pd.DataFrame, rid: str) -> tuple[float, float]:
    low, high = float(physiology.loc[rid, "low"]), float(physiology.loc[rid, "high"])
    assert math.isfinite(low) and math.isfinite(high) and low < high
    return low, high


def in_table_units(frame: pd.DataFrame, rid: str) -> np.ndarray:
    lab, factor = LAB_FOR_REFERENCE[rid]
    return frame[lab].to_numpy() * factor
