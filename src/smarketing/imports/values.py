"""Parsing of the values found in exported files: dates, numbers, booleans and the
vocabularies (lifecycle stages, lead statuses, sources) of HubSpot and Salesforce."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from smarketing.people.models import LeadStatus, SourceChannel, Stage
from smarketing.people.properties import FALSE_WORDS, TRUE_WORDS

# Tried in this order after ISO 8601; a column sticks to the first format that
# parsed one of its values, so 03/04/2024 follows the column's earlier 3/15/2024.
DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y",
    "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%d-%b-%Y", "%b %d, %Y",
    "%d %b %Y",
)
EPOCH_MS = re.compile(r"\d{12,13}")
MONEY_SIGNS = "$€£¥ "


_NOT_KEY = re.compile(r"[^a-z0-9]")


@functools.lru_cache(maxsize=4096)
def _key(raw: str) -> str:
    """A value's lookup key (a file repeats its few stage, status and source values)."""
    return _NOT_KEY.sub("", raw.lower())


STAGE_WORDS: dict[str, str] = {
    **{_key(s): s for s in Stage.values},
    "marketingqualifiedlead": Stage.MQL, "salesqualifiedlead": Stage.SQL,
    "mql": Stage.MQL, "sql": Stage.SQL, "prospect": Stage.LEAD,
}
LEAD_STATUS_WORDS: dict[str, str] = {
    **{_key(s): s for s in LeadStatus.values},
    # Salesforce's default Lead Status picklist
    "opennotcontacted": LeadStatus.OPEN, "workingcontacted": LeadStatus.IN_PROGRESS,
    "closedconverted": LeadStatus.CONNECTED, "closednotconverted": LeadStatus.UNQUALIFIED,
}
SOURCE_WORDS: dict[str, str] = {
    **{_key(s): s for s in SourceChannel.values},
    **{_key(label): value for value, label in SourceChannel.choices},
    # HubSpot's internal values
    "emailmarketing": SourceChannel.EMAIL, "socialmedia": SourceChannel.ORGANIC_SOCIAL,
    "referrals": SourceChannel.REFERRAL, "directtraffic": SourceChannel.DIRECT,
    "airefferals": SourceChannel.REFERRAL, "aireferrals": SourceChannel.REFERRAL,
    # Salesforce's default Lead Source picklist
    "web": SourceChannel.DIRECT, "phoneinquiry": SourceChannel.OFFLINE,
    "partnerreferral": SourceChannel.REFERRAL, "purchasedlist": SourceChannel.OFFLINE,
    "other": SourceChannel.OTHER_CAMPAIGNS, "advertisement": SourceChannel.PAID_SEARCH,
    "employeereferral": SourceChannel.REFERRAL, "externalreferral": SourceChannel.REFERRAL,
    "tradeshow": SourceChannel.EVENT, "wordofmouth": SourceChannel.REFERRAL,
    "seminarinternal": SourceChannel.EVENT, "seminarpartner": SourceChannel.EVENT,
    "prospecting": SourceChannel.SALES, "salesprospecting": SourceChannel.SALES,
}


def vocabulary(words: dict[str, str], raw: str, what: str) -> str:
    if not raw:
        return ""
    found = words.get(_key(raw))
    if found is None:
        raise ValueError(f"{raw!r} is not a known {what} (add a value map)")
    return found


class DateReader:
    """Parses dates and times, remembering each column's format."""

    def __init__(self, formats: list[str] | None = None) -> None:
        self.formats = tuple(formats or ()) + DATE_FORMATS
        self.sticky: dict[str, str] = {}
        self.zone = timezone.get_current_timezone()

    def __call__(self, raw: str, column: str = "") -> dt.datetime | None:
        text = raw.strip()
        if not text:
            return None
        value = self._parse(text, column)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)  # timezone.make_aware's way
        return value

    def _parse(self, text: str, column: str) -> dt.datetime:
        known = self.sticky.get(column)
        if known:  # the column's format so far (a file keeps one): one regex a value
            try:
                return strptime(text, known)
            except ValueError:
                pass
        if EPOCH_MS.fullmatch(text):  # HubSpot API exports: milliseconds since 1970
            return dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        for fmt in self.formats:
            try:
                value = strptime(text, fmt)
            except ValueError:
                continue
            self.sticky.setdefault(column, fmt)
            return value
        raise ValueError(f"{text!r} is not a date (give date_format in the mapping)")


NUMERIC_DIRECTIVES = {
    "%Y": r"(?P<Y>\d{4})", "%y": r"(?P<y>\d{2})", "%m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{1,2})", "%H": r"(?P<H>\d{1,2})", "%I": r"(?P<I>\d{1,2})",
    "%M": r"(?P<M>\d{1,2})", "%S": r"(?P<S>\d{1,2})", "%p": r"(?P<p>[AaPp][Mm])",
}


@functools.lru_cache(maxsize=64)
def _numeric_pattern(fmt: str) -> re.Pattern[str] | None:
    """A regex for a format of numeric directives only (None: month names etc.)."""
    parts = []
    for part in re.split(r"(%.)", fmt):
        if part.startswith("%") and len(part) == 2:
            if part not in NUMERIC_DIRECTIVES:
                return None
            parts.append(NUMERIC_DIRECTIVES[part])
        else:
            parts.append(r"\s+".join(re.escape(p) for p in part.split(" ")))
    return re.compile("".join(parts))


def strptime(text: str, fmt: str) -> dt.datetime:
    """datetime.strptime, ten times faster for numeric formats (an import parses a
    date per row and column): the same values accepted and refused."""
    pattern = _numeric_pattern(fmt)
    if pattern is None:
        return dt.datetime.strptime(text, fmt)
    match = pattern.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} does not match {fmt}")
    found = match.groupdict()
    year = int(found["Y"]) if found.get("Y") else _two_digit_year(int(found.get("y") or 1900))
    hour = int(found.get("H") or 0)
    if found.get("I"):
        hour = int(found["I"])
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} is not 1-12")
        hour = hour % 12 + (12 if found["p"].lower() == "pm" else 0)
    return dt.datetime(year, int(found.get("m") or 1), int(found.get("d") or 1), hour,
                       int(found.get("M") or 0), int(found.get("S") or 0))


def _two_digit_year(year: int) -> int:
    if year >= 100:
        return year
    return year + (1900 if year >= 69 else 2000)  # strptime's %y rule


def decimal(raw: str) -> Decimal | None:
    text = raw.strip().strip(MONEY_SIGNS).replace(",", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{raw!r} is not a number")
    return value


def integer(raw: str) -> int | None:
    value = decimal(raw)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(f"{raw!r} is not a whole number")
    return int(value)


def boolean(raw: Any) -> bool | None:
    word = str(raw).strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS or word == "checked":
        return True
    if word in FALSE_WORDS or word == "unchecked":
        return False
    raise ValueError(f"{raw!r} is not true or false")


def duration_seconds(raw: str) -> int | None:
    """"1:02:03", "12:30" or a number of seconds."""
    text = raw.strip()
    if not text:
        return None
    if ":" in text:
        seconds = 0
        for part in text.split(":"):
            seconds = seconds * 60 + int(part)
        return seconds
    return integer(text)
