"""The field service of a ticket: its visits, the service order their fees go to, and the follow-up
calls that may have to be made before it closes."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# kept by the visits and their billing, never written by a client
VISIT_GUARDED_FIELDS = frozenset({"visit_active_count", "visit_done_count", "fee_order_id"})


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    visit_ids = fields.One2many("aftersales.visit", "ticket_id", string="Visits")
    fee_order_id = fields.Many2one(
        "sale.order",
        string="Service Order",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        help="The sale order the fees of the visits go to; a new one is made when it can no longer be changed.",
    )
    fee_order_count = fields.Integer(string="Service Orders", compute="_compute_fee_order_count")
    visit_count = fields.Integer(compute="_compute_visit_count")
    # kept on the ticket for the KPIs, which read a million tickets without counting their visits
    visit_active_count = fields.Integer(
        string="Visits not Cancelled",
        compute="_compute_visit_kpi_counts",
        store=True,
        precompute=True,
        help="The visits of this ticket planned, under way or done.",
    )
    visit_done_count = fields.Integer(
        string="Visits Done",
        compute="_compute_visit_kpi_counts",
        store=True,
        precompute=True,
    )
    followup_ids = fields.One2many(
        "aftersales.followup",
        "ticket_id",
        string="Follow-up Calls",
        groups="aftersales_service.aftersales_service_group_user",
    )
    followup_count = fields.Integer(string="Follow-ups", compute="_compute_followup_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    def _compute_visit_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.visit_count = counts.get(ticket, 0)

    @api.depends("visit_ids.state")
    def _compute_visit_kpi_counts(self):
        for ticket in self:
            states = ticket.visit_ids.mapped("state")
            ticket.visit_active_count = sum(state != "cancel" for state in states)
            ticket.visit_done_count = states.count("done")

    def _compute_followup_count(self):
        counts = dict(
            self.env["aftersales.followup"]
            .sudo()
            ._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.followup_count = counts.get(ticket, 0)

    @api.depends("fee_order_id", "visit_ids.line_ids.sale_line_ids")
    def _compute_fee_order_count(self):
        for ticket in self:
            ticket.fee_order_count = len(ticket.visit_ids.line_ids.sale_line_ids.order_id | ticket.fee_order_id)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | VISIT_GUARDED_FIELDS

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_followup_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {
            "default_ticket_id": self.id,
            "default_user_id": (self.user_id or self.team_id.user_id or self.env.user).id,
        }
        return action

    def action_view_fee_order(self):
        self.ensure_one()
        orders = self.visit_ids.line_ids.sale_line_ids.order_id | self.fee_order_id
        if len(orders) == 1:
            return orders.get_formview_action()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _fee_order(self):
        """The service order the next fees go to: the current one while lines can still be
        added to it, otherwise a new order for the customer, in its pricelist."""
        self.ensure_one()
        order = self.fee_order_id
        if order and order.state in ("draft", "sent", "sale") and not order.locked:
            return order
        if not self.partner_id:
            raise UserError(
                _("Set the customer of ticket %(ticket)s before billing its visits.", ticket=self.reference)
            )
        order = self.env["sale.order"].create(self._prepare_fee_order_vals())
        with self._unguard("fee_order_id"):
            self.fee_order_id = order
        return order

    def _prepare_fee_order_vals(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "pricelist_id": partner.property_product_pricelist.id,
            "origin": self.reference,
            "client_order_ref": self.name,
        }

    def _check_followup_before_closing(self, ticket_type_id=None):
        """A ticket whose type requires a follow-up call closes only once the last call is done with
        the problem solved, or cancelled with a reason, and no other call is still planned."""
        ticket_type = self.env["aftersales.ticket.type"].browse(ticket_type_id) if ticket_type_id else None
        for ticket in self:
            if not (ticket_type or ticket.ticket_type_id).followup_required:
                continue
            followups = ticket.sudo().followup_ids.filtered(lambda f: f.kind == "after_service").sorted("id")
            last = followups[-1:]
            if (
                not last
                or "planned" in followups.mapped("state")
                or (last.state == "done" and last.problem_solved != "yes")
            ):
                raise UserError(
                    _(
                        "Ticket %(ticket)s needs a follow-up call before it can be closed: record the call with the "
                        "problem solved, or cancel the planned call with a reason.",
                        ticket=ticket.display_name,
                    )
                )
