from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_notify_carry_in_ready = fields.Boolean(
        string="Tell Customers Their Unit Is Ready",
        default=True,
        help="E-mail the customer, with the link to the unit on the portal, when a unit left at the service "
        "centre is ready to be collected, repaired or returned unrepaired.",
    )
    aftersales_collect_days = fields.Integer(
        string="Collection Delay",
        default=30,
        help="Days a ready unit may wait at the service centre: after that it is flagged as not collected and "
        "its counter agent gets an activity to call the customer.",
    )
    aftersales_carry_in_hours = fields.Char(
        string="Pick-up Hours",
        translate=True,
        help="When customers may collect their units, as told in the ready notice (e.g. Monday to Friday, "
        "9:00 to 18:00).",
    )
    aftersales_carry_in_bring = fields.Char(
        string="What to Bring",
        translate=True,
        help="What the customer brings to collect the unit, as told in the ready notice (e.g. the receipt "
        "signed at the reception and an identity document).",
    )
