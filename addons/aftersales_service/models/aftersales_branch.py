from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

BRANCH_TYPES = [
    ("headquarters", "Headquarters"),
    ("region", "Regional Centre"),
    ("service_point", "Service Point"),
]


class AftersalesBranch(models.Model):
    _name = "aftersales.branch"
    _description = "After-Sales Branch"
    _order = "sequence, name, id"
    _check_company_auto = True
    _parent_store = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="A short code shown beside the branch's name, unique in the company.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    parent_id = fields.Many2one(
        "aftersales.branch",
        string="Parent Branch",
        index=True,
        ondelete="restrict",
        check_company=True,
        help="The branch above this one: its users see this branch too, and its figures include this one's.",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("aftersales.branch", "parent_id", string="Sub-branches")
    branch_type = fields.Selection(
        BRANCH_TYPES,
        string="Type",
        required=True,
        default="service_point",
        help="Where the branch stands in the network: headquarters, a regional centre, or a service point.",
    )
    manager_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Address",
        check_company=True,
        help="Where the service centre is: the address printed for its customers.",
    )
    warehouse_ids = fields.One2many("stock.warehouse", "aftersales_branch_id", string="Warehouses")
    team_ids = fields.One2many("aftersales.team", "branch_id", string="Teams")
    technician_ids = fields.One2many("aftersales.technician", "branch_id", string="Technicians")
    user_ids = fields.Many2many(
        "res.users",
        "aftersales_branch_res_users_rel",
        "branch_id",
        "user_id",
        string="Users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="These users see only the tickets, visits, returns and transfers of their branches and of "
        "the branches below them. Users in no branch see those of every branch.",
    )
    child_count = fields.Integer(string="Sub-branch Count", compute="_compute_child_count")
    ticket_count = fields.Integer(string="Open Tickets", compute="_compute_ticket_count")
    visit_count = fields.Integer(string="Planned Visits", compute="_compute_visit_count")
    warehouse_count = fields.Integer(compute="_compute_counts")
    team_count = fields.Integer(compute="_compute_counts")
    technician_count = fields.Integer(compute="_compute_counts")
    user_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("code_company_uniq", "unique (code, company_id)", "Another branch of the company already has this code."),
    ]

    @api.depends("code")
    def _compute_display_name(self):
        for branch in self:
            branch.display_name = f"[{branch.code}] {branch.name}" if branch.code else branch.name

    def _compute_child_count(self):
        counts = dict(self._read_group([("parent_id", "in", self.ids)], ["parent_id"], ["__count"]))
        for branch in self:
            branch.child_count = counts.get(branch, 0)

    def _compute_ticket_count(self):
        counts = self._rollup_counts("aftersales.ticket", [("is_closed", "=", False)])
        for branch in self:
            branch.ticket_count = counts.get(branch.id, 0)

    def _compute_visit_count(self):
        counts = self._rollup_counts("aftersales.visit", [("state", "not in", ("done", "cancel"))])
        for branch in self:
            branch.visit_count = counts.get(branch.id, 0)

    def _subtree(self):
        """These branches and every branch below them, archived ones included."""
        if not self:
            return self
        return self.with_context(active_test=False).search([("id", "child_of", self.ids)])

    def _rollup_counts(self, model, domain, field_name="branch_id"):
        """Count the ``model`` records matching ``domain`` per branch of ``self``, each branch's count
        including those of the branches below it: ``{branch id: count}``, in one grouped query."""
        subtree = self._subtree()
        groups = self.env[model]._read_group([(field_name, "in", subtree.ids), *domain], [field_name], ["__count"])
        counts = dict.fromkeys(self.ids, 0)
        for branch, count in groups:
            # parent_path lists the branch's ancestors and itself: "1/4/9/"
            for ancestor_id in map(int, branch.parent_path.rstrip("/").split("/")):
                if ancestor_id in counts:
                    counts[ancestor_id] += count
        return counts

    @api.depends("warehouse_ids", "team_ids", "technician_ids", "user_ids")
    def _compute_counts(self):
        for branch in self:
            branch.warehouse_count = len(branch.warehouse_ids)
            branch.team_count = len(branch.team_ids)
            branch.technician_count = len(branch.technician_ids)
            branch.user_count = len(branch.user_ids)

    @api.constrains("code")
    def _check_code(self):
        for branch in self:
            if not (branch.code or "").strip():
                raise ValidationError(_("Give branch %(branch)s a code.", branch=branch.name))

    @api.constrains("parent_id")
    def _check_parent(self):
        if self._has_cycle():
            raise ValidationError(_("A branch cannot sit below itself or below one of its own sub-branches."))
        for branch in self.filtered("parent_id"):
            if branch.parent_id.company_id != branch.company_id:
                raise ValidationError(
                    _(
                        "Branch %(branch)s and its parent %(parent)s belong to different companies.",
                        branch=branch.display_name,
                        parent=branch.parent_id.display_name,
                    )
                )

    @api.constrains("company_id", "user_ids")
    def _check_user_companies(self):
        for branch in self:
            company = branch.company_id
            strangers = branch.user_ids.filtered(lambda user, company=company: company not in user.company_ids)
            if strangers:
                raise ValidationError(
                    _(
                        "%(users)s cannot join branch %(branch)s: they do not work for %(company)s.",
                        users=", ".join(strangers.mapped("name")),
                        branch=branch.display_name,
                        company=branch.company_id.name,
                    )
                )

    @api.constrains("company_id")
    def _check_records_company(self):
        for branch in self:
            self._check_branch_company(branch.warehouse_ids, "aftersales_branch_id")
            self._check_branch_company(branch.team_ids)
            self._check_branch_company(branch.technician_ids)

    def _check_tree_change(self, vals):
        """A user restricted to branches changes the tree only inside what they see: the branches changed and
        their new parents are in their subtree, nobody changes the users of their own branches (leaving
        one's branch would lift one's restriction) and none makes a headquarters branch. Headquarters users
        (in no branch or in a headquarters branch) change it all."""
        if self.env.su:
            return
        user = self.env.user
        allowed = user._aftersales_branches()
        if not allowed:
            return
        own = user.sudo().aftersales_branch_ids
        if (
            self - allowed
            or ("parent_id" in vals and vals["parent_id"] not in allowed.ids)
            or ("user_ids" in vals and self & own)
            # a headquarters branch lifts the restriction of its users
            or vals.get("branch_type") == "headquarters"
        ):
            raise AccessError(
                _(
                    "%(user)s works in %(branches)s: they change only the branches below, not the users of "
                    "their own branches, and make no headquarters branch. Headquarters changes the rest of the "
                    "network.",
                    user=user.name,
                    branches=", ".join(own.mapped("display_name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._check_tree_change(dict(vals, parent_id=vals.get("parent_id") or False))
        branches = super().create(vals_list)
        if branches.user_ids or branches.parent_id:
            # the record rules read the users' branches: they change for these users
            self.env.registry.clear_cache()
        return branches

    def write(self, vals):
        self._check_tree_change(vals)
        if vals.get("parent_id") and self.browse(vals["parent_id"]) in self._subtree():
            raise ValidationError(_("A branch cannot sit below itself or below one of its own sub-branches."))
        result = super().write(vals)
        if {"user_ids", "parent_id", "branch_type", "company_id", "active"}.intersection(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        self._check_tree_change({})
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _check_branch_company(self, records, field_name="branch_id"):
        """Refuse ``records`` whose branch (``field_name``) belongs to another company than theirs."""
        for record in records:
            branch = record[field_name]
            if branch and record.company_id and branch.company_id != record.company_id:
                raise ValidationError(
                    _(
                        "%(record)s belongs to %(company)s; it cannot be put into branch %(branch)s of "
                        "%(branch_company)s.",
                        record=record.display_name,
                        company=record.company_id.name,
                        branch=branch.display_name,
                        branch_company=branch.company_id.name,
                    )
                )

    def _action(self, xml_id, domain, **context):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = domain
        action["context"] = context
        return action

    def action_view_tickets(self):
        return self._action(
            "aftersales_service.aftersales_ticket_action",
            [("branch_id", "child_of", self.id)],
            default_branch_id=self.id,
            search_default_filter_open=1,
        )

    def action_view_visits(self):
        return self._action("aftersales_service.aftersales_visit_action", [("branch_id", "child_of", self.id)])

    def action_view_technicians(self):
        return self._action(
            "aftersales_service.aftersales_technician_action",
            [("branch_id", "=", self.id)],
            default_branch_id=self.id,
        )

    def action_view_children(self):
        return self._action(
            "aftersales_service.aftersales_branch_action",
            [("parent_id", "=", self.id)],
            default_parent_id=self.id,
            default_company_id=self.company_id.id,
        )

    def action_view_teams(self):
        return self._action(
            "aftersales_service.aftersales_team_action", [("branch_id", "=", self.id)], default_branch_id=self.id
        )
