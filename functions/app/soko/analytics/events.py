"""The analytics domain's event contracts (source ``soko.analytics``)."""

from __future__ import annotations

from typing import ClassVar

from soko.shared.notices import Notice


class WeeklyReportReady(Notice):
    """The weekly admin sales report is ready: one notice per admin (EN and Luganda), delivered by
    the notifications domain once per ``notice_id`` (``report-ready-<report id>-<admin id>``)."""

    SOURCE: ClassVar[str] = "soko.analytics"
    DETAIL_TYPE: ClassVar[str] = "WeeklyReportReady"
