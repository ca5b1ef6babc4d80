"""Fuzzing the API with schemathesis: generated requests for every operation of the OpenAPI document.

The document is read from the running app (`GET /api/v1/openapi.json`, WSGI, no network), so it
is the one clients see. Each case is sent with a real bearer token; each response is checked:
no 5xx, the status code and content type are documented, the body matches the documented schema,
and data the document calls invalid is refused. Around every request the row count of every table
is taken: a refused request (4xx) must leave every count as it was (SPEC §5: "a rejected request
changes nothing"; §3.9: every change writes an audit event, so an unchanged audit_events count
means nothing was recorded).

`fuzz()` collects failures instead of stopping at the first, so one run reports all of them.
"""
import contextvars
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.hooks import HookDispatcher, HookScope
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from core.db import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True)
class Finding:
    operation: str
    mode: str
    status: int
    title: str
    message: str
    curl: str

    def __str__(self):
        return f"{self.operation} [{self.mode}] -> {self.status}: {self.title}\n{self.message}\n{self.curl}"


@dataclass
class Tally:
    """What a fuzz run did and found."""
    examples: int = 0
    operations: set = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    refused: int = 0
    refused_that_changed: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    def kinds(self):
        """Distinct failures: (operation, status, title) with how often each was met."""
        return Counter((f.operation, f.status, f.title) for f in self.failures)

    def summary(self):
        return (f"{self.examples} examples over {len(self.operations)} operations; statuses "
                f"{dict(sorted(self.statuses.items()))}; {self.refused} refused, "
                f"{len(self.refused_that_changed)} of them changed something; {len(self.failures)} failures")


def isolated(app):
    """The app as a WSGI callable that handles each request in a context of its own (as in
    production), so the test's app context and database session never leak into a request."""
    def wsgi(environ, start_response):
        return contextvars.Context().run(app, environ, start_response)
    return wsgi


def load_schema(app, token):
    """The OpenAPI document the running app serves, as schemathesis reads it."""
    # The real token goes on every request; schemathesis is not to invent Authorization headers.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app), config=config,
                                          headers={"Authorization": f"Bearer {token}"})


def row_counts():
    """Rows in every table, read on a connection of its own (what is committed)."""
    tables = db.metadata.sorted_tables
    with db.engine.connect() as connection:
        row = connection.execute(select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name)
                                          for t in tables])).one()
    return dict(row._mapping)


def _existing_ids(id_pool):
    """Positive cases mostly aim at records that exist, or every event route would only 404."""
    def flatmap(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        choices = {}
        for name, value in path_parameters.items():
            pool = id_pool.get(name)
            if pool and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                choices[name] = st.sampled_from(pool + [value])
            else:
                choices[name] = st.just(value)
        return st.fixed_dictionaries(choices)
    return flatmap


def _replaceable(name, value, values):
    # A string may be swapped for a valid string, and null only where null is valid too.
    return name in values and (isinstance(value, str) or (value is None and None in values[name]))


def _known_values(values):
    """Some bodies carry real values (a suite's code, an arrival before now, a child's date of
    birth), so generated bookings get past the first rule and the fuzzer reaches what follows."""
    def flatmap(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        choices = {name: st.sampled_from(values[name] * 3 + [value]) if _replaceable(name, value, values)
                   else st.just(value) for name, value in body.items()}
        return st.fixed_dictionaries(choices)
    return flatmap


def fuzz(app, token, *, examples, id_pool=None, body_values=None, derandomize=True):
    """Send `examples` generated cases per operation and mode with `token`; return the Tally."""
    tally = Tally()
    schema = load_schema(app, token)
    # Aiming at real records only in positive cases: swapping a negative case's value for a valid
    # one could undo what made it invalid, and the check would then blame the app.
    aims = HookDispatcher(scope=HookScope.TEST)
    aims.hook("flatmap_path_parameters")(_existing_ids(id_pool or {}))
    aims.hook("flatmap_body")(_known_values(body_values or {}))
    hooks = {GenerationMode.POSITIVE: aims, GenerationMode.NEGATIVE: None}
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in MODES if _takes_input(operation) else (GenerationMode.POSITIVE,):
            strategy = operation.as_strategy(generation_mode=mode, hooks=hooks[mode])
            _fuzz_operation(operation, mode, strategy, headers, tally, examples, derandomize)
    return tally


def _fuzz_operation(operation, mode, strategy, headers, tally, examples, derandomize):
    @given(case=strategy)
    @settings(max_examples=examples, derandomize=derandomize, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        before = row_counts()
        tally.examples += 1
        tally.operations.add(operation.label)
        try:
            response = case.call(headers=headers)
        except Exception as error:  # noqa: BLE001 - the app raised: under TESTING that is a 500
            tally.statuses[500] += 1
            tally.failures.append(Finding(operation.label, mode.value, 500, f"unhandled {type(error).__name__}",
                                          str(error).split("\n")[0], case.as_curl_command(headers=headers)))
            return
        tally.statuses[response.status_code] += 1
        if 400 <= response.status_code < 500:
            tally.refused += 1
            after = row_counts()
            if after != before:
                tally.refused_that_changed.append((operation.label, response.status_code, _diff(before, after)))
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:  # collected, so one run reports every failure it meets
            for failure in group.exceptions:
                tally.failures.append(Finding(operation.label, mode.value, response.status_code, failure.title,
                                              failure.message, case.as_curl_command(headers=headers)))

    run()


def _takes_input(operation):
    """GET /suites takes nothing, so there is nothing to make invalid."""
    return any(len(part) for part in (operation.path_parameters, operation.query, operation.headers,
                                      operation.cookies, operation.body))


def _diff(before, after):
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}
