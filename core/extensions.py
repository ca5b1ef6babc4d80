"""Extensions, created unbound and bound to the app in create_app()."""
from apispec import BasePlugin
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from core.errors import ErrorOut, flatten_webargs, json_error

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class DocumentedErrors(BasePlugin):
    """Documents on every operation the errors the app really answers (SPEC §5), so the OpenAPI
    document lists each status code instead of a catch-all `default`."""

    EVERY_OPERATION = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                       422: "UNPROCESSABLE_ENTITY", 429: "TOO_MANY_REQUESTS"}

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            errors = dict(self.EVERY_OPERATION)
            if "requestBody" in operation:
                errors[400] = "BAD_REQUEST"  # malformed JSON
            for status, name in errors.items():
                responses.setdefault(str(status), name)


class ContractApi(Api):
    """flask-smorest, answering errors in the shape SPEC §5 fixes, and documenting them."""

    ERROR_SCHEMA = ErrorOut
    DEFAULT_ERROR_RESPONSE_NAME = None  # each error status is listed; nothing undocumented hides behind `default`

    def _init_spec(self, **options):
        options["extra_plugins"] = [*options.get("extra_plugins", ()), DocumentedErrors()]
        options.setdefault("security", [{"bearerAuth": []}])
        super()._init_spec(**options)
        self.spec.components.security_scheme("bearerAuth", {
            "type": "http", "scheme": "bearer",
            "description": "`flask users token NAME` prints one; a browser's login session also works"})

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        fields = flatten_webargs(data.get("messages"))
        message = data.get("message") or error.description
        if error.code == 422 and fields and not data.get("message"):
            message = "Some fields are not valid: " + ", ".join(sorted(fields))
        return json_error(error.code, message, fields)


api = ContractApi()
