"""The README's desktop install, followed on fresh virtual environments.

The shop gets this folder (or the wheel built from it); opsbook is not on PyPI.
Each test copies the checkout's tracked files, makes a new venv and runs the
README's commands in it. So that pip downloads no pandas or numpy, the new venv
sees the test environment's site-packages as a plain path (pip finds the
dependencies installed; only the isolated build fetches setuptools); opsbook
itself comes only from what the steps install.
"""

import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

import opsbook

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_steps() -> list[str]:
    block = README.split("<!-- desktop-install -->", 1)[1].split("```")[1]
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


def checkout_copy(dest: Path) -> Path:
    files = (
        subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(src.read_bytes())
    return dest


def fresh_venv(path: Path) -> Path:
    venv.create(path, with_pip=True)
    bindir = path / ("Scripts" if sys.platform == "win32" else "bin")
    python = bindir / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return bindir


def follow(
    step: str | list[str], bindir: Path, cwd: Path, home: Path
) -> subprocess.CompletedProcess:
    """Run one step as the shop types it, with the new venv's python and opsbook."""
    words = step.split() if isinstance(step, str) else step
    program = {"python": bindir / "python", "opsbook": bindir / "opsbook"}[words[0]]
    env = {"HOME": str(home), "PATH": f"{bindir}:/usr/bin:/bin"}
    return subprocess.run(
        [str(program), *words[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def shop(tmp_path):
    """A fresh venv and a copy of the folder the shop was given."""
    home = tmp_path / "home"
    home.mkdir()
    return fresh_venv(tmp_path / "venv"), checkout_copy(tmp_path / "opsbook"), home


def test_the_readme_desktop_steps_install_opsbook_from_this_folder(shop):
    bindir, folder, home = shop
    steps = readme_steps()
    assert steps[0] == "python -m pip install ." and all(
        "pip install opsbook" not in s for s in steps
    )
    for step in steps:
        done = follow(step, bindir, folder, home)
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
    assert (folder / "店铺.xlsm").exists() or (folder / "店铺.xlsx").exists()
    where = follow(
        ["python", "-c", "import opsbook; print(opsbook.__file__)"], bindir, home, home
    )
    assert str(bindir.parent) in where.stdout  # the installed copy, not this checkout


def test_the_wheel_the_readme_names_is_what_pip_wheel_builds(shop, tmp_path):
    bindir, folder, home = shop
    named = re.search(
        r"python -m pip install (opsbook-[\w.]+-py3-none-any\.whl)", README
    ).group(1)
    built = follow(
        "python -m pip wheel --no-deps -w dist .",
        bindir,
        folder,
        home,
    )
    assert built.returncode == 0, built.stderr
    assert [p.name for p in (folder / "dist").glob("*.whl")] == [named]
    assert named == f"opsbook-{opsbook.__version__}-py3-none-any.whl"
    assert (
        follow(f"python -m pip install dist/{named}", bindir, folder, home).returncode
        == 0
    )
    version = follow("opsbook --version", bindir, home, home)
    assert version.stdout.strip() == f"opsbook {opsbook.__version__}"
