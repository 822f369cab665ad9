"""Every page and API controller of casework, for app.py to mount; each feature adds its own here."""

from __future__ import annotations

from casework.api import CaseApi, NeedFilingApi
from casework.attachments.api import CaseAttachmentApi
from casework.attachments.controllers import AttachmentController
from casework.confirmations.api import ConfirmationApi
from casework.confirmations.controllers import ConfirmationController
from casework.controllers import CaseController, NeedFilingController
from casework.followups.api import FollowUpApi
from casework.followups.controllers import FollowUpController, FollowUpSettingsController
from casework.matching.api import ExpertMatchApi
from casework.matching.controllers import BatchAssignController
from casework.notes.api import NoteApi
from casework.notes.controllers import NoteController
from casework.offers.api import CaseOfferApi, MyOfferApi
from casework.plans.api import PlanApi
from casework.plans.controllers import PlanController
from casework.tasks.api import TaskApi
from casework.tasks.controllers import TaskController
from casework.workspace.controllers import WorkspaceController

PAGES: list[type] = [NeedFilingController, CaseController, TaskController, NoteController, AttachmentController]
PAGES += [PlanController, ConfirmationController]
API: list[type] = [NeedFilingApi, CaseApi, TaskApi, NoteApi, CaseAttachmentApi]
API += [PlanApi, ConfirmationApi]
PAGES += [FollowUpController, FollowUpSettingsController]
API += [FollowUpApi]
PAGES += [BatchAssignController]
API += [ExpertMatchApi]
PAGES += [WorkspaceController]
API += [CaseOfferApi, MyOfferApi]
