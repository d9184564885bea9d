from odoo import fields, models


class AftersalesAuditLog(models.Model):
    _inherit = "aftersales.audit.log"

    action = fields.Selection(
        selection_add=[
            ("coverage_override", "Coverage Override"),
            ("warranty_voided", "Warranty Voided by Hand"),
            ("warranty_extended", "Warranty Extended by Hand"),
        ],
        ondelete={
            "coverage_override": "set other",
            "warranty_voided": "set other",
            "warranty_extended": "set other",
        },
    )
