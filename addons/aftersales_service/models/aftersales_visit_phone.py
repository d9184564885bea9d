"""The technician's day on a phone: what his cards and his visit screen show, and where the app opens."""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import format_date

TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"
AGENT_GROUP = "aftersales_service.aftersales_service_group_user"
ACCOUNTANT_GROUP = "aftersales_service.aftersales_service_group_accountant"


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    ticket_description = fields.Html(related="ticket_id.description", string="Problem", compute_sudo=False)
    ticket_subject = fields.Char(related="ticket_id.name", string="Subject", compute_sudo=False)
    ticket_sla_status = fields.Selection(related="ticket_id.sla_status", compute_sudo=False)
    call_phone = fields.Char(
        string="Phone",
        compute="_compute_call_phone",
        help="The number to call about the visit: the ticket's contact, else the service address, else the "
        "customer; the mobile first.",
    )
    day_label = fields.Char(
        string="Day",
        compute="_compute_day_label",
        help="Today, Tomorrow or the date of the visit, in the user's time zone.",
    )

    @api.depends(
        "partner_id.phone",
        "partner_id.mobile",
        "ticket_id.contact_id.phone",
        "ticket_id.contact_id.mobile",
        "ticket_id.partner_id.phone",
        "ticket_id.partner_id.mobile",
        "ticket_id.commercial_partner_id.phone",
        "ticket_id.commercial_partner_id.mobile",
    )
    def _compute_call_phone(self):
        for visit in self:
            ticket = visit.ticket_id
            people = ticket.contact_id | visit.partner_id | ticket.partner_id | ticket.commercial_partner_id
            visit.call_phone = next((p.mobile or p.phone for p in people if p.mobile or p.phone), False)

    @api.depends("scheduled_start")
    @api.depends_context("tz")
    def _compute_day_label(self):
        today = fields.Date.context_today(self)
        for visit in self:
            if not visit.scheduled_start:
                visit.day_label = False
                continue
            day = fields.Date.context_today(visit, visit.scheduled_start)
            if day == today:
                visit.day_label = _("Today")
            elif day == today + timedelta(days=1):
                visit.day_label = _("Tomorrow")
            else:
                visit.day_label = format_date(self.env, day, date_format="EEE d MMM")

    @api.model
    def action_open_landing(self):
        """Where the After-Sales app opens: a technician who takes no customer requests lands on his
        visits of the day; the others on the tickets."""
        user = self.env.user
        if (
            user.has_group(TECHNICIAN_GROUP)
            and not user.has_group(AGENT_GROUP)
            and not user.has_group(ACCOUNTANT_GROUP)
        ):
            return self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action_my")
        return self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
