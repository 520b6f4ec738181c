"""Parameters in requests, read strictly: numbers in ASCII digits only, within bounds, and a
parameter given at most once; or a clear 400.

`str.isdigit()` accepts `²` and other Unicode digits that `int()` refuses, and `int()` itself
accepts spaces, underscores, Arabic-Indic digits and refuses more than 4300 digits; a request is
read by neither.
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]{1,9}")  # up to 999 999 999: more than any page, offset or count here
LARGEST = 999_999_999


class BadParameter(ValueError):
    """A request parameter that is not what the route takes; answered 400 with the message."""


def whole_number(text: str, name: str, least: int = 0, most: int = LARGEST) -> int:
    """`text` as a whole number from `least` to `most`, or `BadParameter` saying what is expected."""
    if DIGITS.fullmatch(text) is None or not least <= int(text) <= most:
        raise BadParameter(f"{name!r} must be a whole number, {least} or more (at most {most}, in digits 0-9).")
    return int(text)


def single(values: list[str], name: str) -> str | None:
    """The one value given for a parameter (its `getlist`), without surrounding spaces; None when
    it is absent or blank; `BadParameter` when it is given more than once."""
    if len(values) > 1:
        raise BadParameter(f"give {name!r} once.")
    return values[0].strip() or None if values else None
