"""Follow-ups: everything that falls due for a case, kept as rows and acted on by background jobs.

`rules` (pure) says what each workflow effect opens or closes, when each kind falls due in Chinese
working days and whom its escalation ladder tells; `messages` (pure) what they read; `service`
writes the rows inside the change that implies them; `scheduling` gives near ones to RQ and sweeps
back what Redis lost; `acting` is what a due follow-up does, claimed once; `jobs` are the RQ entry
points; `health` counts what is overdue for `/health`. Pages: `listing` (pure) and `reading` for
`/follow-ups`, the case page and the API; `settings_rules` (pure) and `settings_service` for a
district's settings at `/settings/follow-ups`.
"""
