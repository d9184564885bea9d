from odoo import fields, models


class AftersalesRmaAddSerialsRefusal(models.TransientModel):
    _name = "aftersales.rma.add.serials.refusal"
    _description = "Serial Number Refused on a Dealer Return"

    wizard_id = fields.Many2one("aftersales.rma.add.serials", required=True, ondelete="cascade")
    serial = fields.Char(string="Serial Number", readonly=True)
    reason = fields.Char(string="Why", readonly=True)
