from odoo import fields, models


class AftersalesTicketStage(models.Model):
    _name = "aftersales.ticket.stage"
    _description = "Service Ticket Stage"
    _inherit = ["aftersales.cached.mixin"]  # the default stage of each team is cached
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Folded stages are collapsed in the kanban view of the tickets.",
    )
    is_closed = fields.Boolean(
        string="Closing Stage",
        help="Tickets in this stage are solved: a resolution is required to reach it and the SLA clock stops.",
    )
    sla_pause = fields.Boolean(
        string="Pauses the SLA",
        help="While a ticket stays in this stage (e.g. waiting for the customer) the SLA "
        "clock stops, and its deadlines move by the paused working time.",
    )
    team_ids = fields.Many2many(
        "aftersales.team",
        string="Teams",
        help="Teams using this stage. Leave empty to use it for every team.",
    )
    description = fields.Text(translate=True)
