# The renewal of a service contract sold on its renewal quotation.
from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    aftersales_renewed_contract_id = fields.Many2one(
        "aftersales.contract",
        string="Renewed Contract",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The service contract whose next term this line sells: confirmed, the next contract starts "
        "the day after it ends.",
    )

    def _aftersales_renew_contracts(self):
        """Start the next term of the contracts these confirmed lines renew (once)."""
        lines = self.sudo().filtered("aftersales_renewed_contract_id")
        if not lines:
            return self.env["aftersales.contract"]
        # a consequence of the confirmed order, whoever confirmed it
        return self.env["aftersales.contract"].sudo()._renew_from_sale_lines(lines)
