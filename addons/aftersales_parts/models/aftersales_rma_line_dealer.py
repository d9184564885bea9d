from odoo import fields, models

from .aftersales_rma_dealer import DEALER_REASONS


class AftersalesRmaLineDealer(models.Model):
    _inherit = "aftersales.rma.line"  # pylint: disable=consider-merging-classes-inherited

    dealer_reason = fields.Selection(
        DEALER_REASONS,
        string="Dealer's Reason",
        help="Why a dealer sends the unit back: a unit a customer of the dealer returned to it, or a unit of "
        "its unsold stock that failed.",
    )
