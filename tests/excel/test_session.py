"""One headless edit: the path is checked once, before the lock, and a failed macro writes nothing."""

import pytest

from opsbook.book import files, store
from opsbook.errors import BookFileError
from opsbook.excel import session


def test_an_edit_checks_the_path_once(demo_book, monkeypatch):
    calls = []

    def counted(path):
        calls.append(path)
        files.check_workbook_path(path)

    monkeypatch.setattr(session, "check_workbook_path", counted)
    monkeypatch.setattr(store, "check_workbook_path", counted)
    session.edit_book(demo_book, lambda book: None)
    assert calls == [demo_book.resolve()]


def test_a_missing_book_is_refused_before_any_lock_file_is_made(tmp_path):
    with pytest.raises(BookFileError, match="文件不存在"):
        session.edit_book(tmp_path / "没有.xlsx", lambda book: None)
    assert list(tmp_path.iterdir()) == []


def test_a_macro_that_raises_leaves_the_book_as_it_was(demo_book):
    before = demo_book.read_bytes()

    def broken(book):
        book.sheets["设置"]["B2"].value = "改了"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        session.edit_book(demo_book, broken)
    assert demo_book.read_bytes() == before
