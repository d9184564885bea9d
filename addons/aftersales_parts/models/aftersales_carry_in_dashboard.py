from odoo import api, fields, models

from .aftersales_carry_in import IN_CENTRE_STATES

USER_GROUP = "aftersales_service.aftersales_service_group_user"
TECHNICIAN_GROUP = "aftersales_service.aftersales_service_group_technician"


class AftersalesCarryIn(models.Model):
    """What the counter's screens need: the stages as kanban columns, the ageing of the units and
    the stay's length for the reports."""

    _inherit = "aftersales.carry.in"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(group_expand="_read_group_expand_states")
    days_in_centre = fields.Integer(string="Days in the Centre")
    stay_days = fields.Integer(
        string="Stay (days)",
        compute="_compute_stay_days",
        store=True,
        aggregator="avg",
        help="Days between the reception of the unit and its collection, once collected: the average shows "
        "how long units stay in the centre.",
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still not ready after the day the customer was told to come back.",
    )
    product_image = fields.Image(related="product_id.image_128", string="Unit Image")
    technician_user_id = fields.Many2one(
        related="visit_id.technician_id.user_id", string="Technician User", help="For the technician's avatar."
    )

    @api.depends("received_date", "collected_date")
    def _compute_stay_days(self):
        for carry_in in self:
            if carry_in.received_date and carry_in.collected_date:
                carry_in.stay_days = (carry_in.collected_date - carry_in.received_date).days
            else:
                carry_in.stay_days = 0

    @api.depends("expected_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for carry_in in self:
            carry_in.is_overdue = bool(
                carry_in.expected_date
                and carry_in.expected_date < today
                and carry_in.state in IN_CENTRE_STATES
                and carry_in.state != "ready"
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = [
            ("expected_date", "<", fields.Date.context_today(self)),
            ("state", "in", [state for state in IN_CENTRE_STATES if state != "ready"]),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model
    def _read_group_expand_states(self, states, domain):
        """The kanban shows a column for every stage of a unit in the centre, empty or not, in the
        order of the flow; the other stages only when some unit is there. A workshop technician's
        board starts at the diagnosis: a unit becomes his once it is received."""
        expanded = set(IN_CENTRE_STATES)
        user = self.env.user
        if user.has_group(TECHNICIAN_GROUP) and not user.has_group(USER_GROUP):
            expanded.discard("received")
        return [state for state, _label in self._fields["state"].selection if state in expanded or state in states]
