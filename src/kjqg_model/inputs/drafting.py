"""Draft a plan's target file (params/targets/<plan>.yaml) from the text of the plan document.

A plan states its goals as numbers with units in running prose ("到2023年，高新技术企业数量达4200家")
and sometimes in breakdown tables. The drafter keeps the numbers that read as goals, leaves out subsidy
caps, eligibility thresholds, dates and numbering, and writes each goal in the schema of
params/targets/README.md. It is a first draft for a reviewer: every target carries the note
草稿，待核对, followed by whatever the drafter assumed (a converted unit, a table cell's place).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ..reporting.outputs import refuse_existing, write_text
from . import units
from .errors import InputError, Problem
from .targets import expected_dimension
from .vocab import Vocabulary, load_vocabulary

NOTE = "草稿，待核对"
_NAME_LIMIT = 40  # a name longer than this is cut to its tail, where a Chinese noun phrase has its head

# written unit -> (unit of units.UNITS, factor from the written unit to it); unknown scales of known
# units are converted so the draft loads, and the note keeps what was written
_WRITTEN: dict[str, tuple[str, float]] = {
    **{u: (u, 1.0) for u in units.UNITS if u not in ("ratio", "件/万人")},
    "个百分点": ("百分点", 1.0),
    "万亿元": ("亿元", 1e4),
    "千万元": ("万元", 1e3),
    "万人次": ("人次", 1e4),
    "万个": ("个", 1e4),
    "万件": ("件", 1e4),
    "台（套）": ("台(套)", 1.0),
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_WRITTEN, key=len, reverse=True))
_CN_DIGIT = {"十": 10, "百": 100, "千": 1000}  # 千亿元园区 is 1000 亿元
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # 1,200 or 1200 or 1.2
_QUANTITY = re.compile(
    r"(?<![\d.,A-Za-z第〔数几上])"
    rf"(?:(?P<num>{_NUMBER})(?:\s*(?:{_UNIT_ALT})?\s*(?:[—–~～-]|至)\s*(?P<high>{_NUMBER}))?|(?P<cn>[十百千](?=亿元|万元)))"
    rf"\s*(?P<unit>{_UNIT_ALT})(?![月民目庭])\s*(?P<mod>以上|以下|以内|左右)?"
)
_COMPARATOR_WORD = re.compile(r"(不低于|不少于|不超过|不高于|达到|达|低于|突破|超过|高于|超|约)\s*$")
_COMPARATORS = {
    "不超过": "<=",
    "不高于": "<=",
    "低于": "<=",
    "约": "~",
    "突破": ">",
    "超过": ">",
    "高于": ">",
    "超": ">",
}
_MODIFIERS = {"以上": ">=", "以下": "<=", "以内": "<=", "左右": "~"}
_RELATIVE = re.compile(
    r"(不低于|高于|超过|达到)(全国|全区)(?:平均)?水平"
    r"(?:的\s*(?:(?P<percent>\d+(?:\.\d+)?)\s*%|(?P<half>一半)|(?P<times>\d+(?:\.\d+)?)\s*倍)"
    r"|(?P<points>\d+(?:\.\d+)?)\s*个百分点)?"
)
_GROWTH_WORD = re.compile(r"(?:增速|增幅|增长率|增长速度)$")
_OF_AVERAGE = re.compile(r"(?:全国|全区)(?:平均)?水平的?\s*$")  # its number belongs to the relative target
_COMPARED_WITH = {"全国": "全国", "全区": "广西"}  # 全区: the autonomous region, Guangxi

# a year in force; not a date (2021年7月), not a base of comparison (较2020年, 由2020年的, 2020年以来)
_YEAR = re.compile(r"(?<![\d较比由从])(?:20\d{2}\s*[—–-]\s*)?(20\d{2})\s*年(?!\s*\d{1,2}\s*月)(?!以来)")
_PERIOD = re.compile(r"(20\d{2})\s*年?\s*(?:[—–-]|至)\s*(20\d{2})")
_GOAL_YEAR = re.compile(r"到\s*(20\d{2})\s*年")
_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_NOT_ISSUED = re.compile(r"自\s*20|起|至\s*20")  # around a date: when a plan starts or ends
_DOCUMENT = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")
_BRACKETED = re.compile(r"《[^》]*》|〈[^〉]*〉|〔[^〕]*〕")  # titles and document numbers: their years are no goals
_TITLE_END = re.compile(r"(方案|规划|计划|纲要|意见|措施|办法)(?:[（(]20\d{2}\s*[—–-]\s*20\d{2}\s*年[）)])?$")

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[．.、](?!\d)|附件)"
)
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")
_CLAUSE_END = re.compile(r"[，：:]|(?<!\d),|,(?!\d)")
_CLAUSE_TRIM = re.compile(r"[，,：:；;。\s]+$")
_DELIMITER = re.compile(r"[、，,；;和及与或（(]")
_ITEM_END = re.compile(r"$|[、，,；;。和及与或（(]")
_SUBSIDY = re.compile(r"最高|给予|予以|奖补|补助|补贴|资助|奖励")
_VERB_BETWEEN = re.compile(r"的|达|突破|超过|不少于|不低于|高于")

_LEAD_TRIM = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]|[、，,；;：:和及与或并（(）)\s]|其中|力争|争取|确保|探索|择优|到20\d{2}年底?|20\d{2}年?[—–-]20\d{2}年|20\d{2}年底?|[一二三四五两十]年[内间]?)+"
)
_TAIL_TRIM = re.compile(
    r"(?:累计|净增|新增|力争|争取|分别|保持在|稳定在|保持|达到|达|突破|超过|超|高于|不低于|不少于|不超过|低于|约|为|[较比]20\d{2}年"
    r"|(?:提高|提升|增加|降低|下降)[到至]?|增长[到至])+$"
)
_AFTER_TRIM = re.compile(r"^(?:以上|以下|以内|左右)?的?")

# 年增长 as a yearly growth, not the year of 较2024年增长 (growth since 2024)
_GROWTH = re.compile(r"年均|(?<!\d)年增长|(?<!\d)年增速|同比增|[较比]上年增")
_GROWTH_TAIL = re.compile(r"(?:年均|(?<!\d)年|同比|[较比]上年)(?:增长|增速|增幅)$")
# growth over the whole period, from a base year (较2024年增长100%) or from the plan's (增长50%, 翻一番):
# the average yearly growth it means
_SINCE = re.compile(r"(?:(?:较|比)\s*(20\d{2})\s*年?(?:底|末)?\s*)?(?:增长|提高|增加)$")
# a figure from the start of a from-to goal (由2023年的0.86件提高到2.5件) is the present, not a goal
_FROM = re.compile(r"(?:由|从)\s*(?:20\d{2}\s*年(?:底|末)?的?)?\s*$")
_NO_DECREASE = re.compile(r"只增不减")
_MONEY_NAME = re.compile(r"支出|投入|经费|资金")
_BARE_NAME = re.compile(r"(?:年均|年增|同比|[较比]上年)|(?:净增|新增|增加)$")  # names only how, not what
_TOTAL = re.compile(r"总数|总量|总额|总规模")
# meetings held and what each unit must have (每个县至少建设1个…) are ways of working, not the plan's goals
_NO_GOAL_NAME = re.compile(r"召开|会议$|^每(?:个|家|所|县)")
_CUMULATIVE = re.compile(r"累计")
_INCREASE = re.compile(r"新增|新建|净增|增加(?!值|到|至)")  # 由9.8亿元增加到20亿元 is a level
_ON_LAST_YEAR = re.compile(r"[较比]上年")
_EACH_YEAR = re.compile(r"每年|(?<!\d)年增长(?!率)|[较比]上年")
_ASPIRATION = re.compile(r"力争|争取|争创")

# (pattern on the name, pattern the clause must also match, indicator); the first that fits the unit wins
# R&D of a narrower subject (规模以上工业企业研发经费) is not the whole society's: such a name gets no indicator
_NARROWER_RD = re.compile(r"(企业|工业|高校|院所|机构|单位)(?:的)?(研发|R&D|研究与试验发展|研究开发)")
_OWN_LEVEL = re.compile(r"[市县区]本级")  # 市本级财政科技支出: the city government's own budget, not the city's
_INDICATOR_RULES = (
    (r"有研发活动.*(占比|比重|比例)", "", "rd_active_firm_share"),
    (r"有研发活动.*数|有研发活动的?(规模以上|规上)?工业企业$", "", "industrial_firms_with_rd"),
    (r"有研发机构.*数|有研发机构的?(规模以上|规上)?工业企业$", "", "industrial_firms_with_rd_institution"),
    (r"强度|占.*(?:生产总值|GDP)", r"研发|R&D|研究与试验发展|研究开发", "rd_intensity"),
    (r"技术合同.*(成交额|交易额)", "", "tech_contract_turnover"),
    (r"技术合同.*(数|份)", "", "tech_contracts"),
    (r"财政科技支出占.*支出.*(比重|比例)", "", "fiscal_st_share_of_total_expenditure"),
    (r"财政科技(支出|投入|经费)|一般公共预算科学技术支出", "", "fiscal_st_expenditure"),
    (r"(研发|R&D|研究与试验发展|研究开发).*(经费|投入)", "", "rd_expenditure"),
    (r"高新技术企业(保有)?(量|数量|数|总数)?$", "", "hte_stock"),
    (r"地区生产总值|GDP", "", "gdp"),
)

# Chinese words -> ascii id parts; longest first so 高新技术企业 wins over 企业
_GLOSSARY = {
    "研发": "rd",
    "高新技术企业": "hte",
    "高新区": "hitech_zone",
    "高新技术产业开发区": "hitech_zone",
    "高新技术产业": "hitech_industry",
    "技术合同": "tech_contract",
    "成交额": "turnover",
    "科技成果": "st_achievements",
    "创新平台": "innovation_platforms",
    "人才": "talents",
    "团队": "teams",
    "孵化器": "incubators",
    "众创空间": "maker_spaces",
    "星创天地": "star_bases",
    "新产品": "new_products",
    "新技术": "new_technologies",
    "关键技术": "key_technologies",
    "核心技术": "core_technologies",
    "专利": "patents",
    "实验室": "laboratories",
    "中试": "pilot",
    "产值": "output",
    "营业收入": "revenue",
    "增加值": "value_added",
    "比重": "share",
    "占比": "share",
    "强度": "intensity",
    "经费": "funds",
    "资金": "funds",
    "企业": "firms",
    "园区": "parks",
    "科技特派员": "st_commissioners",
    "技术经理人": "tech_managers",
    "新品种": "varieties",
    "基地": "bases",
    "中心": "centers",
    "示范": "demos",
    "场景": "scenarios",
    "科技服务业": "st_services",
    "支行": "bank_branches",
    "县": "counties",
}
_GLOSSARY_RE = re.compile("|".join(sorted(map(re.escape, _GLOSSARY), key=len, reverse=True)))

# tables: a row is a label and numbers or '/', the header names one unit per column in brackets
_TABLE_ROW = re.compile(
    r"^\s*(?P<label>[\u4e00-\u9fff]{0,12})\s+(?P<cells>(?:(?:\d+(?:\.\d+)?|[/／])\s+){2,}(?:\d+(?:\.\d+)?|[/／]))\s*$"
)
_TABLE_TITLE = re.compile(r"表|专栏")
_HEAD_UNIT = re.compile(rf"[（(]\s*({_UNIT_ALT})\s*[）)]")
_HEAD_LEAD = re.compile(r"^(?:单位|地区|县区|名称|序号|指标|任务)+")
_YEAR_COLUMN = re.compile(r"(20\d{2})\s*年")
_CELL = re.compile(
    rf"不低于全国(?:平均)?水平|(?<![\d.,])(?P<num>{_NUMBER})"
    rf"(?:\s*(?P<unit>{_UNIT_ALT})(?:\s*(?P<mod>以上))?|(?![\d.])(?!\s*[年月日号]))"
)
_ROW_BREAK = re.compile(r"局|委|部|厅|支行|银行|政府|管委会|单位|\d+(?:\.\d+)?")  # lead units, row numbers
_ROW_UNIT = re.compile(rf"[（(]\s*({_UNIT_ALT})\s*[）)]|\s({_UNIT_ALT})\s*$")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９％", "0123456789%")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


@dataclass(frozen=True)
class _Where:
    """What holds for a clause: its section, the year in force, whether its sentence says 力争."""

    section: str
    year: int | None
    aspiration: bool
    carried: bool = False  # 力争 from an earlier clause of the sentence (holds for all of this one's goals)


@dataclass
class _Found:
    """One goal as read, before the plan's base year turns it into a target."""

    name: str
    year: int | None
    kind: str
    comparator: str
    threshold: float
    unit: str
    clause: str
    section: str = ""
    threshold_high: float | None = None
    each_year: bool = False
    aspiration: bool = False
    geo: str | None = None
    note: str = ""
    since: int | None = None  # the base year the clause itself names (较2024年增长)
    total_growth: bool = False  # threshold: the % growth over the whole period (a doubling: 100)
    yearly_increase: bool = False  # threshold: the average yearly increase (年均增加0.3件)
    relative_to: str | None = None


