from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

CALL_TARGETS = [
    ("dealer", "Dealer"),
    ("service_partner", "Service Partner"),
    ("branch", "Service Point"),
    ("customer", "Key Customer"),
]


class AftersalesCallRule(models.Model):
    """The customer-relations team's periodic calls to the network: every ``interval_weeks`` weeks, one
    call to each dealer, service partner, service point or key customer the rule names. A daily cron plans
    the calls (:meth:`_cron_plan_network_calls`); recording a call plans the next one."""

    _name = "aftersales.call.rule"
    _description = "Network Call Rule"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    target_type = fields.Selection(
        CALL_TARGETS,
        string="Who Is Called",
        required=True,
        default="dealer",
        help="Dealers and service partners are the companies flagged as such; service points are the branches "
        "of that type (called at the branch's address, else its manager); key customers are the customers of a "
        "tag or of a chosen list.",
    )
    branch_ids = fields.Many2many(
        "aftersales.branch",
        string="Branches",
        check_company=True,
        help="The branches called; leave empty to call every service point of the company.",
    )
    category_id = fields.Many2one(
        "res.partner.category", string="Customer Tag", help="Every customer with this tag is a key customer."
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "aftersales_call_rule_res_partner_rel",
        "rule_id",
        "partner_id",
        string="Chosen Customers",
        check_company=True,
        help="Key customers called besides those of the tag.",
    )
    interval_weeks = fields.Integer(
        string="Every (weeks)", required=True, default=4, help="Weeks between two calls to the same target."
    )
    date_start = fields.Date(
        string="First Call on",
        required=True,
        default=fields.Date.context_today,
        help="No call of the rule is planned before this date.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who makes the calls; leave empty to give them to the team's leader.",
    )
    team_id = fields.Many2one("aftersales.team", check_company=True)
    followup_ids = fields.One2many("aftersales.followup", "call_rule_id", string="Calls")
    followup_count = fields.Integer(string="Planned Calls", compute="_compute_followup_count")

    _sql_constraints = [
        ("interval_weeks_positive", "CHECK (interval_weeks > 0)", "A call rule repeats every one week or more."),
    ]

    def _compute_followup_count(self):
        counts = dict(
            self.env["aftersales.followup"]._read_group(
                [("call_rule_id", "in", self.ids), ("state", "=", "planned")], ["call_rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.followup_count = counts.get(rule, 0)

    @api.constrains("target_type", "category_id", "partner_ids")
    def _check_customers(self):
        for rule in self:
            if rule.target_type == "customer" and not (rule.category_id or rule.partner_ids):
                raise ValidationError(
                    _("Call rule %(rule)s calls key customers: choose a customer tag or customers.", rule=rule.name)
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_plan_calls(self):
        """Plan now the calls that are due (the cron does it every day)."""
        self.check_access("write")
        calls = self._plan_calls()
        if not calls:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"type": "info", "message": _("No call is due: every target has its call planned.")},
            }
        return self.action_view_calls()

    def action_view_calls(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_network_call_action")
        action["domain"] = [("call_rule_id", "in", self.ids)]
        return action

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------

    def _get_targets(self):
        """``{rule: [(partner, branch), ...]}``: whom each rule of ``self`` calls, one grouped search per kind
        of target. A branch is called at its address, else at its manager; a branch with neither is left out."""
        Partner = self.env["res.partner"]
        targets = {rule: [] for rule in self}
        companies = self.company_id
        for flag in ("dealer", "service_partner"):
            rules = self.filtered(lambda r, flag=flag: r.target_type == flag)
            if not rules:
                continue
            partners = Partner.search(
                [
                    (f"aftersales_{flag}", "=", True),
                    ("company_id", "in", [False, *companies.ids]),
                    "|",
                    ("is_company", "=", True),
                    ("parent_id", "=", False),
                ],
                order="name, id",
            )
            for rule in rules:
                targets[rule] = [
                    (partner, None)
                    for partner in partners
                    if not partner.company_id or partner.company_id == rule.company_id
                ]
        branch_rules = self.filtered(lambda r: r.target_type == "branch")
        if branch_rules:
            points = self.env["aftersales.branch"].search(
                [("company_id", "in", branch_rules.company_id.ids), ("branch_type", "=", "service_point")]
            )
            for rule in branch_rules:
                branches = rule.branch_ids.filtered("active") or points.filtered(
                    lambda b, rule=rule: b.company_id == rule.company_id
                )
                for branch in branches:
                    partner = branch.partner_id or branch.manager_id.partner_id
                    if partner:
                        targets[rule].append((partner, branch))
        customer_rules = self.filtered(lambda r: r.target_type == "customer")
        if customer_rules:
            tagged = (
                Partner.search([("category_id", "in", customer_rules.category_id.ids)])
                if any(customer_rules.category_id)
                else Partner
            )
            for rule in customer_rules:
                partners = rule.partner_ids | tagged.filtered(lambda p, rule=rule: rule.category_id in p.category_id)
                partners = partners.filtered(lambda p, rule=rule: not p.company_id or p.company_id == rule.company_id)
                targets[rule] = [(partner, None) for partner in partners.sorted(lambda p: (p.name or "", p.id))]
        return targets

    def _prepare_followup_vals(self, partner, branch, date_planned):
        """The network call planned by this rule to ``partner`` (at ``branch`` for a service point)."""
        self.ensure_one()
        return {
            "kind": "network",
            "call_rule_id": self.id,
            "target_type": self.target_type,
            "partner_id": partner.id,
            "branch_id": branch.id if branch else False,
            "company_id": self.company_id.id,
            "user_id": (self.user_id or self.team_id.user_id).id,
            "date_planned": date_planned,
        }

    def _plan_calls(self, today=None):
        """Plan the calls that are due on ``today`` (default: today) for the active rules of ``self``: one
        call per target whose last call of the rule was recorded or cancelled ``interval_weeks`` weeks ago
        (or that was never called), never a second open call of a rule for a target. The last calls of all
        rules and targets are read in one grouped query."""
        Followup = self.env["aftersales.followup"]
        rules = self.filtered("active")
        if not rules:
            return Followup
        today = today or fields.Date.context_today(self)
        targets = rules._get_targets()
        # per (rule, partner, branch): an open call, else the date of the last call (done or cancelled)
        groups = Followup.with_context(active_test=False)._read_group(
            [("call_rule_id", "in", rules.ids), ("kind", "=", "network")],
            ["call_rule_id", "partner_id", "branch_id", "state"],
            ["date_planned:max", "call_date:max"],
        )
        open_keys, last_dates = set(), {}
        for rule, partner, branch, state, planned_max, called_max in groups:
            key = (rule.id, partner.id, branch.id)
            if state == "planned":
                open_keys.add(key)
                continue
            last = called_max.date() if state == "done" and called_max else planned_max
            if last and (key not in last_dates or last > last_dates[key]):
                last_dates[key] = last
        vals_list = []
        for rule in rules:
            for partner, branch in targets[rule]:
                key = (rule.id, partner.id, branch.id if branch else False)
                if key in open_keys:
                    continue
                last = last_dates.get(key)
                due = max(rule.date_start, last + timedelta(weeks=rule.interval_weeks)) if last else rule.date_start
                if due <= today:
                    open_keys.add(key)
                    vals_list.append(rule._prepare_followup_vals(partner, branch, today))
        if not vals_list:
            return Followup
        with Followup._unguard("call_rule_id", "branch_id", "target_type"):
            return Followup.create(vals_list)

    @api.model
    def _cron_plan_network_calls(self):
        """Daily: plan the network calls that are due, for every active rule."""
        return self.search([])._plan_calls()
