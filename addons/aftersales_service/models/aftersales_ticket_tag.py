from random import randint

from odoo import fields, models


class AftersalesTicketTag(models.Model):
    _name = "aftersales.ticket.tag"
    _description = "Service Ticket Tag"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=_default_color)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A tag with this name already exists."),
    ]
