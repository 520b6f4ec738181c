"""If-None-Match and If-Modified-Since, read one way for documents and dumps (RFC 9110 §13)."""

from email.utils import formatdate

import pytest

from service.conditional import none_match, not_modified

TAG = '"3f2a"'


@pytest.mark.parametrize("header", ['"3f2a"', 'W/"3f2a"', ' "x" , W/"3f2a" ', '"x","3f2a"', "*", " * ",
                                    '"a,b", "3f2a"'])
def test_if_none_match_compares_weakly_over_a_list(header):
    assert none_match(header, TAG)
    assert none_match(header, "W/" + TAG)  # a weak validator of ours matches as well


@pytest.mark.parametrize("header", ['"3f2"', '"3f2a', "3f2a", 'W/3f2a', '"x", "y"', "", '"a,b"', '"*"', "W/"])
def test_what_does_not_name_the_tag_does_not_match(header):
    assert not none_match(header, TAG)


def test_if_none_match_wins_over_if_modified_since():
    later = formatdate(2_000_000_000, usegmt=True)
    assert not_modified({"if-modified-since": later}, TAG, 1_000_000_000)
    assert not not_modified({"if-none-match": '"other"', "if-modified-since": later}, TAG, 1_000_000_000)
    assert not not_modified({"if-modified-since": formatdate(0, usegmt=True)}, TAG, 1_000_000_000)
    assert not not_modified({"if-modified-since": later}, TAG)  # no date known: never "not modified"


@pytest.mark.parametrize("date", ["yesterday", "", "Mon, 32 Foo 99999 25:61:61 GMT", "Tue, 01 Jan 10000 00:00:00 GMT",
                                  "\x00", "Sun, 06 Nov 1994 08:49:37 +9999999999"])
def test_a_date_that_is_none_is_ignored(date):
    assert not not_modified({"if-modified-since": date}, TAG, 1_000_000_000)
