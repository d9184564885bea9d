from odoo import models


class AftersalesVisitLine(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "aftersales.visit.line"

    def _covered_value(self):
        """A fee paid by a warranty or a service contract is worth what the customer would have paid."""
        self.ensure_one()
        return self.covered_amount
