Attribute VB_Name = "opsbook_buttons"
' opsbook: one macro per button in this workbook.
' Each is one RunPython line into opsbook/excel/buttons.py, which runs the same
' function as the opsbook command line;
' the argument is the xlwings version this VBA was built with, so Python can say
' plainly when the installed xlwings differs (rerun "opsbook setup", take a new book).
' Source: workbook/vba/opsbook_buttons.bas in opsbook. Edits made in Excel are lost
' when the workbook is rebuilt.
Option Explicit

Public Sub BuildRepostPlan()
    RunPython "import opsbook.excel.buttons as b; b.plan('0.37.8')"
End Sub

Public Sub ConsolidateDay()
    RunPython "import opsbook.excel.buttons as b; b.consolidate('0.37.8')"
End Sub

Public Sub ImportTraffic()
    RunPython "import opsbook.excel.buttons as b; b.import_traffic('0.37.8')"
End Sub

Public Sub EffectReport()
    RunPython "import opsbook.excel.buttons as b; b.effect('0.37.8')"
End Sub
