# One unit of a campaign: its owner, its ticket and visit, and where it stands.
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

LINE_STATES = [
    ("to_do", "To Do"),
    ("notified", "Notified"),
    ("done", "Done"),
    ("refused", "Refused"),
    ("unreachable", "Unreachable"),
]
# what an agent records when the owner cannot be reached or does not want the campaign's work
LINE_OUTCOMES = [
    ("refused", "Refused by the Owner"),
    ("unreachable", "Owner Unreachable"),
]
# the line's data: written by the campaign's actions only; its status and the copies of its campaign's and
# serial's values are computed, never written
GUARDED_FIELDS = frozenset(
    {
        "state",
        "campaign_state",
        "company_id",
        "product_id",
        "campaign_id",
        "lot_id",
        "partner_id",
        "address_id",
        "ticket_id",
        "visit_id",
        "notified_date",
        "outcome",
        "outcome_reason",
        "outcome_user_id",
    }
)


class AftersalesCampaignLine(models.Model):
    _name = "aftersales.campaign.line"
    _description = "Campaign Unit"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "campaign_id desc, id"
    _rec_name = "lot_id"
    _check_company_auto = True

    campaign_id = fields.Many2one(
        "aftersales.campaign", required=True, index=True, ondelete="cascade", readonly=True, check_company=True
    )
    campaign_state = fields.Selection(related="campaign_id.state", store=True, string="Campaign Status")
    company_id = fields.Many2one(related="campaign_id.company_id", store=True, index=True, precompute=True)
    lot_id = fields.Many2one("stock.lot", string="Serial Number", required=True, index=True, readonly=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    batch = fields.Char(related="lot_id.aftersales_batch", string="Manufacturing Batch")
    partner_id = fields.Many2one("res.partner", string="Owner", index="btree_not_null", readonly=True)
    address_id = fields.Many2one(
        "res.partner", string="Unit Address", readonly=True, help="Where the unit stands, for the visit."
    )
    email = fields.Char(related="partner_id.email", string="Owner E-mail")
    ticket_id = fields.Many2one("aftersales.ticket", index="btree_not_null", readonly=True, copy=False)
    visit_id = fields.Many2one("aftersales.visit", index="btree_not_null", readonly=True, copy=False)
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    notified_date = fields.Datetime(string="E-mailed on", readonly=True, copy=False)
    outcome = fields.Selection(LINE_OUTCOMES, readonly=True, copy=False)
    outcome_reason = fields.Char(string="Reason", readonly=True, copy=False)
    outcome_user_id = fields.Many2one("res.users", string="Recorded by", readonly=True, copy=False)
    state = fields.Selection(
        LINE_STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        help="Done once the unit's ticket is closed or its visit done; refused or unreachable as the agent "
        "recorded; notified once its owner was e-mailed.",
    )

    _sql_constraints = [
        ("campaign_lot_uniq", "unique (campaign_id, lot_id)", "A unit is listed once per campaign."),
    ]

    @api.depends("ticket_id.is_closed", "visit_id.state", "notified_date", "outcome")
    def _compute_state(self):
        for line in self:
            if line.outcome == "refused":
                line.state = "refused"
            elif line.ticket_id.is_closed or line.visit_id.state == "done":
                line.state = "done"
            elif line.outcome == "unreachable":
                line.state = "unreachable"
            elif line.notified_date:
                line.state = "notified"
            else:
                line.state = "to_do"

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | GUARDED_FIELDS

    @api.ondelete(at_uninstall=False)
    def _unlink_except_launched(self):
        launched = self.filtered(lambda line: line.ticket_id or line.campaign_id.state != "draft")
        if launched:
            raise UserError(
                _(
                    "Units %(serials)s belong to a launched campaign: record their outcome instead of removing them.",
                    serials=", ".join(launched.lot_id.mapped("name")[:10]),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_record_outcome(self):
        """Ask the agent why the owner refused or could not be reached."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Record the Outcome"),
            "res_model": "aftersales.campaign.line.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _set_outcome(self, outcome, reason):
        """Record that the owners refused or could not be reached, with the agent's reason."""
        self.check_access("write")
        self._check_campaign_running()
        if outcome not in dict(LINE_OUTCOMES):
            raise UserError(_("Choose whether the owner refused or could not be reached."))
        if not (reason or "").strip():
            raise UserError(_("Say why: the reason is kept on the unit's line."))
        with self._unguard("outcome", "outcome_reason", "outcome_user_id"):
            self.write({"outcome": outcome, "outcome_reason": reason.strip(), "outcome_user_id": self.env.uid})
        label = dict(self._fields["outcome"]._description_selection(self.env))[outcome]
        for line in self.filtered("ticket_id"):
            line.ticket_id._message_log(
                body=_(
                    "Campaign %(campaign)s: %(outcome)s (%(reason)s).",
                    campaign=line.campaign_id.display_name,
                    outcome=label,
                    reason=line.outcome_reason,
                )
            )
        return True

    def action_clear_outcome(self):
        """The owner answered after all: the unit is to be done again."""
        self.check_access("write")
        self._check_campaign_running()
        with self._unguard("outcome", "outcome_reason", "outcome_user_id"):
            self.write({"outcome": False, "outcome_reason": False, "outcome_user_id": False})
        return True

    def action_open_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _check_campaign_running(self):
        closed = self.filtered(lambda line: line.campaign_id.state != "running")
        if closed:
            raise UserError(
                _(
                    "Units %(serials)s belong to a campaign that is not running.",
                    serials=", ".join(closed.lot_id.mapped("name")[:10]),
                )
            )

    def _refresh_owners(self):
        """Read again who owns the units now and where they stand."""
        owners = self.lot_id._aftersales_owners()
        Partner = self.env["res.partner"]
        for line in self:
            owner, address = owners.get(line.lot_id.id) or (Partner, Partner)
            if (owner, address) != (line.partner_id, line.address_id):
                with self._unguard("partner_id", "address_id"):
                    line.write({"partner_id": owner.id, "address_id": address.id})

    def _launch(self):
        """Open a ticket (and a visit) for each unit and e-mail the owners who have an e-mail address;
        the others are flagged unreachable, and nobody is e-mailed for them."""
        lines = self.filtered(lambda line: not line.ticket_id and line.campaign_id.state == "running")
        if not lines:
            return
        lines._refresh_owners()
        by_campaign = defaultdict(lambda: self.browse())
        for line in lines:
            by_campaign[line.campaign_id] |= line
        now = fields.Datetime.now()
        Ticket = self.env["aftersales.ticket"]
        for campaign, campaign_lines in by_campaign.items():
            with Ticket._unguard("campaign_id"):
                tickets = (
                    Ticket.with_company(campaign.company_id)
                    .with_context(mail_create_nolog=True, mail_notrack=True)
                    .create([campaign._prepare_ticket_vals(line) for line in campaign_lines])
                )
            visits = self.env["aftersales.visit"]
            if campaign.unit_action == "visit":
                to_visit = [
                    (line, ticket)
                    for line, ticket in zip(campaign_lines, tickets, strict=True)
                    if line.address_id or line.partner_id
                ]
                visits = (
                    self.env["aftersales.visit"]
                    .with_company(campaign.company_id)
                    .with_context(mail_create_nolog=True, mail_notrack=True)
                    .create([campaign._prepare_visit_vals(line, ticket) for line, ticket in to_visit])
                )
                visit_of = {line: visit for (line, _ticket), visit in zip(to_visit, visits, strict=True)}
            else:
                visit_of = {}
            reachable = campaign_lines.filtered(lambda line: line.partner_id.email_normalized)
            with self._unguard("ticket_id", "visit_id", "notified_date", "outcome", "outcome_reason"):
                for line, ticket in zip(campaign_lines, tickets, strict=True):
                    vals = {"ticket_id": ticket.id, "visit_id": visit_of.get(line, visits.browse()).id}
                    if line not in reachable:
                        vals.update(
                            outcome="unreachable",
                            outcome_reason=_("No owner known")
                            if not line.partner_id
                            else _("The owner has no e-mail address"),
                        )
                    elif campaign.mail_template_id:
                        vals["notified_date"] = now
                    line.write(vals)
            if campaign.mail_template_id:
                campaign._notify_owners(reachable.ticket_id)
