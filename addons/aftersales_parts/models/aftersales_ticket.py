from odoo import _, fields, models
from odoo.exceptions import UserError


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"

    rma_ids = fields.One2many("aftersales.rma", "ticket_id", string="Returns")
    rma_count = fields.Integer(compute="_compute_rma_count", string="Return Count")
    carry_in_ids = fields.One2many("aftersales.carry.in", "ticket_id", string="Carry-in Repairs")
    carry_in_count = fields.Integer(compute="_compute_carry_in_count", string="Carry-in Count")
    carry_in_open = fields.Boolean(
        compute="_compute_carry_in_count",
        string="Unit at the Service Centre",
        help="The ticket's unit is at the service centre: a carry-in repair of the ticket is not collected yet.",
    )

    def _compute_rma_count(self):
        counts = dict(
            self.env["aftersales.rma"]._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.rma_count = counts.get(ticket, 0)

    def _compute_carry_in_count(self):
        CarryIn = self.env["aftersales.carry.in"]
        counts = dict(CarryIn._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"]))
        open_domain = [("ticket_id", "in", self.ids), ("state", "not in", ("collected", "cancel"))]
        open_counts = dict(CarryIn._read_group(open_domain, ["ticket_id"], ["__count"]))
        for ticket in self:
            ticket.carry_in_count = counts.get(ticket, 0)
            ticket.carry_in_open = bool(open_counts.get(ticket))

    def action_view_aftersales_rmas(self):
        self.ensure_one()
        action = self.env["aftersales.rma"]._action_list(
            [("ticket_id", "=", self.id)], ticket_id=self.id, partner_id=self.partner_id.id
        )
        action["name"] = _("Returns of %(ticket)s", ticket=self.reference)
        return action

    def action_aftersales_new_rma(self):
        self.ensure_one()
        return self.env["aftersales.rma"]._action_new(
            ticket_id=self.id,
            partner_id=self.partner_id.id,
            sale_order_id=self.sale_order_id.id,
            company_id=self.company_id.id,
        )

    def action_receive_unit(self):
        """Open a new carry-in repair of the ticket's unit, at the counter."""
        self.ensure_one()
        self.env["aftersales.carry.in"].check_access("create")
        if not self.partner_id:
            raise UserError(
                _("Set the customer of ticket %(ticket)s before receiving their unit.", ticket=self.reference)
            )
        open_stay = self.env["aftersales.carry.in"].search(
            [("ticket_id", "=", self.id), ("state", "not in", ("collected", "cancel"))], limit=1
        )
        if open_stay:
            raise UserError(
                _(
                    "Ticket %(ticket)s already has a unit at the service centre (%(carry_in)s): hand it over or "
                    "cancel it before receiving another.",
                    ticket=self.reference,
                    carry_in=open_stay[0].name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": _("Receive the Unit"),
            "res_model": "aftersales.carry.in",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_ticket_id": self.id},
        }

    def action_view_carry_ins(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_carry_in_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id, "create": False}
        if len(self.carry_in_ids) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": self.carry_in_ids.id})
        return action
