from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    aftersales_workshop_visit_type_id = fields.Many2one(
        "aftersales.visit.type",
        string="Workshop Visit Type",
        help="The type of the workshop jobs on the units customers leave at the service centre: its duration, "
        "skill level, fee products and checklist.",
    )
    aftersales_diagnosis_fee_product_id = fields.Many2one(
        "product.product",
        string="Diagnosis Fee",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Billed on the ticket's service order when the customer refuses the estimate of a carry-in repair. "
        "Leave empty to charge nothing.",
    )

    @api.model
    def _aftersales_install_workshop_settings(self):
        """Give every company the workshop visit type of the data (called on install)."""
        visit_type = self.env.ref("aftersales_parts.visit_type_workshop", raise_if_not_found=False)
        if visit_type:
            self.sudo().search([("aftersales_workshop_visit_type_id", "=", False)]).write(
                {"aftersales_workshop_visit_type_id": visit_type.id}
            )
