"""Tests of the part-level book engine (opsbook.book)."""
