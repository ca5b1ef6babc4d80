"""Every figure of SPEC §6 over the fixed fortnight in conftest.py, worked out by hand.

Times are UTC. The fortnight is Mon 19 Oct - Sun 1 Nov 2026 in Europe/London: from
18 Oct 23:00Z (00:00 BST) to 2 Nov 00:00Z (00:00 GMT), the clocks going back on 25 Oct.

  A DUR arr 18 Oct 23:30 (00:30 BST 19th) rel +10h; AA req +20 arr +110 (resp 90); needs, CSC referral;
        review in person, AA present, on time; text acked after 6 min; overnight
  B DUR arr 24 Oct 14:00 rel +20h; AA req +30 arr +210 (resp 180); reviews video late by 30 (AA present),
        telephone on time; charged 25 Oct 06:00 bail refused, non-secure request, never transferred;
        certificate; strip search with AA; text acked after 10; a text failed; overnight (the 9-hour night)
  C DAR arr 27 Oct 10:00 rel +6h; AA req +10 arr +60 (resp 50); needs, liaison referral only;
        strip search without AA; released exactly when the first review fell due (not overdue); text sent
  D DAR arr 28 Oct 20:00 rel +13h; AA req +60 (cancelled), again +100, no AA ever; first review due
        29 Oct 02:00 never held (overdue at release by 420); text acked after 20; a text undelivered; overnight
  E PET arr 30 Oct 09:00 rel +9h; AA req +5 arr +45 (resp 40); needs, CSC referral; review in person,
        AA present; bail refused, secure and non-secure requests, transferred
  F PET arr 1 Nov 22:00, still in custody at NOW (2 Nov 06:00): no AA after 480; held overnight so far
Previous period, 5 - 18 Oct: G DUR arr 18 Oct 22:59 (23:59 BST) rel +5h, AA req +20 arr +120 (on target),
overnight (4h59 of the night); P1 DAR arr 10 Oct 12:00 rel +1h, no AA. Out of both: 4 Oct 22:59 and 2 Nov 00:00.
"""
from reports.pack import figures  # noqa: F401 - the module under test, for readers

ALL_SUITES = {
    "children_detained": 6,
    "minutes_to_aa_request": {"median": 20.0, "p90": 60.0},            # 5 10 20 30 60
    "minutes_to_aa_arrival": {"median": 85.0, "p90": 210.0, "max": 210.0},  # 45 60 | 110 210: even count
    "aa_response_minutes": {"median": 70.0, "p90": 180.0},             # 40 50 | 90 180
    "aa_within_target_pct": 50.0,                                      # A C E of 6
    "released_without_aa": 1,                                          # D (F is still held)
    "reviews_total": 4,
    "reviews_in_person_pct": 50.0,                                     # A E of 4
    "reviews_aa_present_pct": 75.0,                                    # A B1 E of 4
    "reviews_late": 1,                                                 # B1
    "reviews_by_mode": {"in_person": 2, "video": 1, "telephone": 1},
    "needs_flagged": 3,                                                # A C E
    "needs_flagged_referred_pct": 66.7,                                # A E of 3
    "overnight": 4,                                                    # A B D, and F so far
    "overnight_pct": 66.7,
    "charged_bail_refused": 2,                                         # B E
    "accommodation_requested": 2,
    "accommodation_secure": 1,                                         # E
    "accommodation_non_secure": 2,                                     # B E
    "transferred": 1,                                                  # E
    "transferred_pct": 50.0,
    "certificates": 1,                                                 # B
    "strip_searches": 2,
    "strip_searches_without_aa": 1,                                    # C
    "hours_in_custody": {"median": 10.0, "p90": 20.0},                 # 6 9 10 13 20
    "sms": {"sent": 5, "failed": 2, "acknowledged": 3, "median_ack_minutes": 10.0},  # 6 10 20
}

NOBODY = {"median": None, "p90": None}

