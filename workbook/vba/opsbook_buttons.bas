Attribute VB_Name = "opsbook_buttons"
' opsbook: one macro per button in this workbook.
' Each is one RunPython line into the function the opsbook command line runs;
' the argument is the xlwings version this VBA was built with, so Python can say
' plainly when the installed xlwings differs (rerun "opsbook setup", take a new book).
' Source: workbook/vba/opsbook_buttons.bas in opsbook. Edits made in Excel are lost
' when the workbook is rebuilt.
Option Explicit

Public Sub BuildRepostPlan()
    RunPython "import opsbook.excel.macros as m; m.plan_button('0.37.8')"
End Sub

Public Sub ConsolidateDay()
    RunPython "import opsbook.excel.daily as m; m.consolidate_button('0.37.8')"
End Sub

Public Sub ImportTraffic()
    RunPython "import opsbook.excel.traffic as m; m.import_traffic_button('0.37.8')"
End Sub

Public Sub EffectReport()
    RunPython "import opsbook.excel.effect_report as m; m.effect_button('0.37.8')"
End Sub
