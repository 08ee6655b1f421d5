"""The drafter: recall on the shipped plans from their seed texts, headline targets of plan texts it
has never seen, drafts that load, and bad input reported as InputError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kjqg_model import units
from kjqg_model.inputs.drafting import NOTE, draft_plan, write_draft
from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.targets import load_plan

TARGETS = Path(__file__).resolve().parents[1] / "params" / "targets"
SEEDS = TARGETS / "seeds"  # copies of the seed texts, so the tests need nothing outside the repo
PLANS = ("guangxi_2021_2023", "baise_2021_2023", "liuzhou_2021_2023", "guilin_2026_2030")

# Plan texts written for these tests in the style of Guangxi city plans, each with headline targets
# (year, threshold, unit in a known unit) and numbers that are no targets.
WUZHOU = """梧州市人民政府办公室文件
梧政办发〔2024〕5号

梧州市人民政府办公室关于印发梧州市科技创新引领高质量发展
三年行动方案（2024—2026年）的通知

各县（市、区）人民政府，市人民政府各组成部门、各直属机构：
经市人民政府同意，现将《梧州市科技创新引领高质量发展三年行动方案（2024—2026年）》印发给你们，请认真组织实施。

梧州市人民政府办公室
2024年3月15日

梧州市科技创新引领高质量发展三年行动方案
（2024—2026年）

为深入实施创新驱动发展战略，落实《广西壮族自治区科技创新“十四五”规划》（桂政办发〔2021〕122号）部署，结合我市实际，制定本方案。

一、总体要求

（一）发展基础。2023年，全市全社会研发投入强度为0.86%，高新技术企业达到318家，技术合同成交额为21.5亿元。

（二）主要目标。到2026年，全市全社会研发投入强度达到1.2%，高新技术企业突破500家，技术合同成交额达到50亿元，年均增长15%以上；规模以上工业企业中有研发活动企业占比达到35%，每万人口高价值发明专利拥有量达到3.5件；全市工业总产值突破0.25万亿元，研究与试验发展人员全时当量达到6000人年；累计培育科技型中小企业800家以上，新建自治区级以上科技创新平台30个，引进培育高层次创新人才150人左右，财政科技支出年均增长10%以上。

二、重点任务

（一）壮大科技企业集群。实施高新技术企业倍增计划，对首次认定的高新技术企业给予一次性奖励，每家最高补助200万元。对年度研发投入超过1000万元的企业，按其研发投入增量的10%给予补助。到2025年，培育瞪羚企业20家，科技型中小企业入库数量达到1200家。（责任单位：市科技局、市财政局，各县（市、区）人民政府）

（二）建设高能级创新平台。支持龙头企业建设重点实验室、技术创新中心，到2026年，建成自治区级以上重点实验室8个、工程技术研究中心40家。对新认定的国家级创新平台，给予最高500万元资助。（责任单位：市科技局、市发展改革委）

（三）促进科技成果转化。建设梧州市技术转移服务中心，发展技术经纪人队伍。力争到2026年，转化科技成果300项以上，培训技术经纪人200人次。（责任单位：市科技局）

三、保障措施

（一）加大科技投入。建立财政科技投入稳定增长机制，市本级每年安排科技专项资金不少于5000万元。

（二）强化考核评估。将主要目标任务分解到各县（市、区）和有关部门，第3季度开展中期评估。联系电话：0774-3822345。

本方案自2024年4月1日起施行。
"""
WUZHOU_HEADLINE = [
    (2026, 1.2, "%"),
    (2026, 500, "家"),
    (2026, 50, "亿元"),
    (2026, 15, "%"),
    (2026, 35, "%"),
    (2026, 3.5, "件/万人"),
    (2026, 0.25, "万亿元"),
    (2026, 6000, "人年"),
    (2026, 800, "家"),
    (2026, 30, "个"),
    (2026, 150, "人"),
    (2026, 10, "%"),
]
WUZHOU_NOT_TARGETS = [(0.86, "%"), (318, "家"), (21.5, "亿元"), (200, "万元"), (1000, "万元"), (500, "万元")]

NANNING = """南宁市加快建设面向东盟的区域性科技创新中心若干措施（2025—2027年）

南府办〔2025〕12号

为加快建设面向东盟的区域性科技创新中心，强化科技创新对首府高质量发展的支撑引领作用，制定如下措施。

一、发展目标