def draft_plan(
    text: str, plan_id: str, geo: str, vocab: Vocabulary | None = None, base_year: int | None = None
) -> dict:
    """A plan mapping (keys plan, title, document, issued, seed, geo, base_year, targets) ready for a
    YAML dump; every target carries the note 草稿，待核对."""
    vocab = vocab or load_vocabulary()
    geo = vocab.geo(geo)
    _check_plan_id(plan_id)
    if not text or not text.strip():
        raise InputError.single("text", "an empty text", "the text of a plan document")
    text = text.translate(_FULL_WIDTH_DIGITS)
    lines = text.splitlines()
    title, title_line = _title(lines)
    period = _period(title, plan_id, text)
    end_year = period[1] if period else _latest_goal_year(text)
    found, prose = _tables(lines, end_year, geo, vocab)
    found += _prose(prose, end_year, vocab)
    if base_year is None:
        base_year = _base_year(period, found)
    targets = _targets(found, base_year, geo, vocab) if base_year else []
    if not targets:
        raise InputError.single(
            "text",
            "no number with a unit that reads as a goal",
            "a plan text stating targets such as 到2025年…达到50家",
        )
    return {
        "plan": plan_id,
        "title": title,
        "document": _document(lines[: title_line + 5]),
        "issued": _issued(text),
        "seed": "",
        "geo": geo,
        "base_year": base_year,
        "targets": targets,
    }


