"""Documentation generated from the declarations stays in sync; documented regimens parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from immunetwin import SpecError
from immunetwin.drugs import DRUGS, drug_markdown, drug_table, parse_regimen, write_drug_docs
from immunetwin.drugs.harms import harms_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_committed_drug_pages_match_the_declarations() -> None:
    pages = {p.stem for p in (DOCS / "drugs").glob("*.md")}
    assert pages == {*DRUGS, "harms"}, (
        "regenerate with immunetwin.drugs.write_drug_docs('docs/drugs')"
    )
    harms = (DOCS / "drugs" / "harms.md").read_text(encoding="utf-8")
    assert harms == harms_markdown(), "docs/drugs/harms.md is out of date: run write_drug_docs"
    for name, drug in DRUGS.items():
        committed = (DOCS / "drugs" / f"{name}.md").read_text(encoding="utf-8")
        assert committed == drug_markdown(drug), (
            f"docs/drugs/{name}.md is out of date: "
            "run immunetwin.drugs.write_drug_docs('docs/drugs')"
        )


def test_write_drug_docs_writes_one_page_per_drug(tmp_path: Path) -> None:
    paths = write_drug_docs(tmp_path)
    assert sorted(p.stem for p in paths) == sorted([*DRUGS, "harms"])
    text = (tmp_path / "rituximab.md").read_text(encoding="utf-8")
    assert "| clearance CL | 0.358 L/day |" in text and "## Mechanism" in text


def test_regimen_examples_in_the_docs_parse() -> None:
    text = (DOCS / "regimens.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```regimen\n(.*?)```", text, flags=re.S)
    examples = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(examples) >= 15
    for example in examples:
        regimen = parse_regimen(example)
        assert parse_regimen(regimen.text()) == regimen


def test_documented_error_messages_are_the_real_ones() -> None:
    text = (DOCS / "regimens.md").read_text(encoding="utf-8")
    block = re.findall(r"## Errors.*?```\n(.*?)```", text, flags=re.S)[0]
    for bad, start in [
        ("aspirin 100 mg daily", "unknown drug 'aspirin' in regimen 'aspirin 100 mg daily'"),
        ("adalimumab 40 mg IV weekly", "route IV is not declared for adalimumab"),
        ("adalimumab 40 mg SC every 2 months", "months are ambiguous"),
    ]:
        with pytest.raises(SpecError) as info:
            parse_regimen(bad)
        assert str(info.value).startswith(start)
        assert str(info.value)[:40] in block


def test_drug_table_summarises_every_drug() -> None:
    table = drug_table()
    assert set(table.index) == set(DRUGS)
    assert table.loc["cd19_car_t", "pk"].startswith("cellular kinetics: antigen-driven")
    assert table.loc["treg_cell_therapy", "pk"] == "cells join treg"
    assert "neutralise tnf" in table.loc["adalimumab", "mechanism"]
