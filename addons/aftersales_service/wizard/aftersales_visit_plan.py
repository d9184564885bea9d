from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AftersalesVisitPlan(models.TransientModel):
    _name = "aftersales.visit.plan"
    _description = "Plan a Day of Visits"

    date = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=1),
        help="Visits without a start are planned on this day.",
    )
    visit_ids = fields.Many2many(
        "aftersales.visit",
        string="Visits",
        compute="_compute_visit_ids",
        store=True,
        readonly=False,
        domain="[('state', '=', 'draft'), ('technician_id', '=', False), "
        "('partner_job_state', 'not in', ('offered', 'accepted', 'done'))]",
        help="Draft visits without a technician that start on this day or have no start yet.",
    )
    technician_ids = fields.Many2many(
        "aftersales.technician",
        string="Technicians",
        default=lambda self: self.env["aftersales.technician"].search([("company_id", "in", self.env.companies.ids)]),
        help="The technicians who may get these visits.",
    )
    visit_count = fields.Integer(compute="_compute_visit_count")

    @api.depends("date")
    def _compute_visit_ids(self):
        for wizard in self:
            if self.env.context.get("default_visit_ids") or not wizard.date:
                continue
            wizard.visit_ids = wizard._find_visits()

    @api.depends("visit_ids")
    def _compute_visit_count(self):
        for wizard in self:
            wizard.visit_count = len(wizard.visit_ids)

    def _find_visits(self):
        """Draft unassigned visits of the day (in the user's time zone), or without a start."""
        self.ensure_one()
        tz = timezone(self.env.user.tz or self.env.company.resource_calendar_id.tz or "UTC")
        start = tz.localize(datetime.combine(self.date, time.min)).astimezone(utc).replace(tzinfo=None)
        return self.env["aftersales.visit"].search(
            [
                ("state", "=", "draft"),
                ("technician_id", "=", False),
                ("partner_job_state", "not in", ("offered", "accepted", "done")),
                ("company_id", "in", self.env.companies.ids),
                "|",
                ("scheduled_start", "=", False),
                "&",
                ("scheduled_start", ">=", start),
                ("scheduled_start", "<", start + timedelta(days=1)),
            ]
        )

    def action_plan(self):
        self.ensure_one()
        self.env["aftersales.visit"]._check_can_dispatch(_("Planning the day"))
        if not self.visit_ids:
            raise UserError(_("There is no draft visit without a technician to plan."))
        if not self.technician_ids:
            raise UserError(_("Choose the technicians who may get the visits."))
        visits = self.visit_ids
        planned = visits._plan_days(day=self.date, technicians=self.technician_ids)
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action.update(
            {
                "name": _("Planned Visits"),
                "domain": [("id", "in", visits.ids)],
                "view_mode": "list,calendar,form",
                "views": [(False, "list"), (False, "calendar"), (False, "form")],
                "context": {"group_by": ["technician_id"]},
            }
        )
        if len(planned) < len(visits):
            action["help"] = _(
                "%(left)s visits could not be planned: their chatter says why.", left=len(visits) - len(planned)
            )
        return action
