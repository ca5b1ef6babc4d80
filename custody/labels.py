"""The words a custody suite uses for each stored value, for pages and the printed certificate."""

LABELS = {
    "need": {
        "mental_health": "Mental health", "learning_disability": "Learning disability",
        "neurodivergence": "Neurodivergence", "self_harm": "Self-harm", "substance_misuse": "Substance misuse",
        "exploitation_concern": "Exploitation concern", "speech_language": "Speech and language",
        "physical_health": "Physical health", "other": "Other",
    },
    "aa_type": {
        "parent_guardian": "Parent or guardian", "social_worker": "Social worker",
        "aa_scheme": "Appropriate adult scheme", "other_responsible_adult": "Other responsible adult",
    },
    "review_kind": {"pre_charge": "Before charge", "post_charge": "After charge"},
    "review_mode": {"in_person": "In person", "video": "Video", "telephone": "Telephone"},
    "review_outcome": {"continue_detention": "Continue detention", "release": "Release", "charge": "Charge"},
    "referral_service": {
        "childrens_social_care": "Children's social care", "liaison_diversion": "Liaison and diversion",
        "youth_offending_team": "Youth offending team", "health": "Health", "other": "Other",
    },
    "bail": {"granted": "Bail granted", "refused": "Bail refused"},
    "accommodation_type": {"non_secure": "Non-secure", "secure": "Secure"},
    "la_response": {"accepted": "Accepted", "refused": "Refused", "no_bed": "No bed available",
                    "no_response": "No response"},
    "certificate_ground": {
        "impracticable": "Transfer impracticable (s.38(6)(a))",
        "no_secure_accommodation": "No secure accommodation available (s.38(6)(b))",
    },
    "release_outcome": {
        "no_further_action": "No further action", "released_under_investigation": "Released under investigation",
        "bail": "Bail (pre-charge)", "charged_bailed": "Charged and bailed",
        "transferred_la_accommodation": "Transferred to local-authority accommodation",
        "kept_for_court": "Kept in custody for court", "other": "Other",
    },
    "contact_role": {
        "aa_scheme": "AA scheme", "aa_scheme_coordinator": "AA scheme coordinator",
        "custody_inspector": "Custody inspector", "duty_superintendent": "Duty superintendent",
        "local_authority_edt": "Local authority emergency duty team",
    },
    "entity": {
        "detention": "Detention", "welfare_notification": "Welfare notification",
        "aa_request": "Appropriate adult request", "review": "PACE review", "referral": "Referral",
        "charge": "Charge", "accommodation_request": "Accommodation request", "certificate": "Certificate",
        "strip_search": "Strip search",
    },
}


def label(value, kind):
    """The label for a stored value; the value itself, tidied, when there is none."""
    if value is None:
        return ""
    return LABELS[kind].get(value) or str(value).replace("_", " ")


def choices(kind):
    return list(LABELS[kind].items())
