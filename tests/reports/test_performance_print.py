"""The pack printed from real Chromium: A4 pages, as many as the meeting expects."""
import re

import pytest

pytestmark = pytest.mark.browser

A4_POINTS = (595.3, 841.9)


def pdf_pages(pdf):
    """Each page's MediaBox from Chromium's PDF (page objects are not compressed)."""
    boxes = re.findall(rb"/Type\s*/Page\b.*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf, re.S)
    if not boxes:  # MediaBox may come before /Type
        boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_the_pack_prints_on_a4_as_summary_and_charts_then_figures_then_exceptions(
        sign_in_browser, live_server, fortnight, tmp_path):
    page = sign_in_browser("manager")
    page.goto(f"{live_server}/reports/performance?from=2026-10-19&to=2026-11-01")
    assert page.locator("svg.app-chart").count() == 5
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / "pack.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in pages), pages
    assert len(pages) == 3, len(pages)
