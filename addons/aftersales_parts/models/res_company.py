from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_rma_approval_amount = fields.Monetary(
        string="Return Refund Approval Threshold",
        currency_field="currency_id",
        help="A return whose refund exceeds this amount (taxes included) is approved by an after-sales manager "
        "or accountant. 0 means any after-sales user approves.",
    )
    aftersales_rma_post_refund = fields.Boolean(
        string="Post Return Credit Notes",
        help="Post the credit notes of returns at once instead of leaving them in draft.",
    )
    aftersales_rma_repair_mode = fields.Selection(
        [("ticket", "Service Ticket"), ("order", "Repair Order")],
        string="Repair Returned Units By",
        required=True,
        default="ticket",
        help="How a returned unit inspected 'to repair' is repaired: a repair ticket of the after-sales team, "
        "or a repair order of the warehouse that sends the unit back to the customer once it is repaired.",
    )
