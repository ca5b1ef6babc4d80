"""A sergeant signs in and books a child with the keyboard alone: Tab, typing, Space and Enter.
No clicks: every control on the way must be reachable and operable from the keyboard."""
import pytest

from tests.conftest import PASSWORD, PERSONAS

pytestmark = pytest.mark.browser


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches `selector` (it must be in the tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with Tab from {page.url}")


def type_into(page, selector, text):
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_sergeant_books_a_child_with_the_keyboard_alone(page, live_server):
    page.goto(f"{live_server}/login")
    type_into(page, "#username", PERSONAS["sergeant"][0])
    type_into(page, "#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")

    tab_to(page, "a[href='/detentions/new']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/detentions/new")

    tab_to(page, "#suite")
    page.keyboard.type("Durham")  # type-ahead picks the option, as a keyboard user would
    assert page.evaluate("() => document.activeElement.value") == "DUR"
    type_into(page, "#forename", "Jordan")
    type_into(page, "#surname", "Ellis")
    type_into(page, "#date_of_birth", "14/03/2010")
    type_into(page, "#offence", "Theft from a shop")
    tab_to(page, "#looked_after")
    page.keyboard.press("Space")
    tab_to(page, "#main-content button.govuk-button")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server}/detentions/*")
    assert page.locator("h1").inner_text().startswith("Jordan Ellis")
    assert page.locator("#child-age").inner_text() == "child, 16"
    details = page.locator("#child-details").inner_text()
    assert "Theft from a shop" in details and "Looked-after child\tYes" in details
    assert "Arrived at the suite\t28 Nov 2026 12:00" in page.locator("#custody-times").inner_text()
