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

    @api.depends("lot_id")
    def _compute_warranty_id(self):
        warranties = (
            self.env["aftersales.warranty"]
            .sudo()
            .search([("lot_id", "in", self.lot_id.ids)], order="end_date desc, id desc")
        )
        for ticket in self:
            candidates = warranties.filtered(lambda w, lot=ticket.lot_id: w.lot_id == lot)
            running = candidates.filtered(lambda w: w.state == "active")
            warranty = (running or candidates)[:1]
            ticket.warranty_id = warranty.sudo(False)
            ticket.warranty_state = warranty.state
            ticket.warranty_end_date = warranty.end_date
