"""axe-core finds no WCAG 2.2 AA violation on any page, in real headless Chromium.

The walk is the URL map: every GET page, visited by a role allowed to see it, about a child with
an event of every kind, so a page added later is covered. A few states (errors, the
confirmation after booking, a refusal) are visited on purpose below.
"""
import re
import tempfile
from collections import defaultdict

import pytest

from tests.conftest import FakeClock, make_app
from tests.proof.axe import axe_violations, report
from tests.proof.pages import role_for, url_for_rule, web_routes

pytestmark = pytest.mark.browser

FRAGMENTS = {"custody.board_live"}  # pieces htmx swaps into the board, not pages of their own
ANONYMOUS = {"auth.login"}


def _pages_by_role():
    app = make_app("sqlite:///:memory:", tempfile.mkdtemp(), FakeClock())
    by_role = defaultdict(list)
    for rule, endpoint in web_routes("GET"):
        if endpoint not in FRAGMENTS | ANONYMOUS and not re.search(r"\.\w+$", rule):  # not downloads (.csv)
            by_role[role_for(app, endpoint, "GET")].append(rule)
    return dict(by_role)


PAGES = _pages_by_role()
PAGES["manager"] = ["/", "/detentions/<int:detention_id>"]  # what a reader sees: no forms, no links to them


def assert_no_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{report(violations)}"


def test_the_walk_covers_the_pages():
    walked = [rule for rules in PAGES.values() for rule in rules]
    assert {"/", "/detentions/new", "/detentions/<int:detention_id>", "/detentions/<int:detention_id>/amend",
            "/admin/users", "/admin/suites"} <= set(walked)


def test_the_axe_helper_reports_what_it_finds(page, live_server):
    page.goto(f"{live_server}/login")
    page.evaluate("() => { const i = document.createElement('input'); i.id = 'unlabelled'; "
                  "document.querySelector('main').appendChild(i); }")
    assert "label" in {v["id"] for v in axe_violations(page)}


def test_the_login_page_also_with_an_error(page, live_server):
    page.goto(f"{live_server}/login")
    assert_no_violations(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_no_violations(page)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_a_role_sees(sign_in_browser, live_server, child_with_every_event, role):
    page = sign_in_browser(role)
    found = {}
    for rule in PAGES[role]:
        response = page.goto(live_server + url_for_rule(rule, child_with_every_event))
        assert response.status == 200, (rule, response.status)
        if not response.headers["content-type"].startswith("text/html"):
            continue  # /healthz answers JSON
        violations = axe_violations(page)
        if violations:
            found[rule] = report(violations)
    assert found == {}, "\n\n".join(f"{rule}\n{text}" for rule, text in found.items())


def test_the_booking_form_showing_errors_then_the_confirmation(sign_in_browser, live_server):
    page = sign_in_browser("sergeant")
    page.goto(f"{live_server}/detentions/new")
    page.get_by_label("First name").fill("Sam")
    page.get_by_role("button", name="Book in").click()
    page.wait_for_selector(".govuk-error-summary")
    assert_no_violations(page)

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