def write_draft(text_path: Path, plan_id: str, geo: str, out: Path, force: bool = False) -> int:
    """Draft the plan in text_path (UTF-8), write it to `out` atomically; the number of targets drafted.
    An existing `out` is replaced only with `force`: it may be a draft already reviewed and edited."""
    text_path, out = Path(text_path), Path(out)
    if out.stem != plan_id:  # the plans loader takes a plan's id from its file name: say so now
        raise InputError.single("--out", str(out), f"a file named {plan_id}.yaml (a plan file is named by its id)")
    refuse_existing(out, force, "be a draft already reviewed and corrected", "a fresh draft")
    text = _read(text_path)
    try:
        plan = draft_plan(text, plan_id, geo)
    except InputError as exc:
        raise InputError([_in_file(p, text_path) for p in exc.problems]) from None
    plan["seed"] = text_path.name
    write_text(yaml.dump(plan, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000), Path(out))
    return len(plan["targets"])


class _Dumper(yaml.SafeDumper):
    """Writes a list of plain values in flow style (period: [2025, 2030]), as the shipped files do."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.SequenceNode:
    flow = not any(isinstance(x, dict | list) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


# ---- input ----


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(
            "", f"an unreadable file ({exc.strerror})", "a plan text file", file=str(path)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.single(
            "",
            f"bytes that are not UTF-8 (byte {raw[exc.start]:#04x})",
            "UTF-8 text (re-save as UTF-8)",
            file=str(path),
            where=f"line {line}",
        ) from None
    if not text.strip():
        raise InputError.single("", "an empty file", "the text of a plan document", file=str(path))
    return text


def _in_file(problem: Problem, path: Path) -> Problem:
    return Problem(str(path), problem.where, problem.field, problem.found, problem.expected)


def _check_plan_id(plan_id: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_]*", str(plan_id)):
        raise InputError.single(
            "plan", repr(plan_id), "ascii snake_case, the target file's stem (e.g. nanning_2024_2026)"
        )


# ---- plan facts ----


def _title(lines: list[str]) -> tuple[str, int]:
    """The plan's own title and its line: the first line (joined with the next while a 《 is open or a
    period in brackets follows) that ends like a plan's name and is neither a covering notice nor a
    section heading (八、保障措施); else the first such name in 《》 (a reprint citing its plan)."""
    for i, line in enumerate(lines):
        if _HEADING.match(line):
            continue
        candidate, j = _tidy(line), i
        while (
            j < i + 3 and j + 1 < len(lines) and (_open_quote(candidate) or re.match(r"\s*[（(]20\d{2}", lines[j + 1]))
        ):
            j += 1
            candidate += _tidy(lines[j])
        if candidate and not re.search(r"[，。；：,:;]|通知|印发", candidate) and _TITLE_END.search(candidate):
            return candidate, i
    for i, line in enumerate(lines):
        cited = next((m for m in re.findall(r"《([^》]+)》", _tidy(line)) if _TITLE_END.search(m)), None)
        if cited:
            return cited, i
    return next((_tidy(line) for line in lines if line.strip()), ""), 0


def _open_quote(text: str) -> bool:
    return text.count("《") > text.count("》") or text.count("〈") > text.count("〉")


_FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
_FIVE_YEAR = re.compile("|".join(_FIVE_YEAR_PLANS))


# a year's work plan (鹿寨县2024年科技工作要点): the title names one year and no span of years
_ONE_YEAR = re.compile(
    r"^(?!.*(?:至|到|三年|五年|20\d{2}.*20\d{2})).*?(20\d{2})\s*年度?.*(?:要点|工作计划|工作安排|任务)"
)


def _period(title: str, plan_id: str, text: str) -> tuple[int, int] | None:
    """The plan period: from the title (2024—2026, 十四五: 2021–2025), else from a plan id ending in
    _2024_2026, else a year's work plan's title (2024年科技工作要点), else the first period written
    in the text, else the first five-year plan the text names."""
    found = (
        _PERIOD.search(title),
        _FIVE_YEAR.search(title),
        re.search(r"(20\d{2})_(20\d{2})$", plan_id),
        _ONE_YEAR.search(title),
        _PERIOD.search(text),
        _FIVE_YEAR.search(_BRACKETED.sub("", text)),  # 落实《…“十四五”规划》 names another plan
    )
    for m in filter(None, found):
        if m.re is _FIVE_YEAR:
            return _FIVE_YEAR_PLANS[m.group()]
        if m.re is _ONE_YEAR:
            return int(m.group(1)), int(m.group(1))
        if int(m.group(1)) < int(m.group(2)):
            return int(m.group(1)), int(m.group(2))
    return None


def _base_year(period: tuple[int, int] | None, found: list[_Found]) -> int | None:
    """The year before the plan period, else three years before the earliest goal."""
    if period:
        return period[0] - 1
    years = [f.year for f in found if f.year]
    return min(years) - 3 if years else None


def _latest_goal_year(text: str) -> int | None:
    years = [int(y) for y in _GOAL_YEAR.findall(text)]
    return max(years) if years else None


def _document(head: list[str]) -> str:
    """The document number on a line of its own near the title ('' if none); numbers inside sentences
    cite other documents."""
    return next((_tidy(line) for line in head if _DOCUMENT.fullmatch(_tidy(line))), "")


def _issued(text: str) -> dt.date | str:
    """The first full date that is not a start or end (自2023年5月1日起施行, 有效期至…)."""
    dates = (d for d in _DATE.finditer(text) if not _NOT_ISSUED.search(text[max(d.start() - 4, 0) : d.end() + 3]))
    m = next(dates, None)
    if not m:
        return ""
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return m.group()


# ---- prose ----


def _prose(lines: list[str | None], end_year: int | None, vocab: Vocabulary) -> list[_Found]:
    """Goals in running text. A year (到2023年) holds for the rest of its block, up to the next heading."""
    geo_names = tuple(vocab.geos)
    found: list[_Found] = []
    for section, block in _blocks(lines):
        carried, last = None, None
        for sentence in _SENTENCE_END.split(block):
            goals = _sentence(sentence, section, carried or end_year, geo_names)
            for f in goals:  # 到2025年，技术合同成交额达到18亿元；到2026年，达到25亿元: the same thing's
                if not f.name and last is not None and last.unit == f.unit:
                    f.name = _GROWTH_TAIL.sub("", last.name)
                    f.note = "；".join(n for n in (f.note, "名称承接上句") if n)
                last = f
            found += goals
            carried = _last_year(_mask(sentence)) or carried
    return found


def _blocks(lines: list[str | None]) -> list[tuple[str, str]]:
    """(section, text) of each run of lines from a heading to the next; a None (a table) ends a run.
    Lines are joined without a break, as PDF text breaks lines in mid-word; a heading standing on
    its own line keeps its break, so it does not run into the sentence after it."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line is None or _HEADING.match(line):
            blocks.append([])
        if line is not None and line.strip():
            blocks[-1].append(_tidy(line))
    out = []
    for block in blocks:
        if block:
            text = "".join(line + "\n" * _standalone(line) for line in block)
            heading = re.split(r"[。；，,]", block[0], maxsplit=1)[0] if _HEADING.match(block[0]) else ""
            out.append((heading[:30], text))
    return out


