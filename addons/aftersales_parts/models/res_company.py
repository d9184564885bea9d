from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_rma_approval_amount = fields.Monetary(
        string="Return Refund Approval Threshold",
        currency_field="currency_id",
        help="A return whose refund exceeds this amount (taxes included) is approved by an after-sales manager "
        "or accountant (in two steps: after customer service, by finance). 0 means any after-sales user approves.",
    )
    aftersales_rma_staged_approval = fields.Boolean(
        string="Approve Returns in Two Steps",
        help="Customer service approves the returns first; those whose refund exceeds the approval threshold "
        "then wait for an after-sales accountant or manager, someone else than who approved them first "
        "(a manager may take both steps). The goods are received once both steps are done.",
    )
    aftersales_rma_notify_customer = fields.Boolean(
        string="E-mail Customers About Their Returns",
        default=True,
        help="Tell customers by e-mail, with the link to their return on the portal, when their return is "
        "approved, rejected, received and refunded.",
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
