"""Demonstration contacts: every role at every suite, on Ofcom's drama numbers
(+44 7700 900000-900999), which never ring a real phone."""
from sqlalchemy import select

from alerts import contacts
from alerts.models import Contact
from custody.models import Suite

DEMO_CHAIN = (
    ("aa_scheme", "AA scheme duty line", None, None),
    ("aa_scheme_coordinator", "AA scheme coordinator", None, None),
    ("custody_inspector", "Duty inspector (day)", "08:00", "20:00"),
    ("custody_inspector", "Duty inspector (night)", "20:00", "08:00"),
    ("duty_superintendent", "Duty superintendent", None, None),
    ("local_authority_edt", "Emergency duty team", None, None),
)


def seed_demo_contacts(session, now):
    """A chain for each suite that has no contacts yet; returns how many were added."""
    added = 0
    for number, suite in enumerate(session.scalars(select(Suite).order_by(Suite.id)).all(), start=1):
        if session.scalar(select(Contact.id).where(Contact.suite_id == suite.id).limit(1)):
            continue
        for position, (role, name, start, end) in enumerate(DEMO_CHAIN, start=1):
            contacts.create(session, {"suite": suite.code, "role": role, "name": f"{name}, {suite.name}",
                                      "phone": f"+447700900{number % 10}{position:02d}",
                                      "window_start": start, "window_end": end}, None, now)
            added += 1
    return added
