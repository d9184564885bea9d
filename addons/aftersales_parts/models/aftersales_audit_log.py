from odoo import fields, models


class AftersalesAuditLog(models.Model):
    _inherit = "aftersales.audit.log"

    action = fields.Selection(
        selection_add=[
            ("rma_approved_over_limit", "Return Approved Above the Limit"),
            ("rma_cs_approved", "Return Approved by Customer Service"),
            ("rma_finance_approved", "Return Refund Approved by Finance"),
            ("rma_refund", "Return Refunded"),
            ("rma_refund_uninspected", "Return Refunded Before Inspection"),
            ("rma_vendor_refund", "Vendor Credit Note Asked"),
        ],
        ondelete={
            "rma_approved_over_limit": "set other",
            "rma_cs_approved": "set other",
            "rma_finance_approved": "set other",
            "rma_refund": "set other",
            "rma_refund_uninspected": "set other",
            "rma_vendor_refund": "set other",
        },
    )
