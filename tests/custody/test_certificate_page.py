"""The printable juvenile detention certificate for court (PACE s.38(6), s.38(7))."""
from html import unescape

from tests.custody.test_event_forms import charged


def issue(api, child, **overrides):
    body = {"issued_at": "2026-11-28T11:10:00Z", "ground": "impracticable", "issued_by": "Sgt Price",
            "reasons": "Snow has closed every road out of the town"}
    return api.post(f"/api/v1/detentions/{child['id']}/certificate", json={**body, **overrides})


def test_the_certificate_page_carries_the_s38_6_wording_and_who_certified(api, api_as, child, signed_in):
    charged(api, child)
    issue(api, child)
    api_as("inspector").post(f"/api/v1/detentions/{child['id']}/certificate/approval",
                             json={"approved_by": "Insp Khan", "approved_at": "2026-11-28T11:20:00Z"})
    response = signed_in("manager").get(f"/detentions/{child['id']}/certificate")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "section 38(6)" in page and "section 38(7)" in page
    assert "by reason of the circumstances specified below, it is <strong>impracticable</strong>" in page
    assert "Jordan Ellis" in page and "14/03/2009" in page and child["reference"] in page
    assert "Snow has closed every road out of the town" in page
    assert "Sgt Price" in page and "28 Nov 2026 11:10" in page
    assert "Insp Khan" in page and "28 Nov 2026 11:20" in page
    assert "Robbery" in page and "Risk of further offences" in page


def test_the_no_secure_accommodation_wording(api, child, signed_in):
    charged(api, child)
    api.post(f"/api/v1/detentions/{child['id']}/accommodation-requests", json={
        "requested_at": "2026-11-28T11:05:00Z", "type": "secure", "local_authority": "Durham CC"})
    assert issue(api, child, ground="no_secure_accommodation", reasons="Serious harm").status_code == 201
    page = unescape(signed_in("sergeant").get(f"/detentions/{child['id']}/certificate").get_data(as_text=True))
    assert "has attained the age of 12 years, that <strong>no secure accommodation is available</strong>" in page
    assert "would not be adequate to protect the public from serious harm" in page
    assert "secure accommodation from Durham CC" in page
    assert "Not yet approved" in page


def test_no_certificate_no_page(child, signed_in):
    assert signed_in("sergeant").get(f"/detentions/{child['id']}/certificate").status_code == 404
