"""SMS senders behind one small interface, chosen by SMS_BACKEND (console or twilio).

    sender.send(to, body) -> Sent                 raises SmsError
    sender.find(to, body, since, until) -> Sent | None   (reconciling an ambiguous send)

An SmsError says what the caller may do next: `permanent` (the provider refused this text for
good: never retry), `ambiguous` (the request may have reached the provider: look before
sending again), or neither (it certainly did not go: retry later).
"""
import json
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

log = logging.getLogger(__name__)

# A stale escalation should be dropped by the provider, not delivered hours late.
VALIDITY_PERIOD = timedelta(minutes=30)
STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
LIST_PAGE_SIZE = 100


class SmsError(Exception):
    def __init__(self, message, *, permanent=False, ambiguous=False, code=None, http_status=None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.code = None if code is None else str(code)
        self.http_status = http_status


@dataclass(frozen=True)
class Sent:
    sid: str
    status: str                      # the provider's word: queued, sent, delivered, failed...
    created_at: datetime | None = None


class ConsoleSender:
    """Stores and logs: the message log shows the text exactly as if it had gone."""
    name = "console"

    def send(self, to, body):
        log.info("SMS to %s: %s", to, body)
        return Sent(sid=f"console-{uuid.uuid4().hex}", status="sent")

    def find(self, to, body, since, until):
        return None  # console sends never end ambiguously


class TwilioSender:
    name = "twilio"

    def __init__(self, account_sid, auth_token, sender, public_base_url, api_base_url, timeout):
        # No automatic retries in the HTTP client: a retried POST after a lost response is
        # exactly the double text the sweep's reconciliation exists to prevent.
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        # twilio-python has no base-URL option; its API domain keeps it in `base_url`.
        self.client.api.base_url = api_base_url.rstrip("/")
        self.sender = sender
        self.status_callback = public_base_url.rstrip("/") + STATUS_CALLBACK_PATH

    def _from(self):
        if self.sender.startswith("MG"):
            return {"messaging_service_sid": self.sender}
        return {"from_": self.sender}

    def send(self, to, body):
        with _provider_call(request_sent_counts=True):
            message = self.client.messages.create(
                to=to, body=body, status_callback=self.status_callback,
                validity_period=int(VALIDITY_PERIOD.total_seconds()), **self._from())
        return Sent(sid=message.sid, status=message.status, created_at=message.date_created)

    def find(self, to, body, since, until):
        """The text in the provider's list of texts to `to`, created between `since` and `until`.

        The list comes newest first, a page at a time: read back until a whole page is older
        than `since`, however many texts the number has had since (a busy duty line, a backlog
        after an outage). A fixed number of the newest would miss it and send it again.
        """
        with _provider_call(request_sent_counts=False):
            page = self.client.messages.page(to=to, page_size=LIST_PAGE_SIZE)
            while page is not None:
                messages = list(page)
                for message in messages:
                    created = message.date_created
                    if message.body == body and created is not None and since <= created <= until:
                        return Sent(sid=message.sid, status=message.status, created_at=created)
                if all(m.date_created is not None and m.date_created < since for m in messages):
                    return None
                page = page.next_page()
        return None


@contextmanager
def _provider_call(request_sent_counts):
    """Turn the Twilio client's and requests' exceptions into SmsError.

    `request_sent_counts` is False for reads: re-reading the message list is harmless.
    """
    try:
        yield
    except (TwilioRestException, requests.RequestException) as error:
        raise _classify(error, request_sent_counts) from error
    except (TwilioException, json.JSONDecodeError) as error:
        # An answer the client could not read: a list page that was not 200 comes as a bare
        # TwilioException ("Unable to fetch page"), a body that is not JSON as a decoding error.
        # Let out, either would abort the whole sweep and strand a text mid-reconciliation.
        response = error.args[1] if len(error.args) > 1 else None
        raise SmsError(f"unreadable answer from the provider: {error.args[0] if error.args else error}",
                       ambiguous=request_sent_counts,
                       http_status=getattr(response, "status_code", None)) from error


def _classify(error, request_sent_counts):
    if isinstance(error, TwilioRestException):
        return _classify_rest(error, request_sent_counts)
    if _never_left(error):
        return SmsError(f"could not reach the provider: {error}")
    # A timeout or a dropped connection after the request was written: it may have been sent.
    return SmsError(f"no answer from the provider: {error}", ambiguous=request_sent_counts)


def _never_left(error):
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _classify_rest(error, request_sent_counts):
    detail = f"HTTP {error.status}, error {error.code}: {error.msg}"
    if error.status == 429:
        return SmsError(f"rate limited ({detail})", code=error.code, http_status=429)
    if error.status >= 500:
        # The provider failed while handling it; whether it queued the text is unknown.
        return SmsError(f"provider error ({detail})", ambiguous=request_sent_counts, code=error.code,
                        http_status=error.status)
    if error.status in (401, 403):
        return SmsError(f"provider refused our credentials ({detail})", code=error.code, http_status=error.status)
    return SmsError(f"provider refused the text ({detail})", permanent=True, code=error.code,
                    http_status=error.status)


TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "PUBLIC_BASE_URL",
                   "TWILIO_API_BASE_URL", "TWILIO_TIMEOUT_SECONDS")


def sender_for(config):
    """The configured sender; a worker reuses one Twilio client (and its connections) per setting."""
    if config["SMS_BACKEND"] == "twilio":
        return _twilio_sender(tuple(config[name] for name in TWILIO_SETTINGS))
    return ConsoleSender()


@lru_cache(maxsize=4)
def _twilio_sender(settings):
    return TwilioSender(*settings)
