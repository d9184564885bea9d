from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AftersalesTechnician(models.Model):
    _name = "aftersales.technician"
    _description = "Technician"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    user_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('share', '=', False)]",
        tracking=True,
    )
    name = fields.Char(related="user_id.name", store=True, readonly=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    branch_id = fields.Many2one(
        "aftersales.branch",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="The service centre the technician works for.",
    )
    skill_ids = fields.One2many("aftersales.technician.skill", "technician_id", string="Skills")
    zone_ids = fields.Many2many("aftersales.zone", string="Service Zones", check_company=True, tracking=True)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Visits are planned inside these hours, without the public holidays of this calendar and "
        "the time off of the technician's user.",
        tracking=True,
    )
    daily_capacity = fields.Integer(
        string="Visits per Day", default=6, tracking=True, help="The most visits planned on one day."
    )
    home_partner_id = fields.Many2one(
        "res.partner",
        string="Home Base",
        check_company=True,
        help="Where the technician's day starts; its coordinates measure the first trip.",
        tracking=True,
    )
    visit_ids = fields.One2many("aftersales.visit", "technician_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")
    csat_answer_ids = fields.One2many("survey.user_input", "aftersales_technician_id", string="Satisfaction Answers")
    csat_avg = fields.Float(
        string="Average CSAT",
        compute="_compute_csat",
        store=True,
        aggregator="avg",
        digits=(3, 2),
        help="The average overall score (1 to 5) the customers gave after this technician's services.",
    )
    csat_conduct_avg = fields.Float(
        string="Average Conduct",
        compute="_compute_csat",
        store=True,
        aggregator="avg",
        digits=(3, 2),
        help="The average score (1 to 5) the customers gave to this technician's conduct.",
    )
    csat_count = fields.Integer(string="Satisfaction Answers Count", compute="_compute_csat", store=True)

    _sql_constraints = [
        ("user_company_uniq", "unique (user_id, company_id)", "This user is already a technician of the company."),
    ]

    def _compute_visit_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group(
                [("technician_id", "in", self.ids), ("state", "not in", ("done", "cancel"))],
                ["technician_id"],
                ["__count"],
            )
        )
        for technician in self:
            technician.visit_count = counts.get(technician, 0)

    @api.depends(
        "csat_answer_ids.state", "csat_answer_ids.aftersales_overall_score", "csat_answer_ids.aftersales_conduct_score"
    )
    def _compute_csat(self):
        Answer = self.env["survey.user_input"]
        base = [("aftersales_technician_id", "in", self.ids), ("state", "=", "done")]
        overall = {
            technician: (average, count)
            for technician, average, count in Answer._read_group(
                [*base, ("aftersales_overall_score", ">", 0)],
                ["aftersales_technician_id"],
                ["aftersales_overall_score:avg", "__count"],
            )
        }
        conduct = dict(
            Answer._read_group(
                [*base, ("aftersales_conduct_score", ">", 0)],
                ["aftersales_technician_id"],
                ["aftersales_conduct_score:avg"],
            )
        )
        for technician in self:
            technician.csat_avg, technician.csat_count = overall.get(technician, (0.0, 0))
            technician.csat_conduct_avg = conduct.get(technician, 0.0)

    @api.constrains("daily_capacity")
    def _check_daily_capacity(self):
        for technician in self:
            if technician.daily_capacity <= 0:
                raise ValidationError(
                    _("%(technician)s must be able to make at least one visit a day.", technician=technician.name)
                )

    @api.constrains("branch_id", "company_id")
    def _check_branch_company(self):
        self.env["aftersales.branch"]._check_branch_company(self)

    def _skill_level(self, category, ticket_type):
        """The technician's best level for a product category and a ticket type (0: none)."""
        self.ensure_one()
        levels = [int(skill.level) for skill in self.skill_ids if skill._matches(category, ticket_type)]
        return max(levels, default=0)

    def _covers(self, partner):
        """Whether one of the technician's zones covers ``partner``'s address."""
        self.ensure_one()
        return any(zone._covers(partner) for zone in self.zone_ids)

    def _time_off(self, start, end):
        """The time off of each technician between ``start`` and ``end`` (naive UTC).

        Time off is a leave of type "Time Off" of the resource of the technician's
        user in the technician's company (an employee's time off lands there); the
        leaves without a resource are already out of the working-hours calendar's
        work intervals. Read for the whole batch in two queries.

        Returns ``{technician id: [(start, end)]}``, naive UTC, sorted by start.
        """
        time_off = defaultdict(list)
        if not self:
            return time_off
        # Odoo shows a user's time off to that user alone: read the dates of the
        # time off of the technicians the current user may see.
        self.check_access("read")
        resources = (
            self.env["resource.resource"]
            .sudo()
            .search_fetch(
                [("user_id", "in", self.user_id.ids), ("company_id", "in", self.company_id.ids)],
                ["user_id", "company_id"],
            )
        )
        if not resources:
            return time_off
        technicians_by_user = defaultdict(list)  # (user id, company id) -> technician ids
        for technician in self:
            technicians_by_user[technician.user_id.id, technician.company_id.id].append(technician.id)
        technicians_by_resource = {
            resource.id: technicians_by_user[resource.user_id.id, resource.company_id.id] for resource in resources
        }
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "in", list(technicians_by_resource)),
                    ("time_type", "=", "leave"),
                    ("date_from", "<", end),
                    ("date_to", ">", start),
                ],
                ["resource_id", "date_from", "date_to"],
                order="date_from, id",
            )
        )
        for leave in leaves:
            for technician_id in technicians_by_resource[leave.resource_id.id]:
                time_off[technician_id].append((leave.date_from, leave.date_to))
        return time_off

    def action_view_csat_answers(self):
        self.ensure_one()
        return self.env["survey.user_input"]._aftersales_csat_action([("aftersales_technician_id", "=", self.id)])

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("technician_id", "=", self.id)]
        action["context"] = {"default_technician_id": self.id}
        return action
