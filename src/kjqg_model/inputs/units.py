"""Units as published and their conversion to an indicator's canonical unit.

Each unit belongs to a dimension and has a factor to that dimension's base (yuan, items, percent).
A published unit may carry a parenthetical remark ("亿元(1-5月)"): the remark is kept as a note
and the unit before it is used.
"""

from __future__ import annotations

import re

# unit -> (dimension, size in the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "万元": ("money", 1e4),
    "亿元": ("money", 1e8),
    "万亿元": ("money", 1e12),
    "%": ("share", 1.0),
    "百分点": ("share_change", 1.0),
    "ratio": ("ratio", 1.0),
    "倍": ("ratio", 1.0),
    "家": ("count", 1.0),
    "个": ("count", 1.0),
    "项": ("count", 1.0),
    "件": ("count", 1.0),
    "人": ("count", 1.0),
    "名": ("count", 1.0),
    "支": ("count", 1.0),
    "次": ("count", 1.0),
    "场": ("count", 1.0),
    "人次": ("count", 1.0),
    "台(套)": ("count", 1.0),
    "台": ("count", 1.0),
    "套": ("count", 1.0),
    "所": ("count", 1.0),
    "篇": ("count", 1.0),
    "万项": ("count", 1e4),
    "万家": ("count", 1e4),
    "万人": ("count", 1e4),
    "人年": ("count", 1.0),
    "万人年": ("count", 1e4),
    # per 10,000 people or firms (每万人口…, 每万家企业法人中…)
    **{f"{u}/万{d}": ("per_10k", 1.0) for u in ("件", "项", "个", "家", "人", "人年") for d in ("人", "家")},
}

_REMARK = re.compile(r"^\s*(?P<unit>[^()（）]+?)\s*[（(](?P<remark>.*)[)）]\s*$")


def split_unit(published: str) -> tuple[str, str]:
    """'亿元 (unit cut off in excerpt)' -> ('亿元', 'unit cut off in excerpt'); '台(套)' stays whole."""
    text = published.strip()
    if text in UNITS:
        return text, ""
    m = _REMARK.match(text)
    if m and m.group("unit") in UNITS:
        return m.group("unit"), m.group("remark").strip()
    return text, ""


def dimension(unit: str) -> str | None:
    entry = UNITS.get(unit)
    return entry[0] if entry else None


def factor(unit: str, to: str) -> float:
    """Multiply a value in `unit` by this to express it in `to` (same dimension)."""
    (dim_from, size_from), (dim_to, size_to) = UNITS[unit], UNITS[to]
    if dim_from != dim_to:
        raise ValueError(f"cannot convert {unit} ({dim_from}) to {to} ({dim_to})")
    return size_from / size_to
