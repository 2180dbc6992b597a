"""The municipality's calendar: German time, whatever time zone the server runs in.

Days that users see – booking days, defaults of date fields, file names, "today" in charts –
are German calendar days; between 23:00/22:00 and 24:00 UTC they differ from the server's
UTC date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def today() -> dt.date:
    """Today in Germany."""
    return dt.datetime.now(dt.UTC).astimezone(BERLIN).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The German calendar day of an instant."""
    return moment.astimezone(BERLIN).date()
