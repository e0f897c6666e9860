"""The workflow's allowed moves: which status may follow which, and who may make them.

The one owner of the moves: status changes (crm.services) and touchpoint outcomes
(crm.outreach) both read them; crm.services.allowed_statuses applies the roles.
"""

from prospects.models import Company

Status = Company.Status

# The workflow: which statuses each status may move to.
TRANSITIONS = {
    Status.NEW: {Status.RESEARCHING, Status.DISQUALIFIED, Status.SNOOZED},
    Status.RESEARCHING: {Status.NEW, Status.READY, Status.DISQUALIFIED, Status.SNOOZED},
    Status.READY: {Status.RESEARCHING, Status.IN_OUTREACH, Status.DISQUALIFIED, Status.SNOOZED},
    Status.IN_OUTREACH: {Status.READY, Status.CONVERTED, Status.DISQUALIFIED, Status.SNOOZED},
    Status.SNOOZED: {
        Status.NEW,
        Status.RESEARCHING,
        Status.READY,
        Status.IN_OUTREACH,
        Status.DISQUALIFIED,
    },
    Status.DISQUALIFIED: {Status.NEW},
    # After the SQL: an opportunity opens, and is won (a customer) or lost (disqualified).
    Status.CONVERTED: {Status.OPPORTUNITY, Status.CUSTOMER},
    Status.OPPORTUNITY: {Status.CUSTOMER, Status.DISQUALIFIED},
    Status.CUSTOMER: set(),
}
# Outreach reps record outcomes: these are the statuses they may move a company to.
REP_STATUSES = {
    Status.IN_OUTREACH,
    Status.CONVERTED,
    Status.OPPORTUNITY,
    Status.CUSTOMER,
    Status.DISQUALIFIED,
    Status.SNOOZED,
}
# Moves that end a stage of the work: the pages ask to confirm them, and they can be undone.
FINAL_STATUSES = {Status.CONVERTED, Status.OPPORTUNITY, Status.CUSTOMER, Status.DISQUALIFIED}
