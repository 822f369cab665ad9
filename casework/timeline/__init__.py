"""A case's timeline: every event of the case, with reveals of its founder's personal data merged in.

`service.case_timeline` reads it; `lines` says how each kind of event reads; `chronology` decides
which reveals belong to the case and where they fall.
"""

from casework.timeline.service import case_timeline

__all__ = ["case_timeline"]
