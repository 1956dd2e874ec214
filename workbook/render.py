"""Render the demo book's plan sheet to a PNG for the README: ``python workbook/render.py [OUT.png]``.

What a reader sees before installing anything: ``opsbook demo`` on a fixed day
(so the picture only changes when the product does), then LibreOffice draws the
重发计划 sheet (all other sheets hidden, the clerk's print range lifted, the top rows on one
landscape page) to PDF, and poppler's pdftoppm turns the page into a PNG.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from openpyxl import load_workbook  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from opsbook.book.macro_book import LIVE_AT  # noqa: E402
from opsbook.core.schema import PLAN  # noqa: E402
from workbook.libreoffice import convert, pdf_to_png  # noqa: E402

DAY = "2026-11-25"
DEFAULT_OUT = HERE / "preview" / "plan-sheet.png"
ROWS = 32


def plan_sheet_only(book: Path, out: Path) -> Path:
    """A copy of ``book`` that prints just the whole plan sheet on one landscape page."""
    wb = load_workbook(book)
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws.title == PLAN.name else "hidden"
    ws = wb[PLAN.name]
    wb.active = wb.worksheets.index(ws)
    # the top of the sheet: the first slots, the hourly summary, the info block and
    # the chart (the live UDF columns further right only compute in Windows Excel)
    ws.print_area = f"A1:{get_column_letter(LIVE_AT[1] - 1)}{ROWS}"
    ws.print_title_rows = None
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(out)
    return out


def render(out: Path = DEFAULT_OUT) -> Path:
    with tempfile.TemporaryDirectory(prefix="opsbook-render-") as tmp:
        work = Path(tmp)
        demo = work / "demo.xlsm"
        subprocess.run(
            [sys.executable, "-m", "opsbook", "demo", str(demo), "--date", DAY, "-q"],
            check=True,
            capture_output=True,
        )
        pdf = convert(plan_sheet_only(demo, work / "plan.xlsx"), "pdf", work)
        return pdf_to_png(pdf, out, dpi=170, crop=True)


if __name__ == "__main__":
    print(render(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
