from odoo import api, fields, models

ESCALATION_KINDS = [
    ("response", "First Response"),
    ("resolution", "Resolution"),
    ("reply", "Next Reply"),
]

ESCALATION_LEVELS = [
    ("at_risk", "At Risk Notice"),
    ("level1", "Level 1"),
    ("level2", "Level 2"),
]


class AftersalesTicketEscalation(models.Model):
    """One escalation of one SLA target of a ticket, at one level.

    Written by the SLA cron only (users read them): a (ticket, target, level) is escalated once
    while it is active. When a recomputed deadline no longer misses (a lower priority, a pause),
    the escalation is archived, and a new breach of the same target escalates again.
    """

    _name = "aftersales.ticket.escalation"
    _description = "Service Ticket Escalation"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    ticket_id = fields.Many2one(
        "aftersales.ticket",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    kind = fields.Selection(ESCALATION_KINDS, string="Target", required=True, readonly=True)
    level = fields.Selection(ESCALATION_LEVELS, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Notified",
        required=True,
        readonly=True,
        help="Who received the activity and the e-mail of this escalation.",
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    deadline = fields.Datetime(string="Missed Deadline", readonly=True, help="The deadline of the target escalated.")
    next_level_date = fields.Datetime(
        string="Next Level on",
        readonly=True,
        help="When the target, still missed, goes to the next level (the escalation hours of the SLA policy).",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    active = fields.Boolean(
        default=True,
        readonly=True,
        help="Archived when the target no longer misses its deadline (a recomputed deadline, an answer).",
    )

    def init(self):
        # each target of a ticket is escalated once per level while the escalation holds
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS aftersales_ticket_escalation_once_idx
               ON aftersales_ticket_escalation (ticket_id, kind, level) WHERE active"""
        )

    @api.depends("kind", "level", "ticket_id.reference")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        levels = dict(self._fields["level"]._description_selection(self.env))
        for escalation in self:
            escalation.name = self.env._(
                "%(ticket)s: %(target)s, %(level)s",
                ticket=escalation.ticket_id.reference or "",
                target=kinds.get(escalation.kind, ""),
                level=levels.get(escalation.level, ""),
            )

    def _withdraw(self):
        """Archive escalations that no longer apply, and drop their open activities."""
        self.activity_id.unlink()
        self.active = False
