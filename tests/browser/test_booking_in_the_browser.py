"""A sergeant books a 17-year-old through the web form in real Chromium and sees the record."""
import pytest

pytestmark = pytest.mark.browser


def test_sergeant_books_a_17_year_old_and_sees_the_record(sign_in_browser, live_server):
    page = sign_in_browser("sergeant")
    page.get_by_role("link", name="Book a child in").click()
    page.get_by_label("Custody suite").select_option("DUR")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Ellis")
    page.get_by_label("Date of birth").fill("14/03/2009")
    page.locator("#arrived_at_date").fill("28/11/2026")
    page.locator("#arrived_at_time").fill("10:00")
    page.get_by_label("Offence").fill("Theft from a shop")
    page.get_by_role("button", name="Book in").click()

    page.wait_for_url(f"{live_server}/detentions/*")
    assert page.locator("h1").inner_text().startswith("Jordan Ellis")
    assert page.locator("#child-age").inner_text() == "child, 17"
    assert "DUR-2026-00001" in page.locator(".govuk-caption-l").inner_text()
    times = page.locator("#custody-times").inner_text()
    assert "Relevant time (PACE s.41)\t28 Nov 2026 10:00" in times
    assert "Detention limit (24 hours)\t29 Nov 2026 10:00" in times


def test_a_refused_booking_shows_the_reason_beside_the_field(sign_in_browser, live_server):
    page = sign_in_browser("sergeant")
    page.goto(f"{live_server}/detentions/new")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Reed")
    page.get_by_label("Date of birth").fill("01/01/2000")
    page.get_by_role("button", name="Book in").click()
    summary = page.locator(".govuk-error-summary")
    assert "aged 18 or over is not booked in here" in summary.inner_text()
    assert page.url.endswith("/detentions/new")


def test_a_manager_sees_no_booking_form(sign_in_browser, live_server):
    page = sign_in_browser("manager")
    assert page.get_by_role("link", name="Book a child in").count() == 0
    response = page.goto(f"{live_server}/detentions/new")
    assert response.status == 403
