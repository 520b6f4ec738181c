"""Parameters in requests: numbers in ASCII digits within bounds, each parameter once; or a message saying what is expected."""

import pytest

from service.parameters import BadParameter, single, whole_number


def test_whole_numbers_within_bounds():
    assert whole_number("1", "page", least=1) == 1
    assert whole_number("007", "cursor") == 7
    assert whole_number("999999999", "cursor") == 999_999_999
    assert whole_number("5", "limit", least=1, most=5) == 5


@pytest.mark.parametrize("text", ["", " 1", "1 ", "1\n", "+1", "-1", "1.0", "1e3", "1_000", "\u00b2", "\u0661",
                                  "\uff11", "9" * 5000, "1000000000", "0x1"])
def test_anything_else_is_refused_with_the_reason(text):
    with pytest.raises(BadParameter, match=r"^'page' must be a whole number, 1 or more \(at most 999999999"):
        whole_number(text, "page", least=1)


def test_the_bounds_are_checked():
    with pytest.raises(BadParameter):
        whole_number("0", "page", least=1)
    with pytest.raises(BadParameter, match="at most 5"):
        whole_number("6", "limit", least=1, most=5)


def test_zero_is_a_whole_number_unless_a_lower_bound_excludes_it():
    assert whole_number("0", "cursor") == 0
    with pytest.raises(BadParameter, match=r"^'cursor' must be a whole number, 0 or more"):
        whole_number("-1", "cursor")


def test_a_parameter_is_given_once_or_not_at_all():
    assert single([], "q") is None and single(["  "], "q") is None
    assert single([" mnla "], "q") == "mnla"
    with pytest.raises(BadParameter, match=r"^give 'q' once\.$"):
        single(["mnla", "hcua"], "q")
