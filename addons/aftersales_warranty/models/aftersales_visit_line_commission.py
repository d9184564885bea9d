from odoo import models


class AftersalesVisitLineCommission(models.Model):
    _inherit = "aftersales.visit.line"  # pylint: disable=consider-merging-classes-inherited

    def _covered_value(self):
        """A fee paid by a warranty or a service contract is worth what the customer would have paid."""
        self.ensure_one()
        return self.covered_amount
