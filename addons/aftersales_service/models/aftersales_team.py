import ast

from odoo import api, fields, models


class AftersalesTeam(models.Model):
    _name = "aftersales.team"
    _description = "After-Sales Team"
    _inherit = ["mail.alias.mixin.optional"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    branch_id = fields.Many2one(
        "aftersales.branch",
        index="btree_not_null",
        check_company=True,
        help="The service centre the team works for: its new tickets go to this branch.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Receives the escalation activities of the team's breached tickets.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "aftersales_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    ticket_ids = fields.One2many("aftersales.ticket", "team_id", string="Tickets")
    open_ticket_count = fields.Integer(compute="_compute_open_ticket_count")
    csat_survey_id = fields.Many2one(
        "survey.survey",
        string="Satisfaction Survey",
        domain="[('active', '=', True), ('access_mode', 'in', ('public', 'token'))]",
        help="Sent to the customers of the team's tickets whose type has no survey; else the company's survey.",
    )
    csat_avg = fields.Float(
        string="Average CSAT",
        compute="_compute_csat",
        store=True,
        aggregator="avg",
        digits=(3, 2),
        help="The average overall score (1 to 5) of the team's rated tickets.",
    )
    csat_count = fields.Integer(string="Rated Tickets", compute="_compute_csat", store=True)

    def _compute_open_ticket_count(self):
        counts = dict(
            self.env["aftersales.ticket"]._read_group(
                [("team_id", "in", self.ids), ("is_closed", "=", False)],
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.open_ticket_count = counts.get(team, 0)

    @api.depends("ticket_ids.csat_score")
    def _compute_csat(self):
        stats = {
            team: (average, count)
            for team, average, count in self.env["aftersales.ticket"]
            .with_context(active_test=False)
            ._read_group(
                [("team_id", "in", self.ids), ("csat_score", ">", 0)],
                ["team_id"],
                ["csat_score:avg", "__count"],
            )
        }
        for team in self:
            team.csat_avg, team.csat_count = stats.get(team, (0.0, 0))

    @api.constrains("branch_id", "company_id")
    def _check_branch_company(self):
        self.env["aftersales.branch"]._check_branch_company(self)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("branch_id"):
            # the team's tickets still in no branch join the team's branch
            self.env["aftersales.ticket"].with_context(active_test=False).search(
                [("team_id", "in", self.ids), ("branch_id", "=", False)]
            ).write({"branch_id": vals["branch_id"]})
        return result

    def unlink(self):
        result = super().unlink()
        # a stage of these teams only now serves every team: the cached default stages may change
        self.env.registry.clear_cache()
        return result

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("aftersales.ticket")
        if self.id:
            values["alias_defaults"] = defaults = ast.literal_eval(self.alias_defaults or "{}")
            defaults["team_id"] = self.id
            defaults.setdefault("channel", "email")
        return values

    @api.model
    def _default_team(self):
        """The first team of the current user in the current company, else the first one."""
        teams = self.search([("company_id", "in", self.env.companies.ids)])
        branches = self.env.user._aftersales_branches()
        if branches:
            teams = teams.filtered(lambda team: team.branch_id in branches) or teams
        return teams.filtered(lambda team: self.env.user in team.member_ids | team.user_id)[:1] or teams[:1]

    def action_view_csat_answers(self):
        self.ensure_one()
        return self.env["survey.user_input"]._aftersales_csat_action([("aftersales_team_id", "=", self.id)])

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id, "search_default_filter_open": 1}
        return action
