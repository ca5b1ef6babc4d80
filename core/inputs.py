"""Request input checks that hold for every route, before any schema or service sees it."""
from flask import request

from core.errors import Invalid

NUL = "\x00"
MESSAGE = "Remove the NUL character (U+0000): text cannot contain it."


def _nul_paths(value, path):
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _nul_paths(item, path or str(key))] + \
            ([path or "_"] if any(NUL in str(key) for key in value) else [])
    if isinstance(value, list):
        return [p for item in value for p in _nul_paths(item, path)]
    return []


def refuse_nul_characters():
    """before_request: PostgreSQL text cannot hold U+0000 (the insert would fail with a 500 after
    the service had begun), and no custody record needs one. Refused once here, for the API and
    the forms alike, as a validation error naming the field."""
    found = _nul_paths(request.view_args or {}, "")
    for source in (request.args, request.form):
        found += [name for name, value in source.items(multi=True) if NUL in value or NUL in name]
    if request.is_json:
        found += _nul_paths(request.get_json(silent=True), "")
    if found:
        raise Invalid(MESSAGE, {name or "_": [MESSAGE] for name in found})
