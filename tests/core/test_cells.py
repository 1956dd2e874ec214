"""Cell helpers: the fast blank test agrees with the normalising one."""

from hypothesis import given
from hypothesis import strategies as st

from opsbook.core.cells import is_blank, norm_text


@given(st.text())
def test_blank_text_is_exactly_what_normalises_to_nothing(text):
    assert is_blank(text) == (norm_text(text) == "")
