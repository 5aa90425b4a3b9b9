"""The narrative against every table (issue 15): 表三 result groups, "nothing happened"
sentences, 表二 figures. Each rule fires on a variant of a real report whose text was
changed for it, and stays silent when the same sentence states the tables' own figure."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli import main

NEW_RULES = [f"N{n:03d}" for n in range(9, 26)]

# (corpus file, text as published, the changed text, the rule that must fire, its severity,
#  the same sentence with the table's figure: must stay silent)
CASES = [
    ("004_shanghai_stcsm_kewei_2024.md", "同意公开答复 9 件", "同意公开答复 8 件", "N009", "error", "同意公开答复 9 件"),
    ("004_shanghai_stcsm_kewei_2024.md", "部分公开答复 0 件", "部分公开答复 1 件", "N010", "error", "部分公开答复 0 件"),
    ("004_shanghai_stcsm_kewei_2024.md", "同意公开答复 9 件，部分公开答复 0 件", "予以公开和部分公开答复 12 件",
     "N011", "error", "予以公开和部分公开答复 9 件"),
    ("004_shanghai_stcsm_kewei_2024.md", "不予公开答复 2\n件", "不予公开答复 3\n件", "N012", "error", "不予公开答复 2\n件"),
    ("004_shanghai_stcsm_kewei_2024.md", "无法提供的 10 件", "无法提供的 11 件", "N013", "error", "无法提供的 10 件"),
    ("004_shanghai_stcsm_kewei_2024.md", "不予处理 0 件", "不予处理 2 件", "N014", "error", "不予处理 0 件"),
    ("004_shanghai_stcsm_kewei_2024.md", "其他处理 14 件", "其他处理 15 件", "N015", "error", "其他处理 14 件"),
    ("021_pingtan_zone_2022.html", "全区收到政府信息公开申请75件", "全区未收到政府信息公开申请", "N016", "error", None),
    ("021_pingtan_zone_2022.html", "未发生相关责任人责任追究问题情况", "未发生政府信息公开行政复议案件", "N017", "error", None),
    ("021_pingtan_zone_2022.html", "未发生相关责任人责任追究问题情况", "没有被提起政府信息公开行政诉讼", "N018", "error", None),
    ("021_pingtan_zone_2022.html", "现行有效行政规范性文件698件", "现行有效行政规范性文件393件", "N019", "warning",
     "现行有效行政规范性文件698件"),
    ("021_pingtan_zone_2022.html", "本年度制发的规范性文件88件", "本年度制发的规范性文件80件", "N020", "warning",
     "本年度制发的规范性文件88件"),
    ("021_pingtan_zone_2022.html", "一是做好规范性文件公开", "一是做好规范性文件公开，废止规范性文件50件", "N021", "warning",
     "一是做好规范性文件公开，废止规范性文件55件"),
    ("021_pingtan_zone_2022.html", "一是做好规范性文件公开", "一是做好规范性文件公开，本年度制发规章2件", "N022", "warning",
     "一是做好规范性文件公开，本年度制发规章0件"),
    ("021_pingtan_zone_2022.html", "一是做好规范性文件公开", "一是做好规范性文件公开，全年办理行政许可10000件", "N023", "warning",
     "一是做好规范性文件公开，全年办理行政许可10690件"),
    ("021_pingtan_zone_2022.html", "一是做好规范性文件公开", "一是做好规范性文件公开，作出行政处罚2000件", "N024", "warning",
     "一是做好规范性文件公开，作出行政处罚2113件"),
    ("021_pingtan_zone_2022.html", "一是做好规范性文件公开", "一是做好规范性文件公开，实施行政强制5件", "N025", "warning",
     "一是做好规范性文件公开，实施行政强制0件"),
]


def findings(*paths) -> list[tuple[str, str, str | None]] | dict[str, list[tuple[str, str, str | None]]]:
    """(rule, severity, table) of every finding of ``validator check --format json PATH``;
    for several paths, checked in one run: {path: findings}."""
    res = CliRunner().invoke(main, ["check", "--format", "json", "-j", "1", *map(str, paths)])
    doc = json.loads(res.stdout)
    got = {f["path"]: [(x["rule"], x["severity"], x.get("table")) for x in f["findings"]] for f in doc["files"]}
    assert len(got) == len(paths)
    return got if len(paths) > 1 else got[str(paths[0])]


def variant(corpus, out: Path, name, old, new):
    text = (corpus / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def checked(corpus, seed, tmp_path_factory) -> dict[str, list]:
    """Every consistent report, and every case's variant and same-figure sentence, checked in
    one run: {path: findings}."""
    d = tmp_path_factory.mktemp("narrative_tables")
    paths = [seed, *sorted(corpus.glob("0*"))]
    for rule, (name, old, new, _, _, same) in zip((c[3] for c in CASES), CASES):
        paths.append(variant(corpus, d / f"{rule}-fires-{name}", name, old, new))
        if same is not None:
            paths.append(variant(corpus, d / f"{rule}-silent-{name}", name, old, same))
    return findings(*paths)


def test_new_rules_are_silent_on_every_consistent_report(corpus, seed, checked):
    for path in [seed, *sorted(corpus.glob("0*"))]:
        assert [f for f in checked[str(path)] if f[0] in NEW_RULES] == [], path.name


@pytest.mark.parametrize("name,old,new,rule,severity,same", CASES, ids=[c[3] for c in CASES])
def test_rule_fires_on_its_variant_and_not_on_the_tables_figure(checked, name, old, new, rule, severity, same):
    (fires,) = [v for k, v in checked.items() if Path(k).name == f"{rule}-fires-{name}"]
    assert [(r, s) for r, s, _ in fires if r in NEW_RULES] == [(rule, severity)]
    if same is not None:
        (silent,) = [v for k, v in checked.items() if Path(k).name == f"{rule}-silent-{name}"]
        assert [f for f in silent if f[0] in NEW_RULES] == []


def test_nothing_happened_sentences_agree_with_empty_tables(tmp_path, seed):
    # the seed's 表四 is all 0: saying no review and no suit happened is right
    text = seed.read_text(encoding="utf-8").replace(
        "全年政府信息公开没有出现行政争议", "全年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况")
    out = tmp_path / "seed.txt"
    out.write_text(text, encoding="utf-8")
    assert [f for f in findings(out) if f[0] in NEW_RULES] == []


def test_result_not_about_the_count_is_not_a_claim(corpus, tmp_path):
    # 021 has 2 reviews: "no review was corrected" says nothing about how many there were
    path = variant(corpus, tmp_path / "021.html", "021_pingtan_zone_2022.html", "未发生相关责任人责任追究问题情况",
                   "未发生行政复议被纠错的情况")
    assert [f for f in findings(path) if f[0] in NEW_RULES] == []


def test_blank_total_column_reads_as_the_sum_of_the_applicant_columns(corpus, tmp_path):
    # 004 with its 予以公开 总计 cell emptied: the text's 9 still agrees with 9 + 0 + … of the columns
    name = "004_shanghai_stcsm_kewei_2024.md"
    text = (corpus / name).read_text(encoding="utf-8")
    row = "| 三、 | （一）予以公开 | 9 | 0 | 0 | 0 | 0 | 0 | 9 |"
    assert text.count(row) == 1
    out = tmp_path / name
    out.write_text(text.replace(row, row[: -len(" 9 |")] + "  |"), encoding="utf-8")
    assert [f for f in findings(out) if f[0] == "N009"] == []
    out.write_text(text.replace(row, row[: -len(" 9 |")] + "  |").replace("同意公开答复 9 件", "同意公开答复 7 件"),
                   encoding="utf-8")
    assert [f[:2] for f in findings(out) if f[0] == "N009"] == [("N009", "error")]
