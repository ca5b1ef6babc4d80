"""One child from booking to local-authority accommodation, through the web forms alone, in
real headless Chromium; then the certificate for court, printed to PDF on one A4 page."""
import re
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, PERSONAS


@pytest.fixture
def browser_page(page):
    page.set_default_timeout(15_000)
    page.console_errors = []  # a CSP violation (an inline script or style) shows up here
    page.on("console", lambda message: message.type == "error" and "favicon" not in message.location["url"]
            and page.console_errors.append(message.text))
    return page


def sign_in(page, base, role):
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(PERSONAS[role][0])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login$"))


def fill_time(page, name, date, time):
    page.fill(f"#{name}_date", date)
    page.fill(f"#{name}_time", time)


def done(page, message):
    """Back on the record, with the form's confirmation."""
    page.wait_for_url(re.compile(r".*/detentions/\d+#.*"))
    assert message in page.locator(".govuk-notification-banner--success").inner_text()


@pytest.mark.browser
def test_a_child_walked_from_booking_to_local_authority_accommodation(browser_page, live_server, clock):
    page, base = browser_page, live_server
    clock.set(clock.now.replace(hour=9, minute=40))

    sign_in(page, base, "sergeant")
    # htmx has taken charge of the board's live region (it polls /board/live every 30 s).
    page.wait_for_function("() => window.htmx && document.querySelector('#board-live')['htmx-internal-data']")
    page.get_by_role("link", name="Book a child in").click()
    page.select_option("#suite", "DUR")
    page.get_by_label("First name").fill("Riley")
    page.get_by_label("Last name").fill("Hart")
    page.get_by_label("Date of birth").fill("02/05/2011")
    fill_time(page, "arrived_at", "28/11/2026", "09:30")
    page.get_by_label("Offence").fill("Robbery")
    page.get_by_role("button", name="Book in").click()
    page.wait_for_url(re.compile(r".*/detentions/\d+$"))
    record_url = page.url
    assert "child, 15" in page.locator("h1").inner_text()

    clock.advance(minutes=5)
    page.get_by_role("link", name="Request an appropriate adult").click()
    page.get_by_role("radio", name="Parent or guardian", exact=True).check()
    page.get_by_label("Name of the person or scheme contacted").fill("Sam Hart")
    page.get_by_role("button", name="Record the request").click()
    done(page, "request for an appropriate adult is recorded")

    clock.advance(minutes=50)
    page.get_by_role("button", name="AA arrived now").click()
    done(page, "arrival is recorded")
    assert "Attended" in page.locator("#aa-status").inner_text()

    page.get_by_role("link", name="Record the welfare notification").click()
    page.get_by_label("Name of the person told").fill("Sam Hart")
    page.get_by_label("Relationship to the child").fill("father")
    page.get_by_role("button", name="Record").click()
    done(page, "welfare notification is recorded")

    sign_out(page)
    clock.advance(minutes=30)
    sign_in(page, base, "inspector")
    page.goto(record_url)
    page.get_by_role("link", name="Record a review").click()
    page.get_by_role("radio", name="In person", exact=True).check()
    page.check("#child_seen")          # Yes
    page.check("#aa_present")          # Yes
    page.check("#solicitor_present")   # Yes
    page.get_by_role("radio", name="Charge", exact=True).check()
    page.get_by_label("Rationale").fill("Sufficient evidence to charge")
    page.get_by_role("button", name="Record the review").click()
    done(page, "review is recorded")

    sign_out(page)
    clock.advance(minutes=20)
    sign_in(page, base, "sergeant")
    page.goto(record_url)
    page.get_by_role("link", name="Record the charge").click()
    page.get_by_role("radio", name="Bail refused", exact=True).check()
    page.get_by_label("Grounds for refusing bail").fill("Likely to fail to surrender")
    page.get_by_role("button", name="Record the charge").click()
    done(page, "charge and bail decision are recorded")

    clock.advance(minutes=5)
    page.get_by_role("link", name="Request accommodation").click()
    page.get_by_role("radio", name="Non-secure", exact=True).check()
    page.get_by_label("Local authority", exact=True).fill("Durham County Council")
    page.get_by_role("button", name="Record the request").click()
    done(page, "request to the local authority is recorded")
    assert "Waiting for the local authority" in page.locator("#accommodation-list").inner_text()

    clock.advance(minutes=10)
    page.get_by_role("link", name="Issue a certificate").click()
    assert "do not make a transfer impracticable" in page.locator("#note-16d").inner_text()
    page.get_by_role("radio", name="Transfer impracticable (s.38(6)(a))", exact=True).check()
    page.get_by_label("The circumstances").fill("Snow has closed the only road; no transport until the morning.")
    page.get_by_role("button", name="Issue the certificate").click()
    done(page, "certificate is issued")

    sign_out(page)
    clock.advance(minutes=10)
    sign_in(page, base, "inspector")
    page.goto(record_url)
    page.get_by_role("link", name="Approve the certificate").click()
    page.get_by_role("button", name="Approve the certificate").click()
    done(page, "certificate is approved")

    clock.advance(hours=8)
    page.get_by_role("link", name="Record the response").click()
    page.get_by_role("radio", name="Accepted", exact=True).check()
    fill_time(page, "responded_at", "28/11/2026", f"{clock.now - timedelta(minutes=40):%H:%M}")
    transfer = clock.now - timedelta(minutes=10)
    fill_time(page, "transferred_at", "28/11/2026", f"{transfer:%H:%M}")
    page.get_by_role("button", name="Record the response").click()
    done(page, "local authority's response is recorded")
    assert f"28 Nov 2026 {transfer:%H:%M}" in page.locator("#accommodation-list").inner_text()

    page.get_by_role("link", name="Record the release").click()
    page.get_by_role("radio", name="Transferred to local-authority accommodation", exact=True).check()
    page.get_by_role("button", name="Record the release").click()
    done(page, "release is recorded")
    assert "Transferred to local-authority accommodation" in page.locator("#release-details").inner_text()
    timeline = page.locator("#timeline").inner_text()
    for entry in ("Detention booked in", "Appropriate adult request arrived", "PACE review recorded",
                  "Charge recorded", "Accommodation request answered", "Certificate approved", "Detention released"):
        assert entry in timeline

    page.goto(f"{record_url}/certificate")
    assert "section 38(6)" in page.locator("article").inner_text()
    pdf = page.pdf(format="A4", print_background=True)
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) == 1, f"the certificate printed on {len(pages)} pages"
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf).groups())
    assert (round(width), round(height)) in {(595, 842), (596, 843)}  # A4 in points
    assert page.console_errors == []