def _standalone(line: str) -> bool:
    """A short heading line without punctuation (一、总体要求) stands alone."""
    return len(line) <= 30 and bool(_HEADING.match(line)) and not re.search(r"[，。；：,;:]", line)


def _sentence(sentence: str, section: str, carried: int | None, geo_names: tuple[str, ...]) -> list[_Found]:
    """The goals of a sentence, clause by clause; a year written in it holds from there on."""
    masked = _mask(sentence)
    rule_from = _subsidy_start(masked)
    aspiration = False  # 力争 holds for the goals of its clause, or of the next where its own has none
    found = []
    for start, end in _clauses(masked):
        clause = masked[start:end]
        if start >= rule_from or _SUBSIDY.search(clause):
            continue  # subsidy caps, rates and who qualifies are rules, not goals
        where = _Where(section, _last_year(masked[:start]) or carried, aspiration or bool(_ASPIRATION.search(clause)),
                       aspiration)  # fmt: skip
        aspiration = where.aspiration
        before = len(found)
        subject = _GROWTH_TAIL.sub("", found[-1].name) if found else ""
        found += _relative(sentence[start:end], clause, where, subject)
        found += _no_decrease(sentence[start:end], clause, where) + _first_one(sentence[start:end], clause, where)
        subject = _GROWTH_TAIL.sub("", found[-1].name) if found else ""
        found += _clause(sentence[start:end], _doublings(clause), where, geo_names, subject)
        aspiration = aspiration and len(found) == before
    return found


def _subsidy_start(sentence: str) -> int:
    """Where a subsidy rule starts in a sentence ("对…的企业，给予最高…"): its conditions are no goals."""
    if not _SUBSIDY.search(sentence):
        return len(sentence) + 1
    for start, _ in _clauses(sentence):
        if sentence.startswith("对", start):
            return start
    return len(sentence) + 1


# 倍增 only as the clause's goal (实现倍增), not in a programme's name (倍增计划)
_DOUBLING = re.compile(r"翻(一|两|二|三)番|(?:增长|提高|增加)(\d+(?:\.\d+)?)倍|(?:实现)?倍增(?=\s*(?:$|[，。；,;、]))")


def _doublings(clause: str) -> str:
    """翻一番, 实现倍增 and 增长(提高)1倍 (doubling) read as 增长100%, 翻两番 as 增长300%: growth since the
    year the clause names, else since the plan's base year."""

    def growth(m: re.Match) -> str:
        if m[1]:
            return f"增长{100 * (2 ** {'一': 1, '两': 2, '二': 2, '三': 3}[m[1]] - 1)}%"
        return f"增长{100 * float(m[2]):g}%" if m[2] else "增长100%"

    return _DOUBLING.sub(growth, clause)


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(sentence)] + [len(sentence)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if sentence[a:b].strip()]