BY_SUITE = {
    "DUR": {
        "children_detained": 2,
        "minutes_to_aa_request": {"median": 25.0, "p90": 30.0},
        "minutes_to_aa_arrival": {"median": 160.0, "p90": 210.0, "max": 210.0},
        "aa_response_minutes": {"median": 135.0, "p90": 180.0},
        "aa_within_target_pct": 50.0, "released_without_aa": 0,
        "reviews_total": 3, "reviews_in_person_pct": 33.3, "reviews_aa_present_pct": 66.7, "reviews_late": 1,
        "reviews_by_mode": {"in_person": 1, "video": 1, "telephone": 1},
        "needs_flagged": 1, "needs_flagged_referred_pct": 100.0, "overnight": 2, "overnight_pct": 100.0,
        "charged_bail_refused": 1, "accommodation_requested": 1, "accommodation_secure": 0,
        "accommodation_non_secure": 1, "transferred": 0, "transferred_pct": 0.0, "certificates": 1,
        "strip_searches": 1, "strip_searches_without_aa": 0,
        "hours_in_custody": {"median": 15.0, "p90": 20.0},
        "sms": {"sent": 2, "failed": 1, "acknowledged": 2, "median_ack_minutes": 8.0},
    },
    "DAR": {
        "children_detained": 2,
        "minutes_to_aa_request": {"median": 35.0, "p90": 60.0},
        "minutes_to_aa_arrival": {"median": 60.0, "p90": 60.0, "max": 60.0},
        "aa_response_minutes": {"median": 50.0, "p90": 50.0},
        "aa_within_target_pct": 50.0, "released_without_aa": 1,
        "reviews_total": 0, "reviews_in_person_pct": None, "reviews_aa_present_pct": None, "reviews_late": 0,
        "reviews_by_mode": {"in_person": 0, "video": 0, "telephone": 0},
        "needs_flagged": 1, "needs_flagged_referred_pct": 0.0, "overnight": 1, "overnight_pct": 50.0,
        "charged_bail_refused": 0, "accommodation_requested": 0, "accommodation_secure": 0,
        "accommodation_non_secure": 0, "transferred": 0, "transferred_pct": None, "certificates": 0,
        "strip_searches": 1, "strip_searches_without_aa": 1,
        "hours_in_custody": {"median": 9.5, "p90": 13.0},
        "sms": {"sent": 3, "failed": 1, "acknowledged": 1, "median_ack_minutes": 20.0},
    },
    "PET": {
        "children_detained": 2,
        "minutes_to_aa_request": {"median": 5.0, "p90": 5.0},
        "minutes_to_aa_arrival": {"median": 45.0, "p90": 45.0, "max": 45.0},
        "aa_response_minutes": {"median": 40.0, "p90": 40.0},
        "aa_within_target_pct": 50.0, "released_without_aa": 0,
        "reviews_total": 1, "reviews_in_person_pct": 100.0, "reviews_aa_present_pct": 100.0, "reviews_late": 0,
        "reviews_by_mode": {"in_person": 1, "video": 0, "telephone": 0},
        "needs_flagged": 1, "needs_flagged_referred_pct": 100.0, "overnight": 1, "overnight_pct": 50.0,
        "charged_bail_refused": 1, "accommodation_requested": 1, "accommodation_secure": 1,
        "accommodation_non_secure": 1, "transferred": 1, "transferred_pct": 100.0, "certificates": 0,
        "strip_searches": 0, "strip_searches_without_aa": 0,
        "hours_in_custody": {"median": 9.0, "p90": 9.0},
        "sms": {"sent": 0, "failed": 0, "acknowledged": 0, "median_ack_minutes": None},
    },
}

EMPTY = {
    "children_detained": 0, "minutes_to_aa_request": NOBODY, "minutes_to_aa_arrival": {**NOBODY, "max": None},
    "aa_response_minutes": NOBODY, "aa_within_target_pct": None, "released_without_aa": 0,
    "reviews_total": 0, "reviews_in_person_pct": None, "reviews_aa_present_pct": None, "reviews_late": 0,
    "reviews_by_mode": {"in_person": 0, "video": 0, "telephone": 0},
    "needs_flagged": 0, "needs_flagged_referred_pct": None, "overnight": 0, "overnight_pct": None,
    "charged_bail_refused": 0, "accommodation_requested": 0, "accommodation_secure": 0,
    "accommodation_non_secure": 0, "transferred": 0, "transferred_pct": None, "certificates": 0,
    "strip_searches": 0, "strip_searches_without_aa": 0, "hours_in_custody": NOBODY,
    "sms": {"sent": 0, "failed": 0, "acknowledged": 0, "median_ack_minutes": None},
}

PREVIOUS = {
    **EMPTY,
    "from": "2026-10-05", "to": "2026-10-18",
    "children_detained": 2,                                    # G and P1, not the child of 4 Oct 22:59Z
    "minutes_to_aa_request": {"median": 20.0, "p90": 20.0},
    "minutes_to_aa_arrival": {"median": 120.0, "p90": 120.0, "max": 120.0},
    "aa_response_minutes": {"median": 100.0, "p90": 100.0},
    "aa_within_target_pct": 50.0,                              # G, exactly on 120
    "released_without_aa": 1,                                  # P1
    "overnight": 1, "overnight_pct": 50.0,                     # G
    "hours_in_custody": {"median": 3.0, "p90": 5.0},           # 1 5
}

EXCEPTIONS = [  # by kind, the longest first
    ("f", "PET", "aa_late", 480.0), ("b", "DUR", "aa_late", 210.0),
    ("d", "DAR", "no_aa", 780.0),
    ("d", "DAR", "review_late", 420.0), ("b", "DUR", "review_late", 30.0),
    ("b", "DUR", "not_transferred", 240.0),                    # charged 06:00, released 10:00
    ("b", "DUR", "overnight", 1200.0), ("d", "DAR", "overnight", 780.0), ("a", "DUR", "overnight", 600.0),
    ("f", "PET", "overnight", 480.0),
    ("c", "DAR", "strip_search_without_aa", None),
]


def expected_exceptions(fortnight, suite=None):
    return [{"detention_id": fortnight[key].id, "reference": fortnight[key].reference, "suite": code,
             "kind": kind, "minutes": minutes}
            for key, code, kind, minutes in EXCEPTIONS if suite in (None, code)]


