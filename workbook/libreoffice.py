"""LibreOffice headless, as an independent reader of our workbooks (tests and render.py).

``convert(book, "pdf")`` shows what a user will see; ``convert(book, "ods")``
exposes what LibreOffice made of the VBA project (``Basic/VBAProject/*.xml``)
and of the Form buttons (``content.xml``). Each call uses its own throw-away
profile, so it neither clashes with a running LibreOffice nor with a parallel
test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 180


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(book: Path, fmt: str, outdir: Path) -> Path:
    """Convert ``book`` to ``fmt`` (pdf, ods, ...) in ``outdir``; the path written."""
    binary = soffice()
    if binary is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsbook-lo-") as profile:
        done = subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(book),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    out = outdir / f"{book.stem}.{fmt.split(':')[0]}"
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"LibreOffice could not convert {book.name}: {done.stdout}{done.stderr}"
        )
    return out


def text_bottom(pdf: Path, page: int = 1) -> float:
    """Lowest edge of any text on ``page``, in points (poppler's pdftotext -bbox)."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    )
    return max(float(y) for y in re.findall(r'yMax="([\d.]+)"', done.stdout))


def pdf_to_png(
    pdf: Path, png: Path, *, page: int = 1, dpi: int = 110, crop: bool = False
) -> Path:
    """One page of ``pdf`` as a PNG (poppler's pdftoppm); ``crop`` cuts below the text."""
    binary = shutil.which("pdftoppm")
    if binary is None:
        raise FileNotFoundError("pdftoppm (poppler-utils) is not installed")
    png.parent.mkdir(parents=True, exist_ok=True)
    height = ["-H", str(int((text_bottom(pdf, page) + 24) * dpi / 72))] if crop else []
    subprocess.run(
        [
            binary,
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            *height,
            str(pdf),
            str(png.with_suffix("")),
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return png
