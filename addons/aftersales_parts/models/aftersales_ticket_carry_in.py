from odoo import models


class AftersalesTicket(models.Model):
    _inherit = "aftersales.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _send_csat_survey(self, trigger, visit=None):
        # the survey after a workshop job is sent at the pick-up of the unit, not at the end of the job
        if trigger == "visit_done" and visit and visit._awaiting_hand_over():
            return self.env["survey.user_input"]
        return super()._send_csat_survey(trigger, visit=visit)