def get_pack(api_as, **query):
    response = api_as("manager").get("/api/v1/reports/performance", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_every_figure_of_the_fortnight_matches_the_hand_count(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-11-01"})
    assert {k: pack[k] for k in ALL_SUITES} == ALL_SUITES
    assert (pack["from"], pack["to"], pack["suite"], pack["aa_target_minutes"]) == \
        ("2026-10-19", "2026-11-01", None, 120)
    assert pack["generated_at"] == "2026-11-02T06:00:00Z"


def test_by_suite_gives_the_same_figures_per_suite(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-11-01"})
    assert pack["by_suite"] == BY_SUITE


def test_previous_period_is_the_fortnight_before_on_local_days(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-11-01"})
    assert pack["previous_period"] == PREVIOUS


def test_exceptions_list_each_breach_once_worst_first(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-11-01"})
    assert pack["exceptions"] == expected_exceptions(fortnight)


def test_suite_filter_narrows_every_figure_to_that_suite(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-11-01", "suite": "dar"})
    assert pack["suite"] == "DAR"
    assert {k: pack[k] for k in ALL_SUITES} == BY_SUITE["DAR"]
    assert pack["by_suite"] == {"DAR": BY_SUITE["DAR"]}
    assert pack["exceptions"] == expected_exceptions(fortnight, "DAR")
    assert pack["previous_period"] == {
        **EMPTY, "from": "2026-10-05", "to": "2026-10-18", "children_detained": 1,  # P1 only
        "aa_within_target_pct": 0.0, "released_without_aa": 1, "overnight_pct": 0.0,
        "hours_in_custody": {"median": 1.0, "p90": 1.0}}


def test_every_figure_over_nobody_is_null_or_zero(api_as, fortnight):
    pack = get_pack(api_as, **{"from": "2026-06-01", "to": "2026-06-14"})
    assert {k: pack[k] for k in ALL_SUITES} == EMPTY
    assert pack["by_suite"] == {code: EMPTY for code in ("DAR", "DUR", "PET")}
    assert pack["exceptions"] == []


def test_one_day_period_counts_from_local_midnight_to_local_midnight(api_as, fortnight):
    # Sunday 1 Nov (GMT) holds F only; Monday 19 Oct (BST) holds A only (G was 23:59 on the 18th).
    assert get_pack(api_as, **{"from": "2026-11-01", "to": "2026-11-01"})["children_detained"] == 1
    monday = get_pack(api_as, **{"from": "2026-10-19", "to": "2026-10-19"})
    assert monday["children_detained"] == 1
    assert monday["previous_period"]["children_detained"] == 1  # Sunday 18 Oct: G
    assert monday["by_suite"]["DUR"]["minutes_to_aa_arrival"] == {"median": 110.0, "p90": 110.0, "max": 110.0}


def test_p90_is_the_value_at_the_nearest_rank_and_an_even_median_the_mean_of_the_middle_two(api_as, custody):
    # Twelve children whose AA arrived k² minutes after them: rank ⌈0.9·12⌉ = 11 is 121 minutes
    # (interpolating would give 118.9); the middle two are 36 and 49.
    for k in range(1, 13):
        arrived = f"2026-06-{k:02d}T09:00"
        child = custody.detention("PET", arrived, f"2026-06-{k:02d}T20:00")
        custody.aa(child, arrived, arrived=f"2026-06-{k:02d}T{9 + k * k // 60:02d}:{k * k % 60:02d}")
    pack = get_pack(api_as, **{"from": "2026-06-01", "to": "2026-06-14"})
    assert pack["minutes_to_aa_arrival"] == {"median": 42.5, "p90": 121.0, "max": 144.0}
    assert pack["aa_response_minutes"] == {"median": 42.5, "p90": 121.0}
    assert pack["aa_within_target_pct"] == 83.3  # 1..100 minutes: 10 of 12 within 120


def test_exception_minutes_round_as_the_figures_do_and_equal_minutes_go_by_reference(api_as, custody):
    # Released without an AA, in June 2026 (BST), durations to the microsecond:
    a = custody.detention("DUR", "2026-06-02T08:00:00", "2026-06-02T20:21:08.999971")  # 741.14999952 min
    b = custody.detention("DAR", "2026-06-03T14:14:00", "2026-06-04T16:35:14.999585")  # 1581.24999308 min
    c1 = custody.detention("PET", "2026-06-05T08:00:00", "2026-06-05T18:00:01.200000")  # 600.02 min
    c2 = custody.detention("PET", "2026-06-05T08:00:00", "2026-06-05T18:00:02.400000")  # 600.04 min
    pack = get_pack(api_as, **{"from": "2026-06-01", "to": "2026-06-14"})
    no_aa = [(row["reference"], row["minutes"]) for row in pack["exceptions"] if row["kind"] == "no_aa"]
    # To 6 places first, then half-up (741.15 -> 741.2), never to the millisecond on the way
    # (1581.2, not 1581.3); 600.0 and 600.0 are equal, so the earlier reference comes first.
    assert no_aa == [(b.reference, 1581.2), (a.reference, 741.2), (c1.reference, 600.0), (c2.reference, 600.0)]
