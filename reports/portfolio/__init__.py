"""The portfolio workbook in three parts: params (parsing), read (rows and counts) and render
(sheets); reports.workbook puts them together."""