def _clause(verbatim: str, clause: str, where: _Where, geo_names: tuple[str, ...], subject: str) -> list[_Found]:
    """The goals of one clause; `subject` is the name of the goal before, for an item that names
    none (…达到50亿元，年均增长15%)."""
    matches = list(_QUANTITY.finditer(clause))
    found: list[_Found] = []
    own = _ASPIRATION.search(clause)
    for i, m in enumerate(matches):
        before = clause[matches[i - 1].end() if i else 0 : m.start()]
        after = clause[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(clause)]
        if _not_a_goal(before, after, i + 1 < len(matches), geo_names) or _OF_AVERAGE.search(before):
            continue
        if present := _FROM.search(before):  # 由2023年的0.86件提高到2.5件: the goal is 2.5, of what precedes 由
            subject = _name(before[: present.start()], "") or subject
            continue
        name = _name(before, after)
        if _NO_GOAL_NAME.search(name):
            continue
        inherited = not name
        if _TOTAL.fullmatch(name):
            name = re.sub(r"^(?:新增|新建|净增|增加)", "", subject)  # 净增150家，总数达到450家: the same thing's total
        elif not name or _BARE_NAME.match(name) or not _SINCE.sub("", name):
            name = subject + name  # 技术合同成交额达到50亿元，年均增长15% (比2021年底增长100%): the same thing's
        subject = _GROWTH_TAIL.sub("", name)
        # 力争 in this clause holds from where it stands (年均增长10%以上、力争达到15%: the 10 % is firm)
        aspiration = where.carried or bool(own and own.start() < m.start())
        goal = _goal(m, name, before, after, clause[: m.start()], verbatim, replace(where, aspiration=aspiration))
        last = found[-1] if found else None
        if inherited and last is not None and last.kind == "growth_rate" and goal.unit == "%":
            goal = replace(goal, kind="growth_rate", name=last.name, each_year=last.each_year)  # …、力争达到15%
        found.append(goal)
    if "分别" in clause and len(found) > 1:  # 2024年、2025年、2026年…分别达到200家、250家、300家
        years = [int(y) for y in _YEAR.findall(clause[: clause.index("分别")])]
        if len(years) == len(found):
            for f, year in zip(found, years, strict=True):
                f.year = year
    return found


def _not_a_goal(before: str, after: str, more: bool, geo_names: tuple[str, ...]) -> bool:
    """A count after a list of places describes the present (南宁、柳州、桂林、北海4个国家高新区); a
    number qualifying the noun of a later number defines what is counted (年研发投入超500万元的企业达100家)."""
    if "、" in before and before.rstrip().endswith(geo_names):
        return True
    return more and not _DELIMITER.search(after) and bool(_VERB_BETWEEN.search(after))


def _goal(m: re.Match, name: str, before: str, after: str, prefix: str, verbatim: str, where: _Where) -> _Found:
    """One number of a clause as a goal; `prefix` is the clause up to it."""
    written = m.group("unit")
    unit, scale = _WRITTEN[written]
    value = _float(m.group("num")) if m.group("num") else float(_CN_DIGIT[m.group("cn")])
    high = _float(m.group("high")) if m.group("high") else None
    unit = _density(unit, name)
    note = "" if written == unit or unit == "件/万人" else f"原文单位为{written}，已按{unit}记录"
    year = _last_year(prefix) or where.year
    kind, since = _kind(before, prefix, unit), None
    compared = None if _GROWTH.search(before) else _SINCE.search(before.rstrip())
    named = int(compared[1]) if compared and compared[1] else None
    # 较2024年增长100% by 2027: the whole period's growth (_over_period makes it yearly)
    total_growth = bool(compared and unit == "%" and year and (named is None or named < year))
    from_named = bool(compared and unit not in ("%", "倍") and named and year and named < year)  # 较2023年提高1件
    if total_growth:
        kind, high = "growth_rate", None
    elif from_named:
        kind = "increase"
    if total_growth or from_named:
        since, name = named, name.removesuffix(compared[0])
    # 年均增长0.3件, 年均提高0.1个百分点: the period's increase; 较上年增加5亿元 holds each year instead
    yearly_increase = kind == "increase" and bool(_GROWTH.search(before)) and not _ON_LAST_YEAR.search(before)
    name = re.sub(r"[较比]上年(?:增长|增加|净增|新增|提高)?$", "", name) or name  # each_year says it
    if yearly_increase:
        name = _GROWTH_TAIL.sub("", re.sub(r"年均(?:增长|提高|增加|新增|净增)?$", "", name))
    return _Found(
        name=name,
        year=year,
        kind=kind,
        comparator=_comparator(before, m.group("mod"), after),
        threshold=value * scale,
        threshold_high=high * scale if high is not None else None,
        unit=unit,
        clause=_CLAUSE_TRIM.sub("", verbatim).strip(),
        section=where.section,
        each_year=bool(_EACH_YEAR.search(prefix)) and not total_growth and not yearly_increase,
        aspiration=where.aspiration,
        note=note,
        since=since,
        total_growth=total_growth,
        yearly_increase=yearly_increase,
    )


_PER_10K_PEOPLE = re.compile(r"(?:每)?万人|.*每万(?:人|名)")


def _density(unit: str, name: str) -> str:
    """每万人口高价值发明专利拥有量9件, 每万名就业人员中研发人员20人年: counts per 10,000 people."""
    per = f"{unit}/万人"
    return per if units.dimension(per) == "per_10k" and _PER_10K_PEOPLE.match(name) else unit


def _comparator(before: str, modifier: str | None, after: str) -> str:
    """以上/左右 after the number decide; else a word right before it. 突破 before a number followed by
    a noun is the verb (突破10项关键技术), not "more than"."""
    if modifier:
        return _MODIFIERS[modifier]
    m = _COMPARATOR_WORD.search(before)
    if not m:
        return ">="
    comparator = _COMPARATORS.get(m.group(1), ">=")
    ends_item = bool(_ITEM_END.match(after.strip()))
    return comparator if comparator != ">" or ends_item else ">="


def _kind(before: str, prefix: str, unit: str) -> str:
    """The growth word must be the item's own (年均增速15%、投入强度2%); 新增 and 累计 at the head of a
    list hold for every item of it (新增高新技术企业200家、上市企业3家); 累计新增 is an increase."""
    if unit == "百分点":
        return "increase"
    if _GROWTH.search(before):
        return "growth_rate" if unit == "%" else "increase"
    if _INCREASE.search(prefix):  # 累计新增100家: the stock's increase over the period, not a sum of stocks
        return "increase"
    if _CUMULATIVE.search(prefix):
        return "cumulative"
    return "level"