力争到2027年，全市科技创新综合实力显著增强，主要指标如下：
——创新投入持续加大。全社会研发经费投入年均增长12%，研发投入强度提高到1.8%左右，财政科技支出占一般公共预算支出比重不低于3%。
——创新主体不断壮大。高新技术企业数量超过3000家，科技型中小企业评价入库数量达到5000家，新增瞪羚企业50家。
——创新成果加快转化。技术合同成交额年均增长20%，三年累计达到600亿元；有效发明专利拥有量达1.2万件，每万人口高价值发明专利拥有量提高到12件。
——创新人才加快集聚。R&D人员全时当量达到3.5万人年，新引进高层次人才团队不少于20个。
——创新生态持续优化。高新技术产业增加值占规模以上工业增加值比重提高3个百分点。

二、主要措施

1.支持企业加大研发投入。对上年度研发经费支出500万元以上且增幅超过20%的企业，按增量部分的5%给予奖励，单个企业每年最高100万元。

2.支持创新平台建设。对新获批的国家重点实验室、国家技术创新中心，一次性给予1000万元资助；对新认定的自治区级新型研发机构，给予最高300万元补助。

3.支持科技成果转移转化。对在南宁转化的技术交易，按技术合同实际成交额的3%给予技术输出方补助，每家最高50万元。到2026年，技术交易服务机构达到30家以上。

4.加强科技人才引育。实施“邕江计划”，每年引进急需紧缺人才1000人以上。

附件
南宁市主要科技创新指标年度目标表
指标 2025年 2026年 2027年
全社会研发投入强度（%） 1.5 1.65 1.8
高新技术企业数量（家） 2500 2750 3000
技术合同成交额（亿元） 150 200 250
"""
NANNING_HEADLINE = [
    (2027, 12, "%"),
    (2027, 1.8, "%"),
    (2027, 3, "%"),
    (2027, 3000, "家"),
    (2027, 5000, "家"),
    (2027, 50, "家"),
    (2027, 20, "%"),
    (2027, 600, "亿元"),
    (2027, 1.2, "万件"),
    (2027, 12, "件/万人"),
    (2027, 3.5, "万人年"),
    (2027, 3, "百分点"),
]

QINZHOU = """钦州市人民政府关于加快推进科技创新的实施意见
钦政发〔2023〕9号

各县（区）人民政府，市直各委、办、局：
为贯彻落实自治区关于创新驱动发展的决策部署，加快建设向海科技创新高地，现提出如下实施意见。

一、工作目标
到2025年，全市研发经费投入总量达到28亿元，研发投入强度提升至1.1%；高新技术企业保有量超过260家，科技型中小企业评价入库突破400家；技术合同成交额达到15亿元以上，其中输出技术合同成交额不少于6亿元；建成各类科技企业孵化载体25个以上，新增自治区级以上工程技术研究中心12家；规模以上工业企业中有研发活动的企业占比提高到30%；万人发明专利拥有量达到2.6件；每年组织实施市级科技计划项目60项左右，引进急需紧缺科技人才300名。

二、主要措施
（一）培育创新型企业。对新认定的高新技术企业，给予一次性奖励20万元；对营业收入首次超过5亿元的科技型企业，给予最高100万元奖励。
（二）支持平台建设。对新获批建设的国家级创新平台，按实际投入的30%给予资助，最高不超过500万元。
（三）加强资金保障。市财政每年安排科技创新专项资金不低于8000万元，2023年—2025年累计投入不少于2.4亿元。

三、其他
本意见自2023年6月1日起施行，有效期3年。市科技局负责解释，联系电话：0777-2822001。
"""
QINZHOU_HEADLINE = [
    (2025, 28, "亿元"),
    (2025, 1.1, "%"),
    (2025, 260, "家"),
    (2025, 400, "家"),
    (2025, 15, "亿元"),
    (2025, 6, "亿元"),
    (2025, 25, "个"),
    (2025, 12, "家"),
    (2025, 30, "%"),
    (2025, 2.6, "件/万人"),
    (2025, 60, "项"),
    (2025, 300, "名"),
]

YULIN = """玉林市“十五五”科技创新发展规划

一、发展目标

到2030年，全市科技创新整体实力迈上新台阶，创新型玉林建设取得决定性进展。R&D经费支出达到60亿元，全社会研发投入强度力争超过1.6%；国家高新技术企业总数突破1,200家，净增600家以上；技术合同登记成交额（按吸纳地域）达到80亿元；培育两家以上百亿元科技领军企业；规模以上工业企业研发机构覆盖率达到45%；高新技术产业增加值占规模以上工业增加值比重较2025年提高8个百分点；每万人口高价值发明专利拥有量达到4件。

