from odoo import models


class AftersalesVisitLineCommission(models.Model):
    _inherit = "aftersales.visit.line"  # pylint: disable=consider-merging-classes-inherited

    def _covered_value(self):
        """What the customer would have paid for this line if a warranty or a service contract did
        not pay it, in the line's currency; 0 for a line the customer pays.

        Extension point of the coverage: the addon that decides who pays a fee overrides it. The
        commission rules that count covered fees (``covered_base``) add it to what the visit bills.
        """
        self.ensure_one()
        return 0.0
