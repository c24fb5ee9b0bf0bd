"""Statistics for admins and officers: SQL aggregates, charts, CSV/XLSX exports, the weekly report.

Kept light on import: heavy
libraries (matplotlib, openpyxl) are imported only where a chart or a workbook is made.
"""
