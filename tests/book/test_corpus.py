"""Books saved by real Excel (Windows, Mac) and WPS keep every part opsbook does not own.

Each corpus file (tests/data/SOURCES.md) gets opsbook's sheets grafted in at zip
level, as an operator adding opsbook to a book they already keep; then `plan`
and `consolidate` run on it. Every member that is not an opsbook sheet (with
what hangs off it) or one of the few shared parts is byte-identical after.
"""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from opsbook.book.ooxml.graft import graft_sheets
from opsbook.book.ooxml.package import Package, rels_name, resolve
from opsbook.book.ooxml.workbook import WorkbookPart
from opsbook.cli import run
from workbook.libreoffice import soffice

from ..conftest import PLAN_DAY, require

CORPUS = sorted((Path(__file__).parents[1] / "data" / "corpus").glob("*.xls*"))
SHARED = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/calcChain.xml",
    "docProps/app.xml",
}


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def reachable(package: Package, part: str, seen: set[str]) -> set[str]:
    """``part`` and every part its relationships reach (its rels part included)."""
    if part in seen or part not in package:
        return seen
    seen.add(part)
    if rels_name(part) in package:
        seen.add(rels_name(part))
        for rel in package.rels(part):
            if rel.get("TargetMode") != "External":
                reachable(package, resolve(part, rel.get("Target", "")), seen)
    return seen


@pytest.fixture
def grafted(tmp_path, demo_book, request):
    source = request.param
    target = Package(source.read_bytes())
    ours = Package(demo_book.read_bytes())
    for name, data in graft_sheets(target, ours).items():
        target.write(name, data)
    path = tmp_path / source.name
    with open(path, "wb") as fh:
        target.save_to(fh)
    return source, path


def owned(path: Path, sheets: set[str]) -> set[str]:
    """Parts of the sheets named (and what hangs off them) in the book at ``path``."""
    package = Package(path.read_bytes())
    ours: set[str] = set()
    for entry in WorkbookPart(package).sheets:
        if entry.part and entry.name in sheets:
            reachable(package, entry.part, ours)
    return ours


@pytest.mark.parametrize("grafted", CORPUS, ids=lambda p: p.name, indirect=True)
def test_plan_and_consolidate_keep_every_part_staff_and_apps_put_in_the_book(
    grafted, demo_book
):
    source, path = grafted
    sheets = set(WorkbookPart(Package(demo_book.read_bytes())).names())
    before = members(path)
    assert run(["plan", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert run(["consolidate", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    after = members(path)
    mine = owned(path, sheets) | SHARED
    changed = {n for n in before if n not in mine and after.get(n) != before[n]}
    assert changed == set()
    assert set(before) - set(after) <= {"xl/calcChain.xml"}
    untouched = set(members(source)) - mine
    assert all(after[n] == members(source)[n] for n in untouched)


def test_every_corpus_book_still_opens_in_libreoffice_after_both_commands(
    tmp_path, demo_book
):
    require("LibreOffice", soffice())
    books = []
    for source in CORPUS:
        target = Package(source.read_bytes())
        for name, data in graft_sheets(target, Package(demo_book.read_bytes())).items():
            target.write(name, data)
        path = tmp_path / source.name
        with open(path, "wb") as fh:
            target.save_to(fh)
        assert run(["plan", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
        assert run(["consolidate", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
        books.append(path)
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(out),
            *map(str, books),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(p.stem for p in books)
    shutil.rmtree(out)


def staff_additions(path: Path) -> None:
    """A link, a drop-down and a data bar on 商品 and 流量, as staff add them in Excel."""
    import openpyxl
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.load_workbook(path)
    for name, column in (("商品", "G"), ("流量", "F")):
        ws = wb[name]
        ws[f"{column}1"] = "链接"  # staff name their own column
        ws[f"{column}2"].hyperlink = "https://detail.1688.com/offer/1.html"
        dv = DataValidation(type="list", formula1='"热卖,新品"')
        dv.add(f"{column}3:{column}50")
        ws.add_data_validation(dv)
        ws.conditional_formatting.add(
            "C2:C50", DataBarRule(start_type="min", end_type="max", color="FF638EC6")
        )
    wb.save(path)


def _staff_xml(path: Path, sheet: str) -> dict[str, bytes]:
    import re

    package = Package(path.read_bytes())
    part = WorkbookPart(package).entry(sheet).part
    xml = package.read(part)
    found = {
        tag: b"".join(re.findall(rb"<%s\b.*?</%s>" % (tag, tag), xml, re.S))
        for tag in (b"hyperlinks", b"dataValidations", b"conditionalFormatting")
    }
    found[b"rels"] = package.read(rels_name(part))
    return {k.decode(): v for k, v in found.items()}


def test_staff_additions_on_opsbooks_own_sheets_stay_exactly(demo_book):
    staff_additions(demo_book)
    before = {s: _staff_xml(demo_book, s) for s in ("商品", "流量")}
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert run(["consolidate", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 0
    after = {s: _staff_xml(demo_book, s) for s in ("商品", "流量")}
    assert after == before and all(v for s in before.values() for v in s.values())


def test_every_corpus_file_has_its_source_and_licence_listed():
    listed = (Path(__file__).parents[1] / "data" / "SOURCES.md").read_text(
        encoding="utf-8"
    )
    assert CORPUS and all(f"| {p.name} |" in listed for p in CORPUS)


@pytest.mark.parametrize(
    "grafted",
    [p for p in CORPUS if "checkboxes" in p.name],
    ids=lambda p: p.name,
    indirect=True,
)
def test_365_checkbox_cells_keep_their_checkbox_style(grafted):
    """A 365 checkbox is a boolean cell whose cell format points into featurePropertyBag."""
    _, path = grafted

    def checkbox_xfs(p: Path) -> list[bytes]:
        styles = members(p)["xl/styles.xml"]
        xfs = re.search(rb"<cellXfs\b.*?</cellXfs>", styles, re.S).group(0)
        return re.findall(rb"<xf\b[^>]*>(?:(?!</xf>).)*xfComplement.*?</xf>", xfs, re.S)

    before = checkbox_xfs(path)
    assert run(["plan", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert run(["consolidate", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert before and checkbox_xfs(path) == before
