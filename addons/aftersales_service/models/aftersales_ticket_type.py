from odoo import fields, models


class AftersalesTicketType(models.Model):
    _name = "aftersales.ticket.type"
    _description = "Service Ticket Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text(translate=True)
    followup_required = fields.Boolean(
        string="Requires Follow-up",
        help="An installation or repair visit done on a ticket of this type plans a follow-up call, and the "
        "ticket can be closed only once that call is done (or cancelled with a reason).",
    )
    followup_delay = fields.Integer(
        string="Follow-up after (days)",
        default=3,
        help="How many days after the visit is done the follow-up call is planned.",
    )
    csat_survey_id = fields.Many2one(
        "survey.survey",
        string="Satisfaction Survey",
        domain="[('active', '=', True), ('access_mode', 'in', ('public', 'token'))]",
        help="Sent to the customers of this type's tickets; before the team's survey and the company's.",
    )

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A ticket type with this name already exists."),
        ("followup_delay_positive", "CHECK (followup_delay >= 0)", "The follow-up delay cannot be negative."),
    ]
