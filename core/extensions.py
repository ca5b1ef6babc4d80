"""Extensions, created unbound and bound to the app in create_app()."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from core.errors import flatten_webargs, json_error

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class ContractApi(Api):
    """flask-smorest, answering errors in the shape SPEC §5 fixes."""

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        fields = flatten_webargs(data.get("messages"))
        message = data.get("message") or error.description
        if error.code == 422 and fields and not data.get("message"):
            message = "Some fields are not valid: " + ", ".join(sorted(fields))
        return json_error(error.code, message, fields)


api = ContractApi()
