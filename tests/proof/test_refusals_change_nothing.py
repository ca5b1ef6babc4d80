"""SPEC §5: a rejected request changes nothing. Proved with the audit trail: every change writes an
audit event (§3.9), so a batch of refusals that leaves audit_events (and every other table) at the
same count recorded nothing."""
import re
from collections import Counter

from tests.proof.fuzzing import row_counts

WRITE_METHODS = ("post", "patch", "put", "delete")


def _write_operations(api):
    document = api.get("/api/v1/openapi.json").json
    return [(method.upper(), path) for path, operations in document["paths"].items()
            for method in operations if method in WRITE_METHODS]


def _url(path, ids, unknown=False):
    return re.sub(r"{(\w+)}", lambda m: "999999" if unknown else str(ids[m.group(1)][-1]), path)


def test_a_batch_of_refused_requests_changes_nothing(api, api_as, custody_records):
    fresh = custody_records["detention_id"][0]
    charged = custody_records["detention_id"][-1]
    api.post(f"/api/v1/detentions/{fresh}/welfare-notification", json={"person_name": "Ann Ellis"})
    manager, admin = api_as("manager"), api_as("admin")
    before = row_counts()

    statuses = Counter()
    for method, path in _write_operations(api):
        for caller, url, body in (
                (manager, _url(path, custody_records), {"reason": "managers never write"}),  # 403
                (api, _url(path, custody_records), {"not_a_field": True}),                   # 422 (or 403)
                (api, _url(path, custody_records, unknown=True), {}),                        # 422 or 404
                (admin, _url(path, custody_records), {"\u0000": "nul"})):                     # 403 or 422
            statuses[caller._call(method, url, json=body).status_code] += 1
        malformed = api.client.open(_url(path, custody_records), method=method, data="{not json",
                                    headers={**api.headers, "Content-Type": "application/json"})
        statuses[malformed.status_code] += 1
    for url, body in (  # 409: facts that can be recorded once; 404: records that do not exist
            (f"/api/v1/detentions/{fresh}/welfare-notification", {"person_name": "Bob"}),
            (f"/api/v1/detentions/{charged}/charge", {"offences": "Theft", "bail": "granted"}),
            ("/api/v1/detentions/999999/referrals", {"service": "health"}),  # 404: no such child
            ("/api/v1/aa-requests/999999/arrival", {"aa_name": "Ann Ellis"})):
        statuses[api.post(url, json=body).status_code] += 1
    statuses[api.post("/api/v1/detentions", json={"suite": "DUR", "forename": "A", "surname": "B",
                                                   "apparent_age": 19,
                                                   "arrived_at": "2026-11-28T10:00:00Z"}).status_code] += 1

    after = row_counts()
    print(f"\n{sum(statuses.values())} refused requests {dict(sorted(statuses.items()))}: audit_events "
          f"{before['audit_events']} -> {after['audit_events']}, detentions {before['detentions']} -> "
          f"{after['detentions']}")
    assert all(400 <= status < 500 for status in statuses), statuses
    assert {400, 403, 404, 409, 422} <= set(statuses)
    assert after["audit_events"] == before["audit_events"] and after["detentions"] == before["detentions"]
    assert after == before
