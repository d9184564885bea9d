from odoo import models


class AftersalesVisitPlan(models.TransientModel):
    _inherit = "aftersales.visit.plan"

    def _find_visits(self):
        # the workshop jobs are given to the workshop technicians, never planned on a route
        return super()._find_visits().filtered(lambda visit: not visit.workshop)
