"""analysis/whatif.py: sensitivity (each assumption moved one sd either way, on one fit with common
random numbers)."""

from __future__ import annotations

import numpy as np

from kjqg_model import sensitivity
from kjqg_model.engine.projection import SHIFTS


def test_sensitivity_moves_each_assumption_both_ways_with_common_random_numbers():
    df = sensitivity("guangxi_2021_2023", origin=2021, n_paths=2000, seed=4)
    assert set(df.assumption) <= set(SHIFTS) and {"drift", "noise"} <= set(df.assumption)
    assert df[["p_minus", "p_base", "p_plus"]].stack().between(0, 1).all()
    np.testing.assert_allclose(df.swing, (df.p_plus - df.p_minus).abs())
    for _, grp in df.groupby("target_id"):
        assert list(grp.swing) == sorted(grp.swing, reverse=True)  # the largest mover first
        assert grp.p_base.nunique() == 1  # one baseline per target
    # a higher growth lifts every path: with common numbers the probability of a target above
    # (recognitions' own drift) or of no decrease (fiscal S&T's growth) never falls, and it moves
    for target, assumption in (
        ("hte_stock_2023", "drift"),
        ("fiscal_st_expenditure_no_decrease_2020_2023", "fiscal_st_expenditure_growth"),
    ):
        row = df[(df.target_id == target) & (df.assumption == assumption)].iloc[0]
        assert row.p_minus <= row.p_base <= row.p_plus and row.p_minus < row.p_plus, (target, row)
    assert sensitivity("guangxi_2021_2023", origin=2021, n_paths=2000, seed=4).equals(df)  # same seed, same table
