"""Property: however a history CSV is mangled, loading it either works or raises the package's
own InputError — never a traceback from the parser, pandas or numpy."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history
from kjqg_model.inputs.vocab import load_vocabulary

from .conftest import HEADER, write_csv

GOOD_ROWS = [
    ["广西", "rd_intensity", "2023", "0.84", "%", "=", "https://example.org/a", ""],
    ["广西", "tech_contract_turnover_inflow", "2022", "5815321.0", "万元", "=", "src", "note, with comma"],
    ["广西", "hte_stock", "2023", "4000", "家", ">", "src", ""],
]
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "-1",
            "1e400",
            "nan",
            "inf",
            "NaN",
            "2099",
            "1,204",
            '"',
            "\n",
            "亿元(1-5月)",
            "万元",
            "％",
            "%",
            ">",
            "~",
            "全国",
            "柳州",
            "gdp",
            "0",
            "100.5",
            "\x00",
            "\ufeff",
        ]
    ),
)


@st.composite
def mangled_csv(draw) -> str:
    rows = [list(r) for r in draw(st.lists(st.sampled_from(GOOD_ROWS), min_size=1, max_size=4))]
    for row in rows:
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        if draw(st.booleans()):
            del row[draw(st.integers(0, len(row) - 1)) :]  # a ragged row
    header = HEADER
    if draw(st.integers(0, 4)) == 0:
        cols = HEADER.strip().split(",")
        cols[draw(st.integers(0, len(cols) - 1))] = draw(st.text(max_size=6))
        header = ",".join(cols) + "\n"
    return header + "".join(",".join(r) + "\n" for r in rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mangled_csv(), encoding=st.sampled_from(["utf-8", "gbk", "utf-16"]))
def test_mangled_rows_only_raise_input_error(text, encoding):
    vocab = load_vocabulary()
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp) / "shipped"
        write_csv(shipped, ",".join(GOOD_ROWS[0]) + "\n", name="base.csv")
        mine = Path(tmp) / "mine"
        mine.mkdir()
        try:
            (mine / "x.csv").write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            (mine / "x.csv").write_bytes(text.encode("utf-8", "replace"))
        try:
            h = load_history([mine], shipped_dir=shipped, vocabulary=vocab)
        except InputError as exc:
            event("rejected")
            assert exc.problems and all(p.file for p in exc.problems)
        else:
            event("accepted")
            assert h.table["source"].str.len().min() > 0
            assert h.table["value"].notna().all()
