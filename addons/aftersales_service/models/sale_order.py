from odoo import _, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    aftersales_ticket_ids = fields.One2many("aftersales.ticket", "sale_order_id", string="Service Tickets")
    aftersales_ticket_count = fields.Integer(string="Service Ticket Count", compute="_compute_aftersales_ticket_count")
    aftersales_visit_ids = fields.Many2many(
        "aftersales.visit", string="Visits", compute="_compute_aftersales_visit_ids", help="The visits billed here."
    )
    aftersales_visit_count = fields.Integer(string="Visit Count", compute="_compute_aftersales_visit_ids")

    def _compute_aftersales_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_ticket_count = counts.get(order, 0)

    @api.depends("order_line.aftersales_visit_id")
    def _compute_aftersales_visit_ids(self):
        for order in self:
            order.aftersales_visit_ids = order.order_line.aftersales_visit_id
            order.aftersales_visit_count = len(order.aftersales_visit_ids)

    def action_view_aftersales_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("id", "in", self.aftersales_visit_ids.ids)]
        action["context"] = {"create": False}
        action["view_mode"] = "list,form"
        action["views"] = [(False, "list"), (False, "form")]
        action["name"] = _("Visits of %(order)s", order=self.name)
        return action

    def action_view_aftersales_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        action["name"] = _("Tickets of %(order)s", order=self.name)
        return action

    def _aftersales_send_quotation(self):
        """Send these quotations to their customers with Odoo's quotation e-mail, as the Send
        button does, and mark them sent. Called by the after-sales actions after their own checks
        (a visit's quotation, a contract's renewal)."""
        for order in self.sudo():
            if order.require_payment and not order._aftersales_can_pay_online():
                # nothing to pay with on the portal: the customer accepts by signing, never stuck
                order.write({"require_payment": False, "require_signature": True})
            order._portal_ensure_token()
            template = order._find_mail_template()
            if not template:
                order.action_quotation_sent()
                continue
            order.with_context(mark_so_as_sent=True).message_post_with_source(
                template,
                email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _aftersales_can_pay_online(self):
        """Whether the customer of this quotation can pay it on the portal: a payment provider is
        enabled (or in test mode) for its company."""
        self.ensure_one()
        return bool(
            self.env["payment.provider"]
            .sudo()
            .search_count([("state", "in", ("enabled", "test")), ("company_id", "=", self.company_id.id)], limit=1)
        )
