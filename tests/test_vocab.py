"""Places as analysts and statistics write them: an official full name reaches the short name the
library uses, and an unknown or ambiguous one is not guessed."""

from __future__ import annotations

import pytest

from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import load_history
from kjqg_model.inputs.vocab import load_vocabulary

from .conftest import write_csv

VOCAB = load_vocabulary()


@pytest.mark.parametrize(
    ("written", "short"),
    [
        ("广西", "广西"),
        (" Guangxi ", "广西"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("内蒙古自治区", "内蒙古"),
        ("北京市", "北京"),
        ("河北省", "河北"),
        ("柳州市", "柳州"),
        ("柳州市柳南区", "柳州柳南区"),
        ("柳南区", "柳州柳南区"),
        ("融水苗族自治县", "柳州融水县"),
        ("柳东新区", "柳州柳东新区"),
    ],
)
def test_official_names_reach_the_short_name(written, short):
    assert VOCAB.canonical(written) == short


@pytest.mark.parametrize("written", ["广", "广南", "柳州市柳州柳南区", "", "区", "百色县", "百色区", "吉林市"])
def test_an_unknown_place_is_not_guessed(written):
    assert VOCAB.canonical(written) is None
    with pytest.raises(InputError, match="field 'geo'"):
        VOCAB.geo(written)


def test_a_history_row_under_the_full_name_joins_the_short_names_series(tmp_path):
    write_csv(tmp_path, "广西壮族自治区,hte_recognitions,2024,1300,家,=,https://example.org,\n")
    h = load_history([tmp_path])
    assert h.series("广西", "hte_recognitions").loc[2024, "value"] == 1300
    assert not (h.table.geo == "广西壮族自治区").any()
