from tests.conftest import booking, csrf_token_from


def test_pages_render(login, api):
    created = api.post("/api/v1/detentions", json=booking()).json
    client = login("sergeant")
    for url in ("/", "/detentions/new", f"/detentions/{created['id']}", f"/detentions/{created['id']}/amend"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])


def test_book_through_form(login):
    client = login("sergeant")
    page = client.get("/detentions/new").get_data(as_text=True)
    response = client.post("/detentions/new", data={
        "csrf_token": csrf_token_from(page), "suite": "DUR", "forename": "Sam", "surname": "Reed",
        "date_of_birth": "14/03/2009", "arrived_at_date": "28/11/2026", "arrived_at_time": "10:00",
        "offence": "Theft"})
    assert response.status_code == 302, response.get_data(as_text=True)
    record = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "child, 17" in record
