"""Build the desktop template from its sources: ``python workbook/build.py [--check]``.

1. Regenerates the VBA modules that come from Python (``vba/xlwings_udfs.bas`` by
   xlwings' own generator, with its macOS guard; ``vba/opsbook_help.bas``).
2. Builds ``opsbook/book/data/vbaProject.bin`` (source-only VBA project, see
   ``vbaproject.py``) from xlwings' standalone module and class in the installed
   xlwings, every ``vba/*.bas`` and ``vba/ThisWorkbook.cls``, with one document
   module per sheet codeName; records what it was built from in
   ``opsbook/book/data/vbaProject.json``.
3. Writes ``workbook/dist/opsbook.xlsm`` and ``opsbook.xlsx`` (not committed).

``--check`` rebuilds in memory and exits 1 when the committed files differ.
The build is reproducible: the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from opsbook.book.macro_book import VBA_BIN, VBA_META, codenames  # noqa: E402
from opsbook.excel.vba import help_module, mac_guarded, udf_module  # noqa: E402
from workbook.vbaproject import (  # noqa: E402
    VbaModule,
    build_vba_project,
    read_bas,
    xlwings_modules,
)

VBA = HERE / "vba"
GENERATED = {
    "xlwings_udfs.bas": lambda: mac_guarded(udf_module()),
    "opsbook_help.bas": help_module,
}


def generated_sources() -> dict[Path, str]:
    """The .bas files that Python writes, as they should read now."""
    return {VBA / name: make() for name, make in GENERATED.items()}


def modules() -> tuple[list[VbaModule], str]:
    """Every module of the project (but the document ones) and ThisWorkbook's code."""
    ours = [read_bas(p) for p in sorted(VBA.glob("*.bas"))]
    this_workbook = (VBA / "ThisWorkbook.cls").read_text(encoding="ascii")
    return [*xlwings_modules(), *ours], this_workbook


def build() -> tuple[bytes, str]:
    mods, this_workbook = modules()
    data = build_vba_project(mods, codenames(), this_workbook)
    meta = {
        "xlwings": metadata.version("xlwings"),
        "codenames": codenames(),
        "modules": {
            m.name: hashlib.sha256(m.code.encode("ascii")).hexdigest()[:16]
            for m in mods
        },
        "this_workbook": hashlib.sha256(this_workbook.encode()).hexdigest()[:16],
        "vbaProject.bin": hashlib.sha256(data).hexdigest(),
    }
    return data, json.dumps(meta, indent=2, ensure_ascii=True) + "\n"


def check() -> list[str]:
    """What is out of date in the committed sources and build (empty: all current)."""
    stale = [
        str(p.relative_to(ROOT))
        for p, text in generated_sources().items()
        if not p.is_file() or p.read_bytes() != text.encode("ascii")
    ]
    data, meta = build()
    if not VBA_BIN.is_file() or VBA_BIN.read_bytes() != data:
        stale.append(str(VBA_BIN.relative_to(ROOT)))
    if not VBA_META.is_file() or VBA_META.read_text(encoding="utf-8") != meta:
        stale.append(str(VBA_META.relative_to(ROOT)))
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = check()
        for name in stale:
            print(f"out of date: {name} (run: python workbook/build.py)")
        return 1 if stale else 0
    for path, text in generated_sources().items():
        path.write_bytes(text.encode("ascii"))
    data, meta = build()
    VBA_BIN.parent.mkdir(parents=True, exist_ok=True)
    VBA_BIN.write_bytes(data)
    VBA_META.write_text(meta, encoding="utf-8")
    from opsbook.book.macro_book import new_book

    dist = HERE / "dist"
    for name in ("opsbook.xlsm", "opsbook.xlsx"):
        written, notice = new_book(dist / name, overwrite=True)
        print(written.resolve(), notice or "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
