"""The page, the CSV and the XLSX say what the API says."""
import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from reports.figures import FIGURES

FORTNIGHT = {"from": "2026-10-19", "to": "2026-11-01"}


def number(text):
    """A figure as the page shows it ("1,200", "66.7%", "–") back to a number."""
    text = unescape(text).strip().rstrip("%").replace(",", "").removesuffix(" min").removesuffix(" h")
    return None if text in ("–", "") else float(text)


def page_figures(html):
    rows = {}
    for key, cells in re.findall(r'<tr class="govuk-table__row" data-figure="([^"]+)">(.*?)</tr>', html, re.S):
        rows[key] = {column: number(text) for column, text in re.findall(r'data-column="([^"]+)">([^<]*)<', cells)}
    return rows


def api_figures(pack):
    return {f.key: {"this_period": f.of(pack), "previous_period": f.of(pack["previous_period"]),
                    **{code: f.of(figures) for code, figures in pack["by_suite"].items()}} for f in FIGURES}


@pytest.fixture
def pack(api_as, fortnight):
    return api_as("manager").get("/api/v1/reports/performance", query_string=FORTNIGHT).json


def test_the_page_shows_every_figure_the_api_gives(login, pack):
    html = login("manager").get("/reports/performance", query_string=FORTNIGHT).get_data(as_text=True)
    assert page_figures(html) == api_figures(pack)


def test_the_page_lists_each_exception_with_a_link_to_the_record(login, pack):
    html = login("manager").get("/reports/performance", query_string=FORTNIGHT).get_data(as_text=True)
    listed = re.findall(r'data-kind="([^"]+)">.*?href="/detentions/(\d+)">([^<]+)</a>.*?data-minutes="([^"]*)"', html,
                        re.S)
    assert listed == [(row["kind"], str(row["detention_id"]), row["reference"],
                       "" if row["minutes"] is None else str(row["minutes"])) for row in pack["exceptions"]]


def test_the_csv_holds_the_same_figures_and_exceptions(login, pack):
    response = login("manager").get("/reports/performance.csv", query_string=FORTNIGHT)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="performance-2026-10-19-to-2026-11-01.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[:2] == [["period_from", "2026-10-19"], ["period_to", "2026-11-01"]]
    header = rows.index(["figure", "label", "this_period", "previous_period", "DAR", "DUR", "PET"])
    columns = rows[header][2:]
    figures = {row[0]: {c: (float(v) if v else None) for c, v in zip(columns, row[2:], strict=True)}
               for row in rows[header + 1:header + 1 + len(FIGURES)]}
    assert figures == api_figures(pack)
    start = rows.index(["detention_id", "reference", "suite", "kind", "minutes", "what"])
    assert [(int(r[0]), r[1], r[2], r[3], float(r[4]) if r[4] else None) for r in rows[start + 1:]] == \
        [(e["detention_id"], e["reference"], e["suite"], e["kind"], e["minutes"]) for e in pack["exceptions"]]


def test_the_xlsx_holds_the_same_figures_and_exceptions(login, pack):
    response = login("manager").get("/reports/performance.xlsx", query_string=FORTNIGHT)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = [list(r) for r in book["Figures"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[:1] == ["figure"])
    columns = rows[header][2:]
    figures = {row[0]: dict(zip(columns, row[2:], strict=True)) for row in rows[header + 1:]}
    assert figures == api_figures(pack)
    exceptions = [tuple(r[:5]) for r in book["Exceptions"].iter_rows(min_row=2, values_only=True)]
    assert exceptions == [(e["detention_id"], e["reference"], e["suite"], e["kind"], e["minutes"])
                          for e in pack["exceptions"]]


def test_the_page_defaults_to_the_last_complete_fortnight(login):
    html = login("manager").get("/reports/performance").get_data(as_text=True)
    assert "9 November 2026 to 22 November 2026" in html  # the default clock is Saturday 28 Nov 2026


def test_a_period_that_cannot_be_reported_is_explained_on_the_form(login):
    response = login("manager").get("/reports/performance", query_string={"from": "2026-11-10", "to": "2026-11-01"})
    assert response.status_code == 422
    assert "`from` is after `to`" in response.get_data(as_text=True)
    files = login("manager").get("/reports/performance.csv", query_string={"from": "2026-11-01", "to": "2026-11-14",
                                                                          "suite": "NOPE"})
    assert files.status_code == 422 and "suite" in files.json["error"]["fields"]


def test_the_charts_are_inline_svg_with_titles_and_descriptions(login, pack):
    html = login("manager").get("/reports/performance", query_string=FORTNIGHT).get_data(as_text=True)
    charts = re.findall(r'<svg class="app-chart" id="([^"]+)".*?</svg>', html, re.S)
    assert charts == ["chart-aa-wait", "chart-aa-trend", "chart-suites", "chart-review-modes", "chart-transfers"]
    assert "style=" not in html and "<script>" not in html  # the CSP would block them
    wait = re.search(r'<desc id="chart-aa-wait-desc">([^<]*)</desc>', html).group(1)
    assert wait.endswith("0–30m: 0; 30–60m: 2; 1–2h: 1; 2–4h: 1; 4–8h: 0; 8–12h: 0; 12h+: 0; No AA: 2.")


def test_the_nav_offers_the_pack_to_a_manager(login):
    html = login("manager").get("/").get_data(as_text=True)
    assert 'href="/reports/performance"' in html
