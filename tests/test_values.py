"""Value rules (V001–V003, pandera lazy validation) and value parsing (X001, X008) on the seed."""
from __future__ import annotations

from dataclasses import replace

import pytest

from validator.document import Block, Cell
from validator.engine import Checker
from validator.extract import extract
from validator.frame import build
from validator.readers import read
from validator.rules import load
from validator.values import parse


def _with(seed, edits):
    """The seed with cells replaced: {(table, row, column): new text}."""
    doc = read(seed)
    base = extract(doc)
    where = {c.pos: text for c in base.cells for key, text in edits.items() if (c.table, c.row, c.column) == key}
    blocks = [Block(b.kind, tuple(Cell(where.get(c.pos, c.text), c.pos) for c in b.cells)) for b in doc.blocks]
    report = extract(replace(doc, blocks=blocks))
    return [(f["rule"], f["severity"], f["row_code"], f["column_code"])
            for f in Checker([report], build([report]), load()).run()]


@pytest.mark.parametrize("text", ["-1", "1.5"])
def test_counts_must_be_whole_and_nonnegative(seed, text):
    found = _with(seed, {("t3", "results.partial", "commercial"): text})
    assert ("V001", "error", "results.partial", "commercial") in found


def test_signed_change_may_be_negative_but_whole(seed):
    assert not [f for f in _with(seed, {("t2", "licensing", "items_change"): "-8"}) if f[0].startswith("V")]
    assert ("V002", "error", "licensing", "items_change") in _with(seed, {("t2", "licensing", "items_change"): "2.5"})


def test_money_may_have_decimals_but_not_be_negative(seed):
    assert not [f for f in _with(seed, {("t2", "procurement", "procurement_amount"): "17,233.32"}) if f[0] == "V003"]
    assert ("V003", "error", "procurement", "procurement_amount") in _with(
        seed, {("t2", "procurement", "procurement_amount"): "-3"})


def test_text_in_a_value_cell_is_reported_never_zero(seed):
    found = _with(seed, {("t3", "results.granted", "natural_person"): "三件"})
    assert ("X001", "error", "results.granted", "natural_person") in found
    # the rules that use that cell are not evaluated on a guess
    assert not [f for f in found if f[0] in ("T301", "T302", "T303") and f[3] == "natural_person"]


def test_money_with_a_unit_is_normalised_and_said_so():
    value, state, note = parse("251000元", "money")
    assert (value, state) == (25.1, "number") and "25.1 万元" in note
    assert parse("2,505", "count")[:2] == (2505.0, "number")
    assert parse("—", "count")[:2] == (None, "dash") and parse("", "count")[:2] == (None, "blank")
    assert parse("abc", "count")[:2] == (None, "invalid")
