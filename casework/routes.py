"""Every page and API controller of casework, for app.py to mount; each feature adds its own here."""

from __future__ import annotations

from casework.api import CaseApi, NeedFilingApi
from casework.controllers import CaseController, NeedFilingController

PAGES: list[type] = [NeedFilingController, CaseController]
API: list[type] = [NeedFilingApi, CaseApi]
