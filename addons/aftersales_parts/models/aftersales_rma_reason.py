from odoo import fields, models


class AftersalesRmaReason(models.Model):
    _name = "aftersales.rma.reason"
    _description = "Return Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True, help="When to use this reason, as shown to the team.")

    _sql_constraints = [
        ("name_uniq", "unique(name)", "A return reason with this name already exists."),
    ]
