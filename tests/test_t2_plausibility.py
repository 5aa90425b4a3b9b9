"""表二 plausibility (issue 15 item 5): warnings on figures that can hold but rarely do."""
from __future__ import annotations

import json

from click.testing import CliRunner

from validator.cli import main


def findings(path, rule):
    doc = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(path)]).stdout)
    return [(x["rule"], x["severity"], x["table"], x["row"], x["column"]) for f in doc["files"]
            for x in f["findings"] if x["rule"] == rule]


def test_in_force_below_issued_is_a_warning(corpus, tmp_path):
    text = (corpus / "004_shanghai_stcsm_kewei_2024.md").read_text(encoding="utf-8")
    row = "| 规范性文件 | 13 | 0 | 55 |"
    assert text.count(row) == 1
    path = tmp_path / "r.md"
    path.write_text(text.replace(row, "| 规范性文件 | 13 | 0 | 5 |"), encoding="utf-8")
    assert findings(path, "T202") == [("T202", "warning", "表二", "行政规范性文件", "现行有效件数")]


def test_in_force_at_least_issued_on_every_real_report(corpus):
    for path in sorted(corpus.glob("0*")):
        assert findings(path, "T202") == [], path.name
