from odoo import api, fields, models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"

    warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_warranty_id",
        help="The warranty of the serial number: the one that runs, else the latest.",
    )
    warranty_state = fields.Selection(
        lambda self: self.env["aftersales.warranty"]._fields["state"].selection,
        string="Warranty Status",
        compute="_compute_warranty_id",
    )
    warranty_end_date = fields.Date(string="Warranty End", compute="_compute_warranty_id")
    visit_line_ids = fields.Many2many(
        "aftersales.visit.line",
        string="Fees and Coverage",
        compute="_compute_visit_line_ids",
        help="The billable lines of the ticket's visits, with who pays each of them.",
    )
    warranty_covered_amount = fields.Monetary(
        string="Covered by Warranty",
        compute="_compute_visit_line_ids",
        currency_field="warranty_currency_id",
        help="What the customer would have paid for the fees covered by the warranty.",
    )
    warranty_currency_id = fields.Many2one("res.currency", compute="_compute_visit_line_ids")

    contract_id = fields.Many2one(
        "aftersales.contract",
        string="Service Contract",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The running contract that covers the serial number or the service address.",
    )

    @api.depends("lot_id")
    def _compute_warranty_id(self):
        # the warranties of the serial numbers the user may read only
        lots = self._readable_lots()
        warranties = (
            self.env["aftersales.warranty"].sudo().search([("lot_id", "in", lots.ids)], order="end_date desc, id desc")
        )
        for ticket in self:
            candidates = warranties.filtered(lambda w, lot=ticket.lot_id & lots: lot and w.lot_id == lot)
            running = candidates.filtered(lambda w: w.state == "active")
            warranty = (running or candidates)[:1]
            ticket.warranty_id = warranty.sudo(False)
            ticket.warranty_state = warranty.state
            ticket.warranty_end_date = warranty.end_date

    @api.depends("visit_ids.line_ids.coverage", "visit_ids.line_ids.covered_amount")
    def _compute_visit_line_ids(self):
        for ticket in self:
            lines = ticket.visit_ids.line_ids
            ticket.visit_line_ids = lines
            ticket.warranty_currency_id = lines.currency_id[:1] or ticket.company_id.currency_id
            ticket.warranty_covered_amount = sum(
                lines.filtered(lambda line: line.coverage == "warranty").mapped("covered_amount")
            )

    @api.depends("lot_id", "partner_id")
    def _compute_contract_id(self):
        todo = self.filtered(lambda t: not (t.is_closed and t.contract_id))
        if not todo.lot_id and not todo.partner_id:
            todo.contract_id = False
            return
        # one search for the whole batch, the choice per ticket in memory
        contracts = (
            self.env["aftersales.contract"]
            .sudo()
            .search(
                [
                    ("state", "in", ("running", "to_renew")),
                    "|",
                    ("lot_ids", "in", todo.lot_id.ids),
                    ("site_partner_ids", "in", todo.partner_id.ids),
                ],
                order="end_date desc, id desc",
            )
        )
        today = fields.Date.context_today(self)
        for ticket in todo:
            on_date = fields.Date.context_today(ticket, ticket.request_date) if ticket.request_date else today
            ticket.contract_id = contracts._aftersales_pick(ticket.lot_id, ticket.partner_id, on_date).sudo(False)

    @api.depends("contract_id.sla_policy_id")
    def _compute_sla_policy_id(self):
        result = super()._compute_sla_policy_id()
        for ticket in self:
            if ticket.is_closed and ticket.sla_policy_id:
                continue
            policy = ticket.contract_id.sudo().sla_policy_id
            if policy:
                ticket.sla_policy_id = policy
        return result
