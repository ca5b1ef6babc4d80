"""What every page shares: local-time filters and the banners other areas contribute."""
from flask import current_app
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from core.clock import local
from core.db import db

# Other areas add page-wide warnings here: provider(session, now) -> list of messages.
page_banners = []

# Primary navigation: (endpoint, label, roles) appended by each area in its init.
nav_links = []

DEFAULT_FORMAT = "%d %b %Y %H:%M"


class RowId(IntegerConverter):
    """`<int:...>` in every URL: a row id, so at most PostgreSQL's integer. A larger number is
    answered 404 by the router instead of reaching the database (SQLite raises OverflowError
    past 2**63), and the OpenAPI document states the bound."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def local_time(instant, zone=None, fmt=DEFAULT_FORMAT):
    """An instant as 24-hour wall-clock time in the suite's zone (default: the service's)."""
    if instant is None:
        return ""
    here = local(instant, zone or current_app.config["DEFAULT_TIMEZONE"])
    if "%H" in fmt and _in_repeated_hour(here):
        # When the clocks go back, 01:30 happens twice: say which one (BST or GMT).
        return here.strftime(fmt) + here.strftime(" %Z")
    return here.strftime(fmt)


def _in_repeated_hour(here):
    return here.replace(fold=1 - here.fold).utcoffset() != here.utcoffset()


def minutes_label(minutes):
    if minutes is None:
        return ""
    minutes = int(minutes)
    hours, rest = divmod(abs(minutes), 60)
    text = f"{hours}h {rest:02d}m" if hours else f"{rest}m"
    return f"-{text}" if minutes < 0 else text


NAV_AREAS = ("custody", "alerts", "reports", "admin")  # the order a sergeant's day runs in


def _nav_position(link):
    area = link[0].split(".", 1)[0]
    return NAV_AREAS.index(area) if area in NAV_AREAS else len(NAV_AREAS)


def nav_items():
    role = getattr(current_user, "role", None)
    return [(endpoint, label) for endpoint, label, roles in sorted(nav_links, key=_nav_position)
            if role in roles and endpoint in current_app.view_functions]


def form_error_list(errors):
    """{field: [messages]} as the error summary's list, each linking to its field."""
    items = []
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            # "_" is a refusal of the whole form (a conflict): it links to the page, not a field.
            href = "#main-content" if field == "_" else f"#{field}"
            items.append({"text": message if isinstance(message, str) else str(message), "href": href})
    return items


def init_app(app):
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["minutes"] = minutes_label
    app.jinja_env.globals["service_name"] = "Juvenile Custody Tracker"

    app.jinja_env.globals.update(nav_items=nav_items, form_error_list=form_error_list)

    @app.context_processor
    def _banners():
        if not current_user.is_authenticated:
            return {"banners": []}
        now = current_app.config["CLOCK"]()
        return {"banners": [message for provider in page_banners for message in provider(db.session, now)],
                "now": now}
