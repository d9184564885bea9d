from odoo import api, models


class AftersalesFollowup(models.Model):
    _inherit = "aftersales.followup"

    @api.model
    def _plan_for_visits(self, visits):
        # the call after a workshop job follows the pick-up of the unit, not the end of the job
        return super()._plan_for_visits(visits - visits._awaiting_hand_over())