def _relative(verbatim: str, clause: str, where: _Where, subject: str) -> list[_Found]:
    """不低于全国(全区)平均水平: the ratio to the national (Guangxi's) value, at least 1 (of 80 %:
    0.8, 一半: 0.5). 高于…0.1个百分点 is a difference, which the schema does not hold: drafted as
    above the average, with a note. `subject`: the name of the goal before (…达到1.5%，力争达到全区平均水平)."""
    m = _RELATIVE.search(clause)
    if not m or _GROWTH_WORD.search(_name(clause[: m.start()], "") or "x"):
        return []  # 增速高于全区平均水平 compares growth rates, which a ratio of levels does not measure
    ratio = float(m["percent"]) / 100 if m["percent"] else 0.5 if m["half"] else float(m["times"] or 1)
    note = f"原文要求高出{m['points']}个百分点（差值），按高于平均水平起草，请核对" if m["points"] else ""
    return [
        _Found(
            name=_name(clause[: m.start()], "") or subject or f"{m.group(2)}平均水平之比",
            year=where.year,
            kind="relative",
            comparator=">" if m.group(1) in ("高于", "超过") or m["points"] else ">=",
            threshold=ratio,
            note=note,
            unit="ratio",
            clause=_CLAUSE_TRIM.sub("", verbatim).strip(),
            section=where.section,
            aspiration=where.aspiration,
            relative_to=_COMPARED_WITH[m.group(2)],
        )
    ]


def _no_decrease(verbatim: str, clause: str, where: _Where) -> list[_Found]:
    """财政科技支出只增不减: a money amount that may not fall, as the shipped plans encode it."""
    name = _wordless_name(_NO_DECREASE, clause)
    if not _MONEY_NAME.search(name):
        return []
    note = "原文无数字；只增不减编码为每年增加额≥0（持平也算达到）"
    return _wordless(name, verbatim, where, kind="increase", threshold=0.0, unit="亿元", each_year=True, note=note)


_FIRST_ONE = re.compile(r"实现零的突破|零的突破")


def _first_one(verbatim: str, clause: str, where: _Where) -> list[_Found]:
    """国家级科技企业孵化器实现零的突破: at least one, where there is none yet."""
    name = _wordless_name(_FIRST_ONE, clause)
    name = re.sub(r"^在(.+?)(?:建设|方面)?上$", r"\1", re.sub(r"^实现", "", name))  # 在国家级创新平台建设上
    if not name:
        return []
    unit = "家" if re.search(r"(企业|机构|公司|高校)$", name) else "个"
    note = f"原文无数字；零的突破编码为至少1{unit}"
    return _wordless(name, verbatim, where, kind="level", threshold=1.0, unit=unit, note=note)


def _wordless_name(pattern: re.Pattern, clause: str) -> str:
    """The name of a goal stated without a number (只增不减, 零的突破); '' where the clause has none
    or also states a number."""
    m = pattern.search(clause)
    return _name(clause[: m.start()], "") if m and not _QUANTITY.search(clause) else ""


def _wordless(name: str, verbatim: str, where: _Where, **goal) -> list[_Found]:
    clause = _CLAUSE_TRIM.sub("", verbatim).strip()
    return [_Found(name=name, year=where.year, comparator=">=", clause=clause, section=where.section,
                   aspiration=where.aspiration, **goal)]  # fmt: skip


def _name(before: str, after: str) -> str:
    """The noun phrase of a goal: the words before the number without the comparator verb, plus the
    object after it when the number comes first (建立30家中试基地)."""
    head = _TAIL_TRIM.sub("", _LEAD_TRIM.sub("", _after_unclosed(before.strip())))
    tail = _DELIMITER.split(_AFTER_TRIM.sub("", after.strip()), maxsplit=1)[0]
    name = re.sub(r"[。；;，,：:]+$", "", head + tail).strip()
    return name[-_NAME_LIMIT:]


def _after_unclosed(text: str) -> str:
    """The text after a bracket closed but not opened here: the end of a previous remark (…责任单位）)."""
    for opening, closing in (("（", "）"), ("(", ")")):
        if text.count(closing) > text.count(opening):
            text = text[text.rfind(closing) + 1 :]
    return text


def _last_year(text: str) -> int | None:
    years = _YEAR.findall(text)
    return int(years[-1]) if years else None


def _mask(text: str) -> str:
    """Blank out book titles and document numbers (same length, so offsets hold)."""
    return _BRACKETED.sub(lambda m: "＿" * len(m.group()), text)


def _tidy(text: str) -> str:
    """Remove the spaces PDF extraction puts around Chinese characters and the markdown bold marks."""
    return _SPACE_NEAR_CJK.sub("", text.replace("*", "")).strip()


# ---- tables ----


def _tables(
    lines: list[str], end_year: int | None, geo: str, vocab: Vocabulary
) -> tuple[list[_Found], list[str | None]]:
    """Goals in breakdown tables, and the lines left for prose (a table's lines become None)."""
    rest: list[str | None] = list(lines)
    found = _unit_tables(lines, rest, end_year, geo, vocab)
    found += _year_tables(lines, rest)
    return found, rest


def _unit_tables(
    lines: list[str], rest: list[str | None], end_year: int | None, geo: str, vocab: Vocabulary
) -> list[_Found]:
    """Tables with a unit per column in the header (高新技术企业数量（家）) and a place per row."""
    found: list[_Found] = []
    for first, last in _row_runs(lines):
        head_from = _header_start(lines, first)
        header = _tidy("".join(lines[head_from:first]))
        columns = _columns(header)
        if len(columns) < 2:
            continue
        title = next((_tidy(lines[i]) for i in range(head_from, first) if _TABLE_TITLE.search(lines[i])), "")
        year = _last_year(_mask("".join(lines[max(0, head_from - 3) : first]))) or end_year
        found += _unit_table_rows(lines[first : last + 1], columns, title, year, geo, vocab)
        rest[head_from : last + 1] = [None] * (last + 1 - head_from)
    return found


