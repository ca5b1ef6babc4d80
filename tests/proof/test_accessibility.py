"""axe-core finds no WCAG 2.2 AA violation on the pages that exist, in real headless Chromium.

PAGES is the walk: add a (role, path) for each new page. {detention} is a booked child's id.
"""
import pytest

from tests.conftest import booking
from tests.proof.axe import axe_violations, report

pytestmark = pytest.mark.browser

PAGES = [
    ("sergeant", "/"),
    ("sergeant", "/detentions/new"),
    ("sergeant", "/detentions/{detention}"),
    ("sergeant", "/detentions/{detention}/amend"),
    ("manager", "/detentions/{detention}"),
    ("admin", "/admin/users"),
    ("admin", "/admin/suites"),
]


@pytest.fixture
def detention(api):
    return api.post("/api/v1/detentions", json=booking()).json["id"]


def assert_no_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{report(violations)}"


def test_the_axe_helper_reports_what_it_finds(page, live_server):
    page.goto(f"{live_server}/login")
    page.evaluate("() => { const i = document.createElement('input'); i.id = 'unlabelled'; "
                  "document.querySelector('main').appendChild(i); }")
    assert "label" in {v["id"] for v in axe_violations(page)}


def test_the_login_page(page, live_server):
    page.goto(f"{live_server}/login")
    assert_no_violations(page)


def test_the_login_page_with_an_error(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_no_violations(page)


@pytest.mark.parametrize("role,path", PAGES)
def test_each_page(sign_in_browser, live_server, detention, role, path):
    page = sign_in_browser(role)
    response = page.goto(live_server + path.format(detention=detention))
    assert response.status == 200
    assert_no_violations(page)


def test_the_booking_form_showing_errors(sign_in_browser, live_server):
    page = sign_in_browser("sergeant")
    page.goto(f"{live_server}/detentions/new")
    page.get_by_label("First name").fill("Sam")
    page.get_by_role("button", name="Book in").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_no_violations(page)


def test_the_record_just_after_booking_with_its_confirmation(sign_in_browser, live_server):
    page = sign_in_browser("sergeant")
    page.goto(f"{live_server}/detentions/new")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Reed")
    page.get_by_label("Date of birth").fill("14/03/2010")
    page.get_by_role("button", name="Book in").click()
    page.wait_for_url(f"{live_server}/detentions/*")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    assert_no_violations(page)


def test_the_refusal_page(sign_in_browser, live_server):
    page = sign_in_browser("manager")
    assert page.goto(f"{live_server}/detentions/new").status == 403
    assert_no_violations(page)
