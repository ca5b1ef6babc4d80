"""The escalation policy (SPEC §4.1): for each clock, who is texted how long after it starts.

Read from `config/escalation.toml` (ESCALATION_POLICY_FILE) once, when the app is built, and
checked strictly: a typo in a role or a missing clock would otherwise mean a child waits and
nobody is told, so a bad file stops the service from starting instead.

A step's position in its clock's list is part of the key of every planned step
(`escalation_steps.step`): add new steps at the end rather than reordering old ones.
"""
import tomllib
from dataclasses import dataclass
from datetime import timedelta

from alerts.models import CONTACT_ROLES

CLOCKS = ("aa_not_requested", "aa_callout", "aa_not_arrived", "review_due", "accommodation_no_response")
# review_due counts from the instant the review falls due, so its first step comes before it.
COUNTS_FROM_A_DEADLINE = frozenset({"review_due"})
LONGEST_STEP = 7 * 24 * 60  # minutes; anything longer is a typo, not a policy


class PolicyError(ValueError):
    """The escalation policy file is malformed."""


@dataclass(frozen=True)
class Step:
    index: int
    after: timedelta
    role: str
    reminder: bool = False

    @property
    def after_minutes(self):
        return int(self.after.total_seconds() // 60)


@dataclass(frozen=True)
class ClockPolicy:
    name: str
    description: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Policy:
    clocks: dict

    def steps(self, clock):
        return self.clocks[clock].steps

    def step(self, clock, index):
        steps = self.clocks[clock].steps if clock in self.clocks else ()
        return steps[index] if 0 <= index < len(steps) else None


def load(path):
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PolicyError(f"escalation policy {path}: {error}") from None
    return parse(data, source=str(path))


def parse(data, source="escalation policy"):
    unknown = sorted(set(data) - set(CLOCKS))
    missing = [name for name in CLOCKS if name not in data]
    if unknown:
        raise PolicyError(f"{source}: unknown clock(s) {', '.join(unknown)}; the clocks are {', '.join(CLOCKS)}")
    if missing:
        raise PolicyError(f"{source}: missing [{missing[0]}] (give it `steps = []` to send nothing for it)")
    return Policy({name: _clock(name, data[name], source) for name in CLOCKS})


def _clock(name, table, source):
    where = f"{source} [{name}]"
    if not isinstance(table, dict):
        raise PolicyError(f"{where} must be a table")
    _refuse_unknown_keys(table, {"description", "steps"}, where)
    description = table.get("description", name.replace("_", " "))
    if not isinstance(description, str):
        raise PolicyError(f"{where}: description must be text")
    raw_steps = table.get("steps")
    if not isinstance(raw_steps, list):
        raise PolicyError(f"{where}: steps must be a list of {{ after = minutes, role = \"...\" }}")
    steps = tuple(_step(name, index, raw, f"{where} step {index + 1}") for index, raw in enumerate(raw_steps))
    _check_order(steps, where)
    return ClockPolicy(name, description, steps)


def _step(clock, index, raw, where):
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a table like {{ after = 30, role = \"custody_inspector\" }}")
    _refuse_unknown_keys(raw, {"after", "role", "reminder"}, where)
    after, role, reminder = raw.get("after"), raw.get("role"), raw.get("reminder", False)
    if isinstance(after, bool) or not isinstance(after, int):
        raise PolicyError(f"{where}: after must be a whole number of minutes, got {after!r}")
    if after < 0 and clock not in COUNTS_FROM_A_DEADLINE:
        raise PolicyError(f"{where}: after is {after}; only review_due steps may come before their clock starts")
    if abs(after) > LONGEST_STEP:
        raise PolicyError(f"{where}: after is {after} minutes, more than a week")
    if role not in CONTACT_ROLES:
        raise PolicyError(f"{where}: role {role!r} is not one of {', '.join(CONTACT_ROLES)}")
    if not isinstance(reminder, bool):
        raise PolicyError(f"{where}: reminder must be true or false")
    return Step(index, timedelta(minutes=after), role, reminder)


def _check_order(steps, where):
    for earlier, later in zip(steps, steps[1:], strict=False):
        if later.after < earlier.after:
            raise PolicyError(f"{where}: steps must be listed in time order ({later.after_minutes} after "
                              f"{earlier.after_minutes})")
    for step in steps:
        if step.reminder and not any(s.role == step.role for s in steps[:step.index]):
            raise PolicyError(f"{where} step {step.index + 1}: a reminder needs an earlier step to the same role")


def _refuse_unknown_keys(table, allowed, where):
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