def _row_runs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line of each run of at least two table rows; blank lines and short labels
    (a row name broken over two lines) may sit between rows."""
    runs, first, last = [], None, None
    for i, line in enumerate(lines):
        if _TABLE_ROW.match(line):
            first = i if first is None else first
            last = i
        elif first is not None and not re.fullmatch(r"\s*[\u4e00-\u9fff]{0,6}\s*", line):
            runs.append((first, last))
            first = None
    if first is not None:
        runs.append((first, last))
    return [(a, b) for a, b in runs if sum(bool(_TABLE_ROW.match(x)) for x in lines[a : b + 1]) >= 2]


def _header_start(lines: list[str], first: int) -> int:
    """The first line of a table: its title (a line naming a 表), else the line after the last
    finished sentence before its rows."""
    for i in range(first - 1, max(-1, first - 60), -1):
        if _TABLE_TITLE.search(lines[i]):
            return i
        if lines[i].rstrip().endswith(("。", "；")):
            return i + 1
    return max(0, first - 60)


def _columns(header: str) -> list[tuple[str, str]]:
    """(name, written unit) of each column: the header text up to each bracketed unit."""
    columns, start = [], 0
    header = _HEAD_LEAD.sub("", re.sub(r"^.*(?:表|专栏)[^（(]*(?:[（(][^）)]*[）)])?", "", header))
    for m in _HEAD_UNIT.finditer(header):
        columns.append((_HEAD_LEAD.sub("", header[start : m.start()]), m.group(1)))
        start = m.end()
    return columns


def _unit_table_rows(
    rows: list[str], columns: list[tuple[str, str]], title: str, year: int | None, geo: str, vocab: Vocabulary
) -> list[_Found]:
    parsed, label_prefix = [], ""
    for line in rows:
        m = _TABLE_ROW.match(line)
        if not m:
            label_prefix += line.strip()
            continue
        parsed.append((label_prefix + m.group("label"), m.group("cells").split()))
        label_prefix = ""
    blanks = _blank_columns([cells for _, cells in parsed if len(cells) == len(columns)], len(columns))
    found = []
    for label, cells in parsed:
        aligned = _align(cells, blanks)
        if aligned is None:
            continue
        row_geo, note = _row_geo(label, geo, vocab)
        for (name, written), cell in zip(columns, aligned, strict=True):
            if cell is None:
                continue
            unit, scale = _WRITTEN[written]
            unit = _density(unit, name)
            clause = f"{title} | {label} | {name}（{written}） | {cell}"
            kind = _table_kind(name, unit)
            found.append(
                _Found(name, year, kind, ">=", float(cell) * scale, unit, clause, title[:30], geo=row_geo, note=note)
            )
    return found


def _blank_columns(full_rows: list[list[str]], width: int) -> list[bool]:
    """Which columns are mostly '/' in the complete rows."""
    if not full_rows:
        return [False] * width
    return [sum(_blank(r[j]) for r in full_rows) * 2 > len(full_rows) for j in range(width)]


def _align(cells: list[str], blanks: list[bool]) -> list[str | None] | None:
    """Cells put in their columns; a row short of a few cells (an empty cell lost in extraction) gets
    its gaps where the complete rows are mostly empty."""
    gaps = len(blanks) - len(cells)
    if gaps < 0 or gaps > 3:
        return None
    best, best_score = None, -1
    for where in itertools.combinations(range(len(blanks)), gaps):
        it = iter(cells)
        row = [None if j in where else next(it) for j in range(len(blanks))]
        score = sum((c is None or _blank(c)) == b for c, b in zip(row, blanks, strict=True))
        if score > best_score:
            best, best_score = row, score
    return [None if c is None or _blank(c) else c for c in best]


def _blank(cell: str) -> bool:
    return cell in ("/", "／")


def _row_geo(label: str, geo: str, vocab: Vocabulary) -> tuple[str, str]:
    """The place a table row names (柳州市 -> 柳州, 鱼峰区 -> 柳州鱼峰区), else the plan's own place."""
    for candidate in (label, label.removesuffix("市"), geo + label):
        if candidate in vocab.geos:
            return candidate, ""
    return geo, f"表中单位为{label}，按{geo}记录" if label else ""


def _table_kind(name: str, unit: str) -> str:
    """A table cell says no 累计 or 年均 beside its number: its column or row name does."""
    if unit == "%" and _GROWTH.search(name):
        return "growth_rate"
    return "increase" if _INCREASE.search(name) or unit == "百分点" else "level"


def _year_tables(lines: list[str], rest: list[str | None]) -> list[_Found]:
    """Tables with a year per column (任务 2021年 2022年 2023年) and a goal per row."""
    found: list[_Found] = []
    for i, line in enumerate(lines):
        years = [int(y) for y in _YEAR_COLUMN.findall(line)]
        if rest[i] is None or len(years) < 2 or len(line.strip()) > 60 or re.search(r"[，。；、,]", line):
            continue
        end = next((j for j in range(i + 1, len(lines)) if _HEADING.match(lines[j]) or "。" in lines[j]), len(lines))
        title = next((_tidy(lines[j]) for j in range(i - 1, max(-1, i - 6), -1) if _TABLE_TITLE.search(lines[j])), "")
        found += _year_table_rows(_join_cells(lines[i + 1 : end]), years, title)
        rest[i:end] = [None] * (end - i)
    return found


def _join_cells(lines: list[str]) -> str:
    """A table's lines as one text: a line break between two Chinese characters is inside a cell
    (不低于全/国平均水平), any other separates cells."""
    body = ""
    for line in (re.sub(r"[|｜*]", " ", x).strip() for x in lines):
        if line:
            inside = body and not body[-1].isascii() and not line[0].isascii()
            body += ("" if inside else " ") + line
    return body


def _year_table_rows(body: str, years: list[int], title: str) -> list[_Found]:
    """Each run of exactly one cell per year is a row; its name is the text before it, after the
    previous row's lead and responsible units (…局、…委) and its row number; its unit is in brackets
    in the name or stands after it."""
    found, start = [], 0
    for run in _cell_runs(body, len(years)):
        pieces = [p.strip() for p in _ROW_BREAK.split(body[start : run[0].start()]) if p.strip()]
        row = pieces[-1] if pieces else ""
        unit = _ROW_UNIT.search(row)
        row = _ROW_UNIT.sub("", row).strip()
        start = run[-1].end()
        for year, cell in zip(years, run, strict=True):
            goal = _year_cell(cell, row, unit and (unit.group(1) or unit.group(2)), year, title)
            if goal:
                found.append(goal)
    return found


def _cell_runs(body: str, width: int) -> list[list[re.Match]]:
    runs: list[list[re.Match]] = []
    current: list[re.Match] = []
    for m in _CELL.finditer(body):
        if current and body[current[-1].end() : m.start()].strip():
            runs.append(current)
            current = []
        current.append(m)
    runs.append(current)
    return [r for r in runs if len(r) == width]


def _year_cell(cell: re.Match, row: str, row_unit: str | None, year: int, title: str) -> _Found | None:
    clause = f"{title} | {row} | {year}年 | {cell.group()}"
    if not cell.group("num"):
        return _Found(row, year, "relative", ">=", 1.0, "ratio", clause, title[:30])
    written = cell.group("unit") or row_unit
    if written is None:
        return None
    unit, scale = _WRITTEN[written]
    unit, value = _density(unit, row), _float(cell.group("num")) * scale
    return _Found(row, year, _table_kind(row, unit), ">=", value, unit, clause, title[:30])


