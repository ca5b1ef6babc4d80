"""The application factory: builds the app from settings, binds extensions, registers areas."""
import logging
import os

from flask import Flask, g, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

import config
from core.clock import utc_now
from core.web import RowId


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True, static_folder="static", template_folder="templates")
    app.url_map.converters["int"] = RowId
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(test_config or config.from_environment(instance_path=app.instance_path))
    app.config.setdefault("CLOCK", utc_now)
    app.config.update(
        API_TITLE="Juvenile Custody Tracker", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _protect_forms, which knows about bearer tokens
    )
    _configure_logging(app)
    # GOV.UK Frontend's component macros, ported to Jinja (govuk-frontend-jinja).
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    _bind_extensions(app)
    _register_areas(app)
    _register_hooks(app)
    return app


def _configure_logging(app):
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # import-time chatter
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per tick otherwise


def _bind_extensions(app):
    from auth.access import READ, allow
    from auth.session import init_login
    from core.db import db
    from core.extensions import api, csrf, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    init_login(app)
    # The OpenAPI document describes children's records; like them, it needs a login.
    openapi_json = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = allow(READ)(lambda: openapi_json())


def _register_areas(app):
    import alerts
    from alerts import cli as alerts_cli
    from alerts.api import bp as alerts_api
    from alerts.views import bp as alerts_views
    from alerts.webhooks import bp as webhooks
    from auth import cli as auth_cli
    from auth.admin import bp as admin_views
    from auth.views import bp as auth_views
    from core import errors, health, web
    from core.backup import backup_cli
    from core.extensions import api
    from custody import cli as custody_cli
    from custody.api import bp as custody_api
    from custody.event_forms import bp as custody_event_forms
    from custody.events_api import bp as custody_events_api
    from custody.views import bp as custody_views
    from demo import cli as demo_cli
    from reports.api import bp as reports_api
    from reports.views import bp as reports_views

    errors.register(app)
    for blueprint in (health.bp, auth_views, admin_views, custody_views, custody_event_forms, alerts_views,
                      webhooks, reports_views):
        app.register_blueprint(blueprint)
    for blueprint in (custody_api, custody_events_api, alerts_api, reports_api):
        api.register_blueprint(blueprint)
    for command in (auth_cli.users, custody_cli.suites, custody_cli.setup, alerts_cli.alerts, demo_cli.demo,
                    backup_cli):
        app.cli.add_command(command)
    web.init_app(app)
    alerts.init_app(app)


def _register_hooks(app):
    from auth.access import enforce
    from auth.session import authenticate_bearer
    from core.extensions import csrf
    from core.inputs import refuse_nul_characters

    @app.before_request
    def _authenticate():
        return authenticate_bearer()

    # Who may call this route is settled before anything else looks at the request body.
    app.before_request(enforce)

    @app.before_request
    def _protect_forms():
        # Cookies ride along on cross-site requests; a bearer token cannot, so only
        # cookie-authenticated writes need the CSRF token. Twilio signs its webhooks instead.
        if request.method in ("GET", "HEAD", "OPTIONS") or g.get("bearer_user") is not None:
            return
        if request.endpoint and request.endpoint.startswith("webhooks."):
            return
        csrf.protect()

    app.before_request(refuse_nul_characters)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["PRODUCTION"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")  # children's records stay off disk caches
        return response
