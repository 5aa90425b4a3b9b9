"""The JSON output validates against the schema shipped in the repository."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from validator.cli import main

from .conftest import SAMPLES

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "validator" / "report.schema.json").read_text("utf-8"))


def test_json_output_matches_schema(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    files = sorted(str(p) for p in SAMPLES.glob("*.txt")) + [str(empty)]
    res = CliRunner().invoke(main, ["check", "--format", "json", *files])
    data = json.loads(res.output[res.output.index("{"):])
    jsonschema.validate(data, SCHEMA)
    assert data["summary"] == {"passed": 2, "failed": 4, "unreadable-in-part": 0, "unreadable": 1, "skipped": 0}
