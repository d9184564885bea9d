from odoo import fields, models


class AftersalesAuditLog(models.Model):
    _inherit = "aftersales.audit.log"

    action = fields.Selection(
        selection_add=[
            ("coverage_override", "Coverage Override"),
            ("warranty_voided", "Warranty Voided by Hand"),
            ("warranty_extended", "Warranty Extended by Hand"),
            ("warranty_terms_applied", "Policy Terms Applied to a Warranty"),
            ("warranty_extension_added", "Extended Warranty Added"),
        ],
        ondelete={
            "coverage_override": "set other",
            "warranty_voided": "set other",
            "warranty_extended": "set other",
            "warranty_terms_applied": "set other",
            "warranty_extension_added": "set other",
        },
    )
