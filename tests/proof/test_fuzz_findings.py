"""What the fuzzer found, pinned: each of these was a 500 or an undocumented answer."""
from tests.conftest import booking, csrf_token_from


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(api):
    # SQLite raised OverflowError past 2**63; PostgreSQL's integer ends at 2**31 - 1.
    for huge in (2**31, 2**64, 240525928225307162206252564480):
        response = api.get(f"/api/v1/detentions/{huge}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_the_document_states_the_id_bound(api):
    parameters = api.get("/api/v1/openapi.json").json["paths"]["/api/v1/detentions/{detention_id}"]["parameters"]
    assert parameters[0]["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


def test_a_nul_character_is_refused_as_a_field_error(api):
    # PostgreSQL text cannot hold U+0000: the insert failed with a 500 after the service had begun.
    response = api.post("/api/v1/detentions", json=booking(forename="Jor\u0000dan"))
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["forename"]
    assert api.get("/api/v1/detentions").json == []


def test_a_nul_character_in_a_query_or_a_path_is_refused(api, api_as):
    assert api.get("/api/v1/detentions?suite=D%00R").status_code == 422
    response = api_as("admin").patch("/api/v1/suites/D%00R", json={"name": "Durham"})
    assert response.status_code == 422 and list(response.json["error"]["fields"]) == ["code"]


def test_a_nul_character_in_a_form_is_refused(login):
    client = login("sergeant")
    token = csrf_token_from(client.get("/detentions/new").get_data(as_text=True))
    response = client.post("/detentions/new", data={"csrf_token": token, "suite": "DUR", "forename": "A\x00",
                                                    "surname": "B", "apparent_age": "15"})
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)


def test_an_amendment_cannot_clear_both_the_date_of_birth_and_the_apparent_age(api):
    child = api.post("/api/v1/detentions", json=booking()).json
    response = api.patch(f"/api/v1/detentions/{child['id']}", json={
        "date_of_birth": None, "apparent_age": None, "amend_reason": "Typed in error"})
    assert response.status_code == 422 and "date_of_birth" in response.json["error"]["fields"]
    assert api.get(f"/api/v1/detentions/{child['id']}").json["date_of_birth"] == "2009-03-14"


def test_an_unknown_query_parameter_is_refused_rather_than_ignored(api):
    # ?stauts=released must not quietly list every child.
    response = api.get("/api/v1/detentions?stauts=released")
    assert response.status_code == 422 and "stauts" in response.json["error"]["fields"]


def test_every_operation_documents_its_errors_with_the_contract_schema(api):
    document = api.get("/api/v1/openapi.json").json
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            documented = set(operation["responses"])
            assert {"401", "403", "404", "409", "422"} <= documented, f"{method} {path}"
            assert "default" not in documented
            for status in ("401", "403", "404", "409", "422"):
                ref = operation["responses"][status]["$ref"].rsplit("/", 1)[-1]
                schema = document["components"]["responses"][ref]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorOut")


def test_the_document_declares_bearer_tokens(api):
    document = api.get("/api/v1/openapi.json").json
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]


def test_an_empty_custody_record_number_is_no_number(api):
    # Stored as "", a second child with "" at the same suite hit the unique constraint: a 500.
    first = api.post("/api/v1/detentions", json=booking(custody_record_number="")).json
    second = api.post("/api/v1/detentions", json=booking(forename="Casey", custody_record_number=None)).json
    assert first["custody_record_number"] is None
    response = api.patch(f"/api/v1/detentions/{second['id']}", json={"custody_record_number": "",
                                                                       "surname": "Moore", "amend_reason": "Typo"})
    assert response.status_code == 200 and response.json["custody_record_number"] is None


def test_a_performance_period_in_year_one_is_refused_not_a_500(api_as):
    response = api_as("manager").get("/api/v1/reports/performance?from=0001-01-01&to=0001-01-01")
    assert response.status_code == 422 and "from" in response.json["error"]["fields"]
    assert api_as("manager").get("/api/v1/reports/performance?from=2999-12-20&to=9999-12-31").status_code == 422
