from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # a credit note that refunds an extended warranty cancels it
        for line in posted.filtered(lambda m: m.move_type == "out_refund").invoice_line_ids:
            for sale_line in line.sale_line_ids.filtered("aftersales_is_extension"):
                quantity = line.product_uom_id._compute_quantity(line.quantity, sale_line.product_uom)
                sale_line.sudo()._aftersales_refund_extensions(quantity)
        return posted
