"""The package type-checks clean under mypy (configured in pyproject.toml)."""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).parents[1]


def test_mypy_finds_no_type_errors_in_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # pyproject's [tool.mypy] names what to check
    out, err, status = api.run(["--cache-dir", str(tmp_path / "cache")])
    assert status == 0, out + err
    assert "Success: no issues found" in out