专栏1 “十五五”科技创新主要指标
序号 指标名称 单位 2025年 2030年 属性
1 全社会研发投入强度 % 1.1 1.6 预期性
2 高新技术企业数量 家 650 1200 预期性
3 技术合同成交额 亿元 30 80 预期性
4 每万人口高价值发明专利拥有量 件 1.8 4 预期性
5 科技型中小企业评价入库数量 家 900 2000 预期性

二、重点任务

（一）强化企业创新主体地位。实施科技型企业梯次培育工程，五年内新增科技型中小企业1100家。对首次通过认定的高新技术企业，市财政给予10万元奖励。

（二）建设高水平创新平台。到2028年，建成玉林国家内燃机技术创新中心，新建自治区重点实验室6个以上；全市省级以上研发平台数量翻一番。

（三）加快科技人才集聚。每年引进博士以上高层次人才100名，“十五五”期间累计培养技术经理人500名。

三、保障措施

市本级财政科技支出年均增长不低于10%，到2030年达到5亿元。建立科技投入考核机制，对研发投入增长较快的县（市、区）给予最高200万元奖励。
"""
YULIN_HEADLINE = [
    (2030, 60, "亿元"),
    (2030, 1.6, "%"),
    (2030, 1200, "家"),
    (2030, 600, "家"),
    (2030, 80, "亿元"),
    (2030, 2, "家"),  # 两家: a number in Chinese characters, which the drafter does not read
    (2030, 45, "%"),
    (2030, 8, "百分点"),
    (2030, 4, "件/万人"),
    (2030, 1100, "家"),
    (2030, 10, "%"),
    (2030, 5, "亿元"),
]

UNSEEN = {
    "wuzhou_2024_2026": (WUZHOU, "梧州", WUZHOU_HEADLINE),
    "nanning_2025_2027": (NANNING, "南宁", NANNING_HEADLINE),
    "qinzhou_2023_2025": (QINZHOU, "钦州", QINZHOU_HEADLINE),
    "yulin_2026_2030": (YULIN, "玉林", YULIN_HEADLINE),
}


def _scale(unit: str) -> tuple[str, float]:
    """A written unit in a known unit: 万亿元 -> (亿元, 1e4)."""
    written = {"万亿元": ("亿元", 1e4), "人年": ("人", 1.0), "万人年": ("人", 1e4), "万件": ("件", 1e4)}
    return written.get(unit, (unit, 1.0))


def _same(a: tuple, b: tuple) -> bool:
    """Same year, same dimension and the same threshold once in the same unit."""
    (ya, ta, ua), (yb, tb, ub) = a, b
    (ua, fa), (ub, fb) = _scale(ua), _scale(ub)
    if ya != yb or units.dimension(ua) is None or units.dimension(ua) != units.dimension(ub):
        return False
    return abs(ta * fa * units.factor(ua, ub) - tb * fb) <= 1e-6 * max(1.0, abs(tb * fb))


def _matched(expected: list[tuple], drafted: list[tuple]) -> tuple[int, int]:
    """(expected triples found, drafted triples used), matching each drafted triple at most once."""
    free = list(drafted)
    found = 0
    for triple in expected:
        hit = next((i for i, d in enumerate(free) if _same(d, triple)), None)
        if hit is not None:
            free.pop(hit)
            found += 1
    return found, len(drafted) - len(free)


def _triples(plan: dict) -> list[tuple]:
    return [(t.get("year") or t["period"][1], t["threshold"], t["unit"]) for t in plan["targets"]]


def _seed_text(plan_id: str) -> str:
    seed = yaml.safe_load((TARGETS / f"{plan_id}.yaml").read_text(encoding="utf-8"))["seed"]
    first = seed[0] if isinstance(seed, list) else re.split(r"[,\s]+", str(seed).strip())[0]
    return (SEEDS / first).read_text(encoding="utf-8")


@pytest.mark.parametrize("plan_id", PLANS)
def test_recovers_the_shipped_targets_from_the_seed_text(plan_id):
    shipped = load_plan(TARGETS / f"{plan_id}.yaml")
    draft = draft_plan(_seed_text(plan_id), plan_id, shipped.geo)
    expected = [(t.year, t.threshold, t.unit) for t in shipped.targets]
    found, used = _matched(expected, _triples(draft))
    recall, precision = found / len(expected), used / len(draft["targets"])
    print(f"{plan_id}: recall {found}/{len(expected)} = {recall:.0%}, precision {used}/{len(draft['targets'])}")
    assert recall >= 0.85, f"{plan_id}: recall {recall:.0%}"
    assert precision >= 0.6, f"{plan_id}: precision {precision:.0%}"
    assert draft["base_year"] == shipped.base_year


@pytest.mark.parametrize("plan_id", UNSEEN)
def test_headline_targets_of_a_plan_never_seen(plan_id):
    text, geo, headline = UNSEEN[plan_id]
    draft = draft_plan(text, plan_id, geo)
    found, _ = _matched(headline, _triples(draft))
    print(f"{plan_id}: {found}/{len(headline)} headline targets, {len(draft['targets'])} drafted")
    assert found >= 10, f"{plan_id}: {found} of {len(headline)} headline targets"


def test_numbers_that_are_no_targets_are_left_out():
    """Background figures of the base year, subsidy caps, co-financing rates, dates and phone numbers."""
    draft = draft_plan(WUZHOU, "wuzhou_2024_2026", "梧州")
    thresholds = {(t["threshold"], t["unit"]) for t in draft["targets"]}
    assert not thresholds & set(WUZHOU_NOT_TARGETS)
    assert all(t["year" if "year" in t else "period"] for t in draft["targets"])
    assert draft["base_year"] == 2023
    assert (draft["title"], draft["document"], str(draft["issued"])) == (
        "梧州市科技创新引领高质量发展三年行动方案（2024—2026年）",
        "梧政办发〔2024〕5号",
        "2024-03-15",
    )


def test_units_the_schema_lacks_are_converted_and_noted():
    targets = {t["clause"]: t for t in draft_plan(WUZHOU, "wuzhou_2024_2026", "梧州")["targets"]}
    output = targets["全市工业总产值突破0.25万亿元"]
    assert (output["threshold"], output["unit"]) == (2500, "亿元") and "万亿元" in output["note"]
    staff = targets["研究与试验发展人员全时当量达到6000人年"]
    assert (staff["threshold"], staff["unit"], staff["indicator"]) == (6000, "人年", None)  # full-time equivalents
    (density,) = [
        t for t in draft_plan("到2026年，每万名就业人员中研发人员达到20人年。", "b_2024_2026", "北海")["targets"]
    ]
    assert (density["threshold"], density["unit"]) == (20, "人年/万人")


def test_kinds_indicators_and_comparators():
    by_clause = {t["clause"]: t for t in draft_plan(NANNING, "nanning_2025_2027", "南宁")["targets"]}
    growth = by_clause["全社会研发经费投入年均增长12%"]
    assert (growth["kind"], growth["period"], growth["indicator"]) == ("growth_rate", [2024, 2027], "rd_expenditure")
    total = by_clause["三年累计达到600亿元"]
    assert (total["kind"], total["period"], total["indicator"]) == (
        "cumulative",
        [2025, 2027],
        "tech_contract_turnover",
    )
    assert total["basis"] == "unspecified"
    assert by_clause["研发投入强度提高到1.8%左右"]["comparator"] == "~"
    hte = by_clause["高新技术企业数量超过3000家"]
    assert (hte["comparator"], hte["indicator"]) == (">", "hte_stock")
    assert by_clause["新增瞪羚企业50家"]["kind"] == "increase"
    assert by_clause["高新技术产业增加值占规模以上工业增加值比重提高3个百分点"]["unit"] == "百分点"


def test_a_plan_never_seen_survives_pdf_line_breaks():
    """PDF text breaks lines anywhere, with blank lines between."""
    wrapped = "\n\n".join(line[i : i + 23] for line in WUZHOU.splitlines() for i in range(0, max(len(line), 1), 23))
    found, _ = _matched(WUZHOU_HEADLINE, _triples(draft_plan(wrapped, "wuzhou_2024_2026", "梧州")))
    assert found >= 10


@pytest.mark.parametrize("plan_id", ["guilin_2026_2030", *UNSEEN])
def test_the_written_draft_loads(plan_id, tmp_path):
    if plan_id in UNSEEN:
        text, geo, _ = UNSEEN[plan_id]
        source = tmp_path / "plan.txt"
        source.write_text(text, encoding="utf-8")
    else:
        source, geo = SEEDS / "004_647d991495f81cb0.txt", "桂林"
    out = tmp_path / f"{plan_id}.yaml"
    n = write_draft(source, plan_id, geo, out)
    plan = load_plan(out)
    assert n == len(plan.targets) > 0
    assert all(t.note.startswith(NOTE) for t in plan.targets)
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["seed"] == source.name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_base_year_given_wins():
    draft = draft_plan(WUZHOU, "wuzhou_2024_2026", "梧州", base_year=2022)
    assert draft["base_year"] == 2022
    assert any(t.get("period", [None])[0] == 2022 for t in draft["targets"])


def _problem(exc: pytest.ExceptionInfo) -> str:
    assert "Traceback" not in str(exc.value)
    return str(exc.value)


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError) as exc:
        write_draft(missing, "nanning_2025_2027", "南宁", tmp_path / "nanning_2025_2027.yaml")
    message = _problem(exc)
    assert str(missing) in message and "unreadable file" in message and "plan text file" in message


def test_file_not_utf8(tmp_path):
    gbk = tmp_path / "plan.txt"
    gbk.write_bytes(NANNING.encode("gb18030"))
    with pytest.raises(InputError) as exc:
        write_draft(gbk, "nanning_2025_2027", "南宁", tmp_path / "nanning_2025_2027.yaml")
    message = _problem(exc)
    assert str(gbk) in message and "not UTF-8" in message and "line 1" in message
    assert not (tmp_path / "nanning_2025_2027.yaml").exists()


@pytest.mark.parametrize("content", ["", " \n\n\t "])
def test_empty_file(tmp_path, content):
    empty = tmp_path / "plan.txt"
    empty.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        write_draft(empty, "nanning_2025_2027", "南宁", tmp_path / "nanning_2025_2027.yaml")
    message = _problem(exc)
    assert str(empty) in message and "empty file" in message and "plan document" in message


def test_text_without_targets_names_the_file(tmp_path):
    prose = tmp_path / "plan.txt"
    prose.write_text("关于加强科技工作的通知\n各单位要高度重视科技创新工作，认真抓好落实。\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        write_draft(prose, "nanning_2025_2027", "南宁", tmp_path / "nanning_2025_2027.yaml")
    assert str(prose) in _problem(exc) and "reads as a goal" in _problem(exc)


@pytest.mark.parametrize(
    ("text", "plan_id", "geo", "words"),
    [
        ("", "nanning_2025_2027", "南宁", "empty text"),
        (NANNING, "Nanning 2025", "南宁", "snake_case"),
        (NANNING, "nanning_2025_2027", "火星", "known place"),
    ],
)
def test_bad_arguments(text, plan_id, geo, words):
    with pytest.raises(InputError) as exc:
        draft_plan(text, plan_id, geo)
    assert words in _problem(exc)


STRANGER = """北海市科技创新三年行动方案（2023—2025年）
一、发展目标
到2025年：
（一）技术合同成交额突破30亿元，年均增速保持在10%—12%。
（四）高新技术企业数量净增150家，总数达到450家左右。
每年召开2次以上专题会议，每个县至少建设1个技术转移工作站。
全社会R&D经费投入强度力争达到1.2%，财政科技支出年均增长10%以上。
力争到2025年，建成国家级创新平台5家以上。
规模以上工业企业研发经费支出年均增长12%以上。
本方案自2023年5月1日起实施。
"""


def test_what_a_stranger_found_in_plans_never_seen():
    draft = draft_plan(STRANGER, "beihai_2023_2025", "北海")
    by_clause = {t["clause"]: t for t in draft["targets"]}
    band = by_clause["年均增速保持在10%—12%"]  # one range, not two targets
    assert (band["threshold"], band["threshold_high"], band["name"]) == (10, 12, "技术合同成交额年均增速")
    assert not [t for t in draft["targets"] if not t["name"].strip("—")]
    assert not [t for t in draft["targets"] if re.match(r"[一二三四五六七八九十]+）", t["name"])]  # no list numbering
    net = by_clause["（四）高新技术企业数量净增150家"]
    assert (net["kind"], net["indicator"], net["name"]) == ("increase", "hte_stock", "高新技术企业数量")
    total = by_clause["总数达到450家左右"]  # the total of the same thing
    assert (total["indicator"], total["comparator"], total["threshold"]) == ("hte_stock", "~", 450)
    assert not [t for t in draft["targets"] if "会议" in t["name"] or t["name"].startswith("每个")]
    assert by_clause["全社会R&D经费投入强度力争达到1.2%"].get("aspiration")
    assert not by_clause["财政科技支出年均增长10%以上"].get("aspiration")  # 力争 was the clause before's
    assert by_clause["建成国家级创新平台5家以上"].get("aspiration")  # 力争到2025年，…: the next clause's goal
    assert by_clause["规模以上工业企业研发经费支出年均增长12%以上"]["indicator"] is None  # not the whole society's R&D
    assert draft["issued"] == ""  # 自…起实施 is when it starts, not when it was issued


def test_a_draft_whose_file_name_is_not_its_plan_id_is_refused_before_writing(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text("到2027年，全市研究与试验发展经费投入强度达到1.8%。\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"--out'?: found .*z.yaml; expected a file named nanning_2025_2027.yaml"):
        write_draft(text, "nanning_2025_2027", "南宁", tmp_path / "z.yaml")
    assert not (tmp_path / "z.yaml").exists()


def test_growth_since_a_named_year_is_the_average_yearly_growth_it_takes():
    # 较2024年增长100% by 2027 is the whole period's growth, not 100 % a year (年增长 in 2024年增长)
    plan = draft_plan("到2027年，高新技术企业数量较2024年增长100%。", "nanning_2025_2027", "南宁")
    (t,) = plan["targets"]
    assert (t["indicator"], t["kind"], t["period"], t["threshold"]) == (
        "hte_stock",
        "growth_rate",
        [2024, 2027],
        25.9921,
    )
    assert "each_year" not in t and "按3年折为年均增长25.9921%" in t["note"]
    (yearly,) = draft_plan("到2027年，财政科技支出年增长10%以上。", "nanning_2025_2027", "南宁")["targets"]
    assert yearly["kind"] == "growth_rate" and yearly["threshold"] == 10 and yearly.get("each_year")


def test_a_doubling_is_drafted_as_the_growth_it_takes():
    (t,) = draft_plan("到2030年，技术合同成交额比2020年翻两番。", "nanning_2025_2030", "南宁")["targets"]
    assert (t["kind"], t["period"], t["threshold"]) == ("growth_rate", [2020, 2030], 14.8698)  # x4 in ten years
    assert t["clause"] == "技术合同成交额比2020年翻两番"  # the plan's own words


def test_a_five_year_plan_runs_from_the_year_after_its_predecessor():
    text = "梧州市“十四五”科技创新规划\n2020年，全市高新技术企业达到186家。到2025年，全市高新技术企业达到300家。\n"
    for plan_id in ("wz", "wuzhou_shisiwu", "wuzhou_2022_2025"):
        draft = draft_plan(text, plan_id, "梧州")
        assert draft["base_year"] == 2020, plan_id  # the title's 十四五 wins over an id's years
        assert [(t["year"], t["threshold"]) for t in draft["targets"]] == [(2025, 300)]  # 2020's 186 is the base
    cumulative = draft_plan("科技规划\n“十四五”期间，累计新增高新技术企业100家。\n", "wz", "梧州")
    (t,) = cumulative["targets"]
    assert cumulative["base_year"] == 2020 and (t["kind"], t["period"]) == ("increase", [2020, 2025])


def test_a_reviewed_draft_is_not_replaced_without_force(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text("到2027年，全市研究与试验发展经费投入强度达到1.8%。\n", encoding="utf-8")
    out = tmp_path / "nanning_2025_2027.yaml"
    out.write_text("# REVIEWED\n", encoding="utf-8")
    with pytest.raises(InputError, match="--force"):
        write_draft(text, "nanning_2025_2027", "南宁", out)
    assert out.read_text(encoding="utf-8") == "# REVIEWED\n"
    assert write_draft(text, "nanning_2025_2027", "南宁", out, force=True) == 1
    assert "1.8" in out.read_text(encoding="utf-8")


def _one(text: str, plan_id: str = "beihai_2024_2026", geo: str = "北海") -> list[dict]:
    return [{k: v for k, v in t.items() if k not in ("section", "geo", "clause", "id")} for t in
            draft_plan(text, plan_id, geo)["targets"]]  # fmt: skip


def test_growth_over_the_plan_without_a_named_start_runs_from_the_base_year():
    for text in (
        "到2026年，高新技术企业数量翻一番。",
        "到2026年，高新技术企业数量实现倍增。",
        "到2026年，高新技术企业数量增长1倍。",
    ):
        (t,) = _one(text)
        assert (t["indicator"], t["kind"], t["period"], t["threshold"]) == (
            "hte_stock",
            "growth_rate",
            [2023, 2026],
            25.9921,
        )
        assert "按方案基年2023年计" in t["note"]
        assert 100 * (2 ** (1 / 3) - 1) >= t["threshold"] > 100 * (1.9999 ** (1 / 3) - 1)  # exact doubling meets it
    assert (
        _one("实施高新技术企业倍增计划，到2026年高新技术企业达到300家。")[0]["threshold"] == 300
    )  # a programme's name


def test_an_average_yearly_increase_is_the_whole_periods_increase():
    _, patents = _one("到2026年，每万人口高价值发明专利拥有量达到3件，年均增长不低于0.3件。")
    assert (patents["name"], patents["kind"], patents["period"], patents["threshold"]) == (
        "每万人口高价值发明专利拥有量", "increase", [2023, 2026], 0.9)  # fmt: skip
    assert "each_year" not in patents
    (rd,) = _one("到2026年，研发经费投入强度年均提高0.1个百分点。")
    assert (rd["indicator"], rd["kind"], rd["threshold"], rd["unit"]) == ("rd_intensity", "increase", 0.3, "百分点")


def test_from_to_goals_each_year_lists_and_names_carried_to_the_next_sentence():
    (t,) = _one("到2026年，技术合同成交额从2023年的12.5亿元增长到30亿元。")  # 12.5 is the present
    assert (t["name"], t["year"], t["threshold"]) == ("技术合同成交额", 2026, 30)
    years = _one("2024年、2025年、2026年高新技术企业数量分别达到200家、250家、300家。")
    assert [(t["year"], t["threshold"]) for t in years] == [(2024, 200), (2025, 250), (2026, 300)]
    _, later = _one("到2025年，全市技术合同成交额达到18亿元；到2026年，达到25亿元。")
    assert (later["name"], later["indicator"], later["year"]) == ("全市技术合同成交额", "tech_contract_turnover", 2026)
    (rd,) = _one("到2026年，R&D经费支出占GDP比重达到1.5%。")
    assert rd["indicator"] == "rd_intensity"


def test_no_decrease_and_the_regional_average_are_drafted():
    floor, growth = _one("到2026年，财政科技支出只增不减，年均增长8%以上。")
    assert (floor["indicator"], floor["kind"], floor["threshold"], floor["each_year"]) == (
        "fiscal_st_expenditure", "increase", 0, True)  # fmt: skip
    assert (growth["indicator"], growth["kind"], growth["threshold"]) == ("fiscal_st_expenditure", "growth_rate", 8)
    (rel,) = _one("到2026年，全社会研发经费投入强度不低于全区平均水平。")
    assert (rel["kind"], rel["relative_to"], rel["indicator"]) == ("relative", "广西", "rd_intensity")


def test_shares_of_an_average_from_to_levels_and_increases_since_a_named_year():
    (rel,) = _one("到2026年，全市R&D经费投入强度达到全区平均水平的80%以上。")  # not also a level of 80 %
    assert (rel["kind"], rel["threshold"], rel["relative_to"], rel["indicator"]) == (
        "relative",
        0.8,
        "广西",
        "rd_intensity",
    )
    (half,) = _one("到2026年，全市R&D经费投入强度不低于全国平均水平的一半。")
    assert (half["threshold"], half["relative_to"]) == (0.5, "全国")
    (above,) = _one("到2026年，研发投入强度高于全区平均水平0.1个百分点。")  # a difference: drafted as above, noted
    assert (above["kind"], above["comparator"], above["threshold"]) == ("relative", ">", 1) and "0.1个百分点" in above[
        "note"
    ]
    _, carried = _one("到2026年R&D经费投入强度达到1.5%，力争达到全区平均水平。")
    assert (carried["kind"], carried["indicator"], carried.get("aspiration")) == ("relative", "rd_intensity", True)
    (level,) = _one("到2026年，全社会R&D经费由2023年的9.8亿元增加到20亿元。")  # 增加到: where it gets to
    assert (level["kind"], level["threshold"], level["indicator"]) == ("level", 20, "rd_expenditure")
    (since,) = _one("到2026年，每万人口发明专利拥有量较2023年提高1件。")
    assert (since["kind"], since["period"], since["threshold"], since["unit"]) == (
        "increase",
        [2023, 2026],
        1,
        "件/万人",
    )


def test_a_one_year_work_plan_runs_from_the_year_before_and_its_present_figures_are_no_goals():
    text = (
        "鹿寨县2024年科技工作要点\n2023年，全县高新技术企业达到28家。\n一、主要目标\n"
        "（一）全县研发经费投入增长15%以上。\n（二）新增科技型中小企业20家，总数突破80家。\n"
    )
    plan = draft_plan(text, "luzhai", "柳州")
    got = [(t["name"], t["kind"], t.get("period") or t["year"], t["threshold"]) for t in plan["targets"]]
    assert plan["base_year"] == 2023 and got == [
        ("全县研发经费投入", "growth_rate", [2023, 2024], 15),
        ("新增科技型中小企业", "increase", [2023, 2024], 20),
        ("科技型中小企业", "level", 2024, 80),
    ]


def test_an_aspiration_after_a_firm_goal_in_one_clause_is_its_own_and_of_the_same_kind():
    firm, hope = _one("到2026年，全社会研发经费投入年均增长10%以上、力争达到15%。")
    assert (firm["kind"], firm["threshold"], firm.get("aspiration")) == ("growth_rate", 10, None)
    assert (hope["kind"], hope["threshold"], hope["indicator"], hope["aspiration"]) == (
        "growth_rate", 15, "rd_expenditure", True)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("到2026年，三年累计新增有研发活动的规模以上工业企业300家。", "industrial_firms_with_rd"),
        ("到2026年，有研发机构的规模以上工业企业数达到500家。", "industrial_firms_with_rd_institution"),
        ("到2026年，一般公共预算科学技术支出达到5亿元。", "fiscal_st_expenditure"),
        ("到2026年，市本级财政科技支出年均增长不低于8%。", None),  # the city government's own budget only
    ],
)
def test_indicators_named_as_statistics_name_them_and_a_narrower_budget_is_not_the_citys(text, indicator):
    (t,) = _one(text)
    assert t["indicator"] == indicator


def test_a_first_one_and_events_counted_in_chang_are_goals():
    (first,) = _one("到2026年，国家级科技企业孵化器实现零的突破。")
    assert (first["kind"], first["comparator"], first["threshold"], first["unit"]) == ("level", ">=", 1, "个")
    (events,) = _one("到2026年，每年举办科技成果对接活动不少于10场。")
    assert (events["threshold"], events["unit"], events["each_year"]) == (10, "场", True)


def test_a_doubling_since_a_year_names_its_subject_and_growth_comparisons_are_not_ratios():
    _, doubling = _one("到2025年，全市高新技术企业数量突破300家，比2021年底实现倍增。")
    assert (doubling["name"], doubling["indicator"], doubling["period"]) == (
        "全市高新技术企业数量",
        "hte_stock",
        [2021, 2025],
    )
    assert [t["kind"] for t in _one("到2026年，每万人口高价值发明专利拥有量达到2件，增速高于全区平均水平。")] == [
        "level"
    ]
    (yearly,) = _one("到2026年，财政科技支出较上年增长不低于10%。")  # 较上年: every year's growth
    assert (yearly["kind"], yearly["threshold"], yearly["each_year"]) == ("growth_rate", 10, True)


def test_a_goal_in_a_table_and_in_the_text_is_one_target_noting_the_other():
    text = (
        "梧州市科技创新规划（2021—2025年）\n二、发展目标\n到2025年，每万人口发明专利拥有量达到4.5件。\n"
        "专栏1 主要指标\n序号 | 指标 | 2020年 | 2025年\n1 | 每万人口发明专利拥有量（件） | 2.1 | 4.5\n"
    )
    (t,) = draft_plan(text, "wuzhou_2021_2025", "梧州")["targets"]
    assert (t["threshold"], t["unit"]) == (4.5, "件/万人") and "亦见" in t["note"]


def test_review_findings_on_periods_aspirations_and_last_year_goals():
    plan = draft_plan("北海市2024年至2026年科技创新行动计划\n到2025年，技术合同成交额达到20亿元。", "bh", "北海")
    assert plan["base_year"] == 2023 and plan["targets"][0]["year"] == 2025  # a span, not a year's work plan
    assert [t["kind"] for t in _one("到2026年，高新技术企业增速高于全区平均水平，数量达到300家。")] == ["level"]
    firm, hope = _one("力争到2026年，高新技术企业达到100家、力争科技型中小企业达到500家。")
    assert firm["aspiration"] and hope["aspiration"]  # 力争 of the clause before holds for both
    _, yearly = _one("到2026年，高新技术企业达到300家，较上年增长10%。")
    assert (yearly["name"], yearly["indicator"], yearly["each_year"]) == ("高新技术企业", "hte_stock", True)
    (step,) = _one("到2026年，技术合同成交额较上年增加5亿元。")  # each year's increase, not 15 over three years
    assert (step["kind"], step["threshold"], step["each_year"]) == ("increase", 5, True)
    (goal,) = _one("到2026年，技术合同成交额由9.8亿元增加到20亿元。")
    assert (goal["name"], goal["threshold"]) == ("技术合同成交额", 20)
    (twice,) = _one("到2026年，技术合同成交额比2023年提高1倍。")
    assert (twice["kind"], twice["period"], twice["unit"]) == ("growth_rate", [2023, 2026], "%")
