"""Year-on-year change (增速 / 个百分点) and rank among siblings (排名, 并列), derived, never typed in."""

from decimal import Decimal

from kechuang.indicators.choices import Direction
from kechuang.indicators.derive import Change, Rank, change, rank

D = Decimal


def test_growth_rate_of_an_amount():
    # 115 / 100 − 1 = 15.00 %
    assert change(D(115), D(100), percentage=False) == Change("rate", D("15.00"))
    # 2024 R&D 36,326.8 vs 33,357.1 (2023): 36326.8 / 33357.1 − 1 = 8.9027… % → 8.90 (公报: +8.9 %)
    assert change(D("36326.8"), D("33357.1"), percentage=False).value == D("8.90")


def test_negative_growth():
    # 90 / 120 − 1 = −25.00 %
    result = change(D(90), D(120), percentage=False)
    assert (result.kind, result.value, result.direction) == ("rate", D("-25.00"), -1)


def test_zero_base_year_has_no_growth_rate():
    result = change(D(5), D(0), percentage=False)
    assert (result.kind, result.value, result.direction) == ("none", None, 0)
    assert "基数为零" in result.reason
    assert change(D(5), D(-2), percentage=False).kind == "none"


def test_percentage_changes_by_points_not_by_rate():
    # 2.69 % − 2.58 % = +0.11 个百分点 (RULES.md §11)
    assert change(D("2.69"), D("2.58"), percentage=True) == Change("points", D("0.11"))
    # from a zero base a percentage still has a change in points
    assert change(D("1.5"), D(0), percentage=True) == Change("points", D("1.50"))
    assert change(D("2.4"), D("2.6"), percentage=True).direction == -1


def test_missing_figures_have_no_change_and_say_why():
    assert change(None, D(1), percentage=False).reason == "本期数据暂缺"
    assert change(D(1), None, percentage=False).reason == "上年同期数据暂缺"


def test_flat_change_has_no_direction():
    assert change(D(100), D(100), percentage=False).direction == 0


def test_rank_with_a_tie_skips_the_next_rank():
    ranks = rank({"a": D(10), "b": D(30), "c": D(30), "d": D(5)})
    assert ranks == {"b": Rank(1, True, 4), "c": Rank(1, True, 4), "a": Rank(3, False, 4), "d": Rank(4, False, 4)}
    assert str(ranks["b"]) == "并列第1"
    assert str(ranks["a"]) == "第3"


def test_rank_treats_equal_decimals_of_different_scale_as_tied():
    ranks = rank({"a": D("100"), "b": D("100.0000"), "c": D("99.9999")})
    assert ranks["a"] == ranks["b"] == Rank(1, True, 3)
    assert ranks["c"] == Rank(3, False, 3)


def test_rank_lower_is_better():
    ranks = rank({"a": D(3), "b": D(1), "c": D(2)}, Direction.DOWN)
    assert [ranks[k].position for k in "abc"] == [3, 1, 2]


def test_a_region_without_a_figure_is_not_ranked():
    ranks = rank({"a": D(3), "missing": None, "c": D(2)})
    assert "missing" not in ranks
    assert ranks["a"] == Rank(1, False, 2)  # "of" counts only the ranked regions


def test_tie_at_the_bottom():
    ranks = rank({"a": D(3), "b": D(1), "c": D(1)})
    assert ranks["b"] == ranks["c"] == Rank(2, True, 3)
