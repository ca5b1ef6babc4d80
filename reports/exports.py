"""The pack as files: CSV for anything that reads CSV, XLSX for the people who live in Excel.

Both hold the same rows as the page: the period, every figure (all suites, the previous
period, each suite), then the exceptions. Missing figures are empty cells, not zeros.
"""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.figures import EXCEPTION_LABELS, FIGURES

EXCEPTION_COLUMNS = ("detention_id", "reference", "suite", "kind", "minutes", "what")


def header_rows(report):
    previous = report["previous_period"]
    return [
        ("period_from", report["from"].isoformat()), ("period_to", report["to"].isoformat()),
        ("suite", report["suite"] or "all"), ("aa_target_minutes", report["aa_target_minutes"]),
        ("previous_from", previous["from"].isoformat()), ("previous_to", previous["to"].isoformat()),
    ]


def figure_rows(report):
    codes = list(report["by_suite"])
    yield ("figure", "label", "this_period", "previous_period", *codes)
    for figure in FIGURES:
        yield (figure.key, figure.label, figure.of(report), figure.of(report["previous_period"]),
               *(figure.of(report["by_suite"][code]) for code in codes))


def exception_rows(report):
    yield EXCEPTION_COLUMNS
    for row in report["exceptions"]:
        yield (row["detention_id"], row["reference"], row["suite"], row["kind"], row["minutes"],
               EXCEPTION_LABELS[row["kind"]])


def as_csv(report):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(header_rows(report))
    writer.writerow(())
    writer.writerows(figure_rows(report))
    writer.writerow(())
    writer.writerows(exception_rows(report))
    return out.getvalue()


def as_xlsx(report):
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    for row in header_rows(report):
        sheet.append(row)
    sheet.append(())
    _table(sheet, figure_rows(report), widths={"A": 34, "B": 52})
    exceptions = book.create_sheet("Exceptions")
    _table(exceptions, exception_rows(report), widths={"B": 18, "D": 26, "F": 32})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet, rows, widths):
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        sheet.append(row)
        if number == 0:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
