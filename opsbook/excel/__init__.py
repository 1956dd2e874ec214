"""The only floor that imports xlwings: the engine over the book store, the macros
(plan, consolidate, import traffic, effect, analysis), the UDFs, the VBA and the
desktop setup. Runs the same in desktop Excel and headless on a file.
"""