# ---- targets ----


def _targets(found: list[_Found], base_year: int, geo: str, vocab: Vocabulary) -> list[dict]:
    """Targets in the schema; a year not after the base year is the present, not a goal. A goal
    stated twice (in a table and in the text) is one target, noting where else it stands."""
    targets, seen, kept = [], set(), {}
    for f in found:
        if f.year is None or f.year <= base_year:
            continue
        target = _target(f, base_year, geo, vocab)
        same = kept.get(_goal_key(target))
        if same is not None and _same_thing(same["name"], target["name"], same["indicator"]):
            same["note"] += f"；亦见：{target['clause']}"
            continue
        targets.append({"id": _unique(_id(f, target, vocab), seen), **target})
        kept.setdefault(_goal_key(target), targets[-1])
    return targets


def _goal_key(target: dict) -> tuple:
    fields = ("geo", "indicator", "kind", "year", "comparator", "threshold", "unit", "relative_to")
    return (*(target.get(k) for k in fields), tuple(target.get("period") or ()))


def _same_thing(a: str, b: str, indicator: str | None) -> bool:
    """Two names of one goal: the same indicator, or (for a goal the vocabulary does not measure)
    one name within the other once 全市/全社会 and the like are dropped."""
    if indicator is not None:
        return True
    a, b = (re.sub(r"^(?:全市|全县|全区|全社会)+", "", n) for n in (a, b))
    return a in b or b in a


def _over_period(f: _Found, base_year: int) -> _Found:
    """A whole period's growth as the average yearly growth it takes, an average yearly increase as
    the whole period's. The yearly rate keeps four decimals, rounded down: an exact doubling meets it,
    and a growth short of the goal by more than 0.0001 %/yr does not."""
    start = f.since or base_year
    years, written = f.year - start, f.threshold
    if years < 1 or not (f.total_growth or f.yearly_increase):
        return f
    from_year = f"较{f.since}年" if f.since else ""
    if f.total_growth:
        threshold = math.floor(1e6 * ((1 + written / 100) ** (1 / years) - 1) + 1e-6) / 1e4  # 4 decimals of a %
        note = f"原文为{from_year}增长{written:g}%，按{years}年折为年均增长{threshold:g}%"
        if not f.since:
            note += f"（原文未写起点，按方案基年{start}年计）"
    else:
        threshold = round(written * years, 6)
        note = f"原文为年均增加{written:g}{f.unit}，按{start}—{f.year}年{years}年折为累计增加{threshold:g}{f.unit}"
    return replace(f, threshold=threshold, note="；".join(n for n in (f.note, note) if n))


def _target(f: _Found, base_year: int, geo: str, vocab: Vocabulary) -> dict:
    f = _over_period(f, base_year)
    kind, timing = _timing(f, base_year)
    indicator, basis = _indicator(f.name, f.clause, kind, f.unit, vocab)
    target: dict = {"name": f.name or "（待命名）", "section": f.section, "geo": f.geo or geo, "indicator": indicator}
    if basis:
        target["basis"] = basis
    target |= {"kind": kind, **timing, "comparator": f.comparator, "threshold": _number(f.threshold)}
    if f.threshold_high is not None and f.threshold_high > f.threshold:
        target["threshold_high"] = _number(f.threshold_high)
    target["unit"] = f.unit
    if kind == "relative":
        target["relative_to"] = f.relative_to or "全国"
    if f.aspiration:
        target["aspiration"] = True
    target["clause"] = f.clause
    target["note"] = "；".join(n for n in (NOTE, f.note) if n)
    return target


def _timing(f: _Found, base_year: int) -> tuple[str, dict]:
    """(kind, year/period fields): growth and increase run from the base year, a cumulative total
    sums the years after it; a one-year cumulative total is that year's level."""
    first = base_year + 1
    if f.kind in ("growth_rate", "increase"):
        return f.kind, {"period": [f.since or base_year, f.year], **({"each_year": True} if f.each_year else {})}
    if f.kind == "cumulative" and f.year > first:
        return f.kind, {"period": [first, f.year]}
    kind = "relative" if f.kind == "relative" else "level"
    if f.each_year and f.year > first:
        return kind, {"year": f.year, "period": [first, f.year], "each_year": True}
    return kind, {"year": f.year}


def _indicator(name: str, clause: str, kind: str, unit: str, vocab: Vocabulary) -> tuple[str | None, str | None]:
    """A vocabulary indicator where the name plainly says it and the unit fits (as the loader checks)."""
    for name_pattern, clause_pattern, indicator in _INDICATOR_RULES:
        ind = vocab.indicators.get(indicator)
        if ind is None or not re.search(name_pattern, name) or not re.search(clause_pattern, name + clause):
            continue
        if (indicator.startswith("rd_") and _NARROWER_RD.search(name)) or _OWN_LEVEL.search(name):
            return None, None
        if units.dimension(unit) == expected_dimension(kind, ind.dimension):
            return indicator, _basis(clause) if ind.bases else None
    return None, None


def _basis(clause: str) -> str:
    return "inflow" if "吸纳" in clause else "outflow" if "输出" in clause else "unspecified"


def _id(f: _Found, target: dict, vocab: Vocabulary) -> str:
    words = list(dict.fromkeys(_GLOSSARY[w] for w in _GLOSSARY_RE.findall(f.name)))[:3]
    stem = target["indicator"] or "_".join(words) or "target"
    alias = vocab.geos.get(target["geo"], {}).get("en") if f.geo else None
    period = target.get("period")
    suffix = {
        "cumulative": "cum",
        "growth_rate": "growth",
        "increase": "increase",
        "relative": "rel",
    }.get(target["kind"])
    years = f"{period[0]}_{period[1]}" if period and target["kind"] != "level" else str(f.year)
    return "_".join(p for p in (stem, alias, suffix, years) if p)


def _unique(tid: str, seen: set[str]) -> str:
    candidate, n = tid, 2
    while candidate in seen:
        candidate, n = f"{tid}_{n}", n + 1
    seen.add(candidate)
    return candidate


def _float(written: str) -> float:
    return float(written.replace(",", ""))


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 6)
