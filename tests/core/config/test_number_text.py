"""Typed numbers are read as people mean them and printed as they typed them."""

import math

import pytest

from lrexplorer.core.config.number_text import (
    NumberError,
    compact_number,
    format_number,
    parse_float,
    parse_scalar,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.001", 0.001), ("1e-3", 0.001), (" 3e-4 ", 3e-4), ("10", 10.0), ("-2", -2.0)],
)
def test_parse_float_accepts_plain_and_scientific(text, value):
    assert parse_float(text) == value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not a number"),
        ("1e", "not a number"),
        ("nan", "NaN"),
        ("inf", "infinite"),
        ("-Infinity", "infinite"),
        ("1e400", "too large"),
        ("0,001", "comma"),
        ("1,5e-3", "comma"),
    ],
)
def test_parse_float_refuses_with_a_reason(text, says):
    with pytest.raises(NumberError, match=says):
        parse_float(text, "learning rate")


def test_comma_message_suggests_the_dot_form():
    with pytest.raises(NumberError, match=r"0\.001"):
        parse_float("0,001")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0001, "0.0001"), (1e-5, "1e-5"), (3e-05, "3e-5"), (0.5, "0.5"), (1e20, "1e20"), (7, "7")],
)
def test_format_number_is_the_shortest_exact_text(value, text):
    assert format_number(value) == text
    assert float(text) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-4, "1e-4"), (2.5e-4, "2.5e-4"), (0.01, "0.01"), (0.5, "0.5"), (1e-7, "1e-7")],
)
def test_compact_number_labels(value, text):
    assert compact_number(value) == text


def test_parse_scalar_types():
    assert parse_scalar("true") is True
    assert parse_scalar("False") is False
    assert parse_scalar("none") is None
    assert parse_scalar("5") == 5 and isinstance(parse_scalar("5"), int)
    assert parse_scalar("0.95") == 0.95
    assert parse_scalar("relu") == "relu"
    assert math.isinf(parse_scalar("1e400"))
