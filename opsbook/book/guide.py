"""The 说明 sheet: five lines telling staff how to use the book, the first sheet it opens on.

There are two texts, for a book driven by buttons (``"desktop"``) or by the
command line (``"file"``); ``opsbook.book.template.build_workbook`` picks one.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

GUIDE_SHEET = "说明"
GUIDE_TITLE = "opsbook 使用说明 / how to use this book"
GUIDE_LINES = {
    "desktop": (
        "1. 员工照常在 商品、咨询、任务、关键词 表里录入，新行接在表格下面（表格自动扩展）。优先级 5 最高、1 最低。"
        " / Staff enter rows as usual below each table; priority 5 is the highest.",
        "2. 运营点 重发计划 页的「生成重发计划」按钮：按 设置 的时段和数量排好今天的重发；客服按时间重发后在 完成 列打 √。"
        " / Build repost plan on 重发计划; the clerk ticks 完成 after each repost.",
        "3. 下班前点 日报 页的「汇总今日」：整理各表、写日报和明天的任务。生意参谋的流量导出用 流量 页的「导入流量」。"
        " / Consolidate day on 日报 before leaving; Import traffic on 流量.",
        "4. 出错时弹窗会写明 表、行、列 和改法，改好再点一次；opsbook 不会删除或改写员工录入的行。"
        " / An error names the sheet, row and column and how to fix it; staff rows are never deleted or rewritten.",
        "5. 按钮需要启用宏并装好 Python（运行一次 opsbook setup）；Mac 上按钮可用，但 REPOST_SLOTS 等公式只在 Windows Excel 计算，旁边有按钮写入的静态数字；WPS、LibreOffice 请用命令行 opsbook plan / consolidate。"
        " / Buttons need macros enabled and opsbook setup; formulas are Windows-only, static figures sit beside them; elsewhere use the command line.",
    ),
    "file": (
        "1. 员工照常在 商品、咨询、任务、关键词 表里录入，新行接在表格下面（表格自动扩展）。优先级 5 最高、1 最低。"
        " / Staff enter rows as usual below each table; priority 5 is the highest.",
        "2. 运营运行 opsbook plan 本文件：按 设置 的时段和数量在 重发计划 页排好今天的重发；客服重发后在 完成 列打 √。"
        " / opsbook plan FILE writes today's plan; the clerk ticks 完成 after each repost.",
        "3. 下班前运行 opsbook consolidate 本文件：整理各表、写日报和明天的任务；opsbook import-traffic 导入生意参谋流量。"
        " / opsbook consolidate FILE before leaving; opsbook import-traffic for traffic exports.",
        "4. 出错时命令会写明 表、行、列 和改法，改好再运行；opsbook 不会删除或改写员工录入的行。"
        " / An error names the sheet, row and column and how to fix it; staff rows are never deleted or rewritten.",
        "5. 想要按钮和公式：用 opsbook new 文件名.xlsm 生成带宏的工作簿（Windows / Mac Excel）。"
        " / For buttons and worksheet functions, create a macro-enabled book: opsbook new NAME.xlsm.",
    ),
}


def write_guide_sheet(ws: Worksheet, kind: str) -> None:
    """Five lines that tell staff what to do; the first sheet a new book opens on."""
    ws["A1"] = GUIDE_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(GUIDE_LINES[kind], start=3):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        ws.row_dimensions[i].height = 60
    ws.column_dimensions["A"].width = 96
    ws.sheet_view.showGridLines = False
