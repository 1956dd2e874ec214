"""The workbook file, without xlwings: the part-preserving store and its OOXML parts,
the layout of every sheet, new books (template, macro book, sample), files, locks,
backups and traffic exports. Imports ``opsbook.core``, never ``opsbook.excel``.
"""
