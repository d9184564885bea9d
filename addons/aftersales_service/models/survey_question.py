from odoo import fields, models

CSAT_ROLES = [
    ("overall", "Overall Score"),
    ("solved", "Problem Solved"),
    ("conduct", "Technician's Conduct"),
    ("comment", "Comments"),
]


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    aftersales_csat_role = fields.Selection(
        CSAT_ROLES,
        string="After-Sales Measure",
        help="What this question measures when the survey rates an after-sales service. Overall score and "
        "technician's conduct: the score of the chosen answer (1 to 5). Problem solved: an answer with a "
        "positive score means yes, any other answer no. Comments: the text of the answer.",
    )
