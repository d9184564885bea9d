"""The service ticket: what the customer asked, about which unit, who handles it and where it stands.

Its other concerns live in files of their own: the unit and its sale (``aftersales_ticket_unit``), the
visits, fees and follow-up calls (``_visit``), the revisits (``_revisit``), the mail (``_mail``), the
satisfaction surveys (``_csat``), the service level (``_sla``, ``_sla_escalation``), the intake and
routing (``_intake``) and the acknowledgement (``_notice``)."""

from contextlib import nullcontext

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext, is_html_empty

from ..tools.client_values import drop_unreadable
from ..tools.timezones import person_tz

TICKET_PRIORITIES = [
    ("0", "Low"),
    ("1", "Normal"),
    ("2", "High"),
    ("3", "Urgent"),
]

TICKET_CHANNELS = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("portal", "Customer Portal"),
    ("web", "Web Form"),
    ("walk_in", "Walk-in"),
    ("delivery", "Delivery"),
]

# the bookkeeping of a ticket: written by its create, its stage changes, the mail and the SLA cron,
# never directly (see aftersales.guarded.mixin)
GUARDED_FIELDS = frozenset({"reference", "closed_date", "reopen_count", "reopen_reason"})
# what a stage change writes besides the stage
STAGE_CHANGE_FIELDS = ("closed_date", "reopen_count", "reopen_reason", "sla_paused_hours", "sla_paused_since")
# what ir.sequence.next_by_id() reads of a sequence, fetched with it
SEQUENCE_FIELDS = ["name", "implementation", "use_date_range", "prefix", "suffix", "padding", "number_increment"]

SLA_STATUSES = [
    ("on_time", "On Time"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]


class AftersalesTicket(models.Model):
    _name = "aftersales.ticket"
    _description = "Service Ticket"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "email_from"
    _rec_names_search = ["reference", "name"]
    _check_company_auto = True
    _mail_post_access = "read"

    def _default_stage_id(self):
        stage_id, _sla_pause = self._default_stage(self.env.context.get("default_team_id"))
        return self.env["aftersales.ticket.stage"].browse(stage_id)

    @api.model
    def _default_stage(self, team_id):
        """The id of the first open stage of the team ``team_id`` (or of every team) and whether it
        pauses the SLA."""
        self.env["aftersales.ticket.stage"].check_access("read")
        return self._default_stage_cached(team_id or False)

    @api.model
    @tools.ormcache("team_id")
    def _default_stage_cached(self, team_id):
        # the same for every user (stages have no record rules) and kept until a stage changes: stages
        # are cached records (see aftersales.cached.mixin), and a team deleted clears the cache too
        stage = (
            self.env["aftersales.ticket.stage"]
            .sudo()
            .with_context(active_test=True)
            .search_fetch(
                [("is_closed", "=", False), "|", ("team_ids", "=", False), ("team_ids", "in", team_id or [])],
                ["sla_pause"],
                limit=1,
            )
        )
        return stage.id, stage.sla_pause

    # Identification
    reference = fields.Char(required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New"))
    name = fields.Char(string="Subject", required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    description = fields.Html()
    color = fields.Integer()

    # Customer and unit
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        check_company=True,
        compute="_compute_partner_id",
        compute_sudo=False,  # from what the user may read only
        store=True,
        readonly=False,
        precompute=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
        index=True,
        string="Customer Company",
    )
    contact_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="The person to talk to at the customer, if not the customer itself.",
        tracking=True,
    )
    email_from = fields.Char(
        string="Email",
        compute="_compute_email_from",
        store=True,
        readonly=False,
        precompute=True,
        help="Address of the requester; filled in from the customer, or from the sender "
        "of an incoming e-mail that matches no contact.",
    )
    partner_phone = fields.Char(related="partner_id.phone", string="Phone")
    product_id = fields.Many2one(
        "product.product",
        index=True,
        tracking=True,
        check_company=True,
        compute="_compute_product_id",
        compute_sudo=False,  # from what the user may read only
        store=True,
        readonly=False,
        precompute=True,
    )
    product_category_id = fields.Many2one(related="product_id.categ_id", string="Product Category")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        compute="_compute_sale_order_id",
        compute_sudo=False,  # from what the user may read only
        store=True,
        readonly=False,
        precompute=True,
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Sale Order Line",
        index="btree_not_null",
        check_company=True,
        domain="[('order_id', '=?', sale_order_id)]",
        compute="_compute_sale_line_id",
        compute_sudo=False,  # from what the user may read only
        store=True,
        readonly=False,
        precompute=True,
    )

    delivery_date = fields.Datetime(
        string="Delivered on",
        compute="_compute_delivery_date",
        help="When the unit was delivered to the customer.",
    )

    # Classification and routing
    ticket_type_id = fields.Many2one("aftersales.ticket.type", string="Type", index=True, tracking=True)
    channel = fields.Selection(TICKET_CHANNELS, required=True, default="phone", tracking=True)
    priority = fields.Selection(TICKET_PRIORITIES, default="1", required=True, index=True, tracking=True)
    tag_ids = fields.Many2many("aftersales.ticket.tag", string="Tags", tracking=True)
    team_id = fields.Many2one(
        "aftersales.team",
        index=True,
        tracking=True,
        check_company=True,
    )
    branch_id = fields.Many2one(
        "aftersales.branch",
        compute="_compute_branch_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        ondelete="restrict",
        help="The service centre in charge: the team's branch by default. Only the users of this branch "
        "and those of headquarters see the ticket.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    stage_id = fields.Many2one(
        "aftersales.ticket.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', team_id)]",
        default=_default_stage_id,
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, precompute=True, string="Closed")
    fold = fields.Boolean(related="stage_id.fold")
    closed_date = fields.Datetime(string="Closed on", readonly=True, copy=False, tracking=True)
    reopen_count = fields.Integer(string="Reopened", readonly=True, copy=False)
    reopen_reason = fields.Text(
        string="Reason for Reopening",
        readonly=True,
        copy=False,
        help="Why the ticket was last reopened, when it was said; written in the audit log too.",
    )

    # Diagnosis and resolution
    fault_code_id = fields.Many2one("aftersales.fault.code", index=True, check_company=True, tracking=True)
    solution_id = fields.Many2one(
        "aftersales.solution", string="Solution Applied", index=True, check_company=True, copy=False, tracking=True
    )
    resolution = fields.Html(copy=False)
    suggested_solution_ids = fields.Many2many(
        "aftersales.solution",
        string="Suggested Solutions",
        compute="_compute_suggested_solution_ids",
        help="Articles of the knowledge base that fit the product category, the type and the words of this ticket.",
    )

    _sql_constraints = [
        ("reference_company_uniq", "unique (reference, company_id)", "Ticket references must be unique."),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for ticket in self:
            if ticket.reference and ticket.reference != _("New"):
                ticket.display_name = f"{ticket.reference} - {ticket.name or ''}"
            else:
                ticket.display_name = ticket.name or _("New Ticket")

    def _compute_access_url(self):
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    @api.depends("partner_id")
    def _compute_email_from(self):
        for ticket in self:
            if ticket.partner_id.email:
                ticket.email_from = ticket.partner_id.email

    @api.depends("product_id", "ticket_type_id", "fault_code_id", "name", "description", "company_id", "partner_id")
    def _compute_suggested_solution_ids(self):
        Solution = self.env["aftersales.solution"]
        for ticket in self:
            # the titles and keywords are read in the customer's language, the one the ticket is written in
            ticket.suggested_solution_ids = Solution._suggest(
                f"{ticket.name or ''}\n{html2plaintext(ticket.description or '')}",
                ticket.company_id,
                lang=ticket.partner_id.lang or self.env.lang,
                # a product or type not chosen yet is not known yet: the articles of every one fit
                category=ticket.product_id.categ_id or None,
                ticket_type=ticket.ticket_type_id or None,
                fault_code=ticket.fault_code_id,
            )

    @api.depends("team_id", "company_id")
    def _compute_branch_id(self):
        for ticket in self:
            branch = ticket.team_id.branch_id
            if not branch and ticket.branch_id.company_id == ticket.company_id:
                branch = ticket.branch_id
            ticket.branch_id = branch or self.env.user._aftersales_default_branch(ticket.company_id)

    def onchange(self, values, field_names, fields_spec):
        # a customer's form fills in nothing from the records of other customers
        if self.env.user.share and not self.env.su:
            values = drop_unreadable(self, values)
        return super().onchange(values, field_names, fields_spec)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_id = self.env.context.get("default_team_id")
        stage_domain = [("team_ids", "=", False)]
        if team_id:
            stage_domain = ["|", ("team_ids", "in", team_id), *stage_domain]
        return stages.search(["|", ("id", "in", stages.ids), *stage_domain])

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("branch_id", "company_id")
    def _check_branch_company(self):
        self.env["aftersales.branch"]._check_branch_company(self)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        return super()._guarded_fields() | GUARDED_FIELDS

    @api.model_create_multi
    def create(self, vals_list):
        # the client's values first: the reference, closing date and pause below are the model's own
        self._guard_check_create(vals_list)
        now = fields.Datetime.now()
        sequences = {}
        stage_flags = {}  # {stage id: (is_closed, sla_pause)}
        default_team = self.env.context.get("default_team_id")
        for vals in vals_list:
            if not vals.get("reference") or vals["reference"] == _("New"):
                company_id = vals.get("company_id") or self.env.company.id
                if company_id not in sequences:
                    sequences[company_id] = self._ticket_sequence(company_id)
                sequence = sequences[company_id]
                vals["reference"] = sequence.next_by_id() if sequence else _("New")
            if "stage_id" not in vals:
                stage_id, sla_pause = self._default_stage(vals.get("team_id", default_team))
                vals["stage_id"] = stage_id
                stage_flags[stage_id] = (False, sla_pause)
        stages = self.env["aftersales.ticket.stage"].browse(
            {vals["stage_id"] for vals in vals_list if vals.get("stage_id")} - set(stage_flags)
        )
        stage_flags.update((stage.id, (stage.is_closed, stage.sla_pause)) for stage in stages)
        for vals in vals_list:
            is_closed, sla_pause = stage_flags.get(vals.get("stage_id"), (False, False))
            if is_closed:
                if is_html_empty(vals.get("resolution")):
                    raise UserError(self._missing_resolution_message())
                vals.setdefault("closed_date", now)
            elif sla_pause:
                vals.setdefault("sla_paused_since", now)
        # the creator follows the new tickets with their customers, subscribed in one go below
        creator = self.env["res.partner"]
        if not self.env.context.get("mail_create_nosubscribe") and not self.env.context.get("tracking_disable"):
            creator = self.env.user.partner_id if self.env.user.active else creator
        # the customers and the user's partner (the author of the creation's note) in one query
        partner_ids = {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        if partner_ids:
            self.env["res.partner"].browse([*partner_ids, *self.env.user.partner_id.ids]).mapped("email")
        with (
            self._unguard("reference", "closed_date", "sla_paused_since"),
            self.env["stock.lot"]._aftersales_remember_sale_lines(),
        ):
            tickets = super(AftersalesTicket, self.with_context(mail_create_nosubscribe=True)).create(vals_list)
        tickets = tickets.with_env(self.env)
        if not self.env.su and any("sale_line_id" in vals or "sale_order_id" in vals for vals in vals_list):
            tickets._check_unit_known()
        tickets.filtered("is_closed")._check_followup_before_closing()
        tickets._subscribe_customers(creator=creator, followed=self._followed_at_creation(vals_list))
        return tickets

    def write(self, vals):
        # the client's values first: a stage change adds the closing date and the SLA pause
        self._guard_check_write(vals)
        if "branch_id" in vals:
            self._check_branch_change(vals)
        with self._unguard(*STAGE_CHANGE_FIELDS) if "stage_id" in vals else nullcontext():
            if "stage_id" in vals:
                vals = self._prepare_stage_change(vals)
            result = super().write(vals)
        if not self.env.su and ("sale_line_id" in vals or "sale_order_id" in vals):
            self._check_unit_known()
        if "partner_id" in vals:
            self._subscribe_customers()
        return result

    def _check_branch_change(self, vals):
        """Only dispatchers move a ticket to another branch than its team's."""
        if self.env.su or self.env.user.has_group("aftersales_service.aftersales_service_group_dispatcher"):
            return
        team = self.env["aftersales.team"].browse(vals["team_id"]) if "team_id" in vals else None
        for ticket in self:
            allowed = {ticket.branch_id.id, (ticket.team_id if team is None else team).branch_id.id}
            if (vals["branch_id"] or False) not in allowed:
                raise AccessError(
                    _(
                        "Only dispatchers move ticket %(ticket)s to another branch than its team's.",
                        ticket=ticket.display_name,
                    )
                )

    def unlink(self):
        # Checked here rather than in an ondelete hook: mail.thread removes the
        # messages before the hooks run, and the conversation is what we protect.
        # the rights first: who may not delete tickets learns nothing of their conversation
        self.check_access("unlink")
        talked = self.env["mail.message"].search_count(
            [
                ("model", "=", self._name),
                ("res_id", "in", self.ids),
                ("message_type", "in", ("comment", "email")),
            ],
            limit=1,
        )
        if talked:
            raise UserError(
                _("Tickets with a conversation cannot be deleted: archive them instead, so their history stays.")
            )
        return super().unlink()

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for ticket, vals in zip(self, vals_list, strict=True):
            vals.setdefault("name", _("%(subject)s (copy)", subject=ticket.name))
        return vals_list

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_assign_to_me(self):
        self.write({"user_id": self.env.user.id})

    def action_close(self):
        """Move the tickets to the first closing stage."""
        stage = self.env["aftersales.ticket.stage"].search([("is_closed", "=", True)], limit=1)
        if not stage:
            raise UserError(_("Define a closing stage in the configuration first."))
        self.write({"stage_id": stage.id})
        return True

    def action_reopen(self):
        """Bring closed tickets back to the first open stage."""
        return self._reopen()

    def _reopen(self, reason=None):
        """Bring closed tickets back to the first open stage; ``reason``, if given, is kept on the
        tickets and written in the audit log."""
        not_closed = self.filtered(lambda t: not t.is_closed)
        if not_closed:
            raise UserError(
                _(
                    "Only closed tickets can be reopened: %(tickets)s",
                    tickets=", ".join(not_closed.mapped("display_name")),
                )
            )
        stage = self.env["aftersales.ticket.stage"].search([("is_closed", "=", False)], limit=1)
        if not stage:
            raise UserError(_("Define an open stage in the configuration first."))
        with self._unguard("reopen_reason"):
            self.write({"stage_id": stage.id, "reopen_reason": (reason or "").strip() or False})
        return True

    def action_apply_solution(self, solution):
        """Record ``solution`` on the tickets and put its text in their resolution."""
        solution.ensure_one()
        for ticket in self:
            resolution = solution.content or ""
            if not is_html_empty(ticket.resolution):
                resolution = f"{ticket.resolution}{resolution}"
            ticket.write({"solution_id": solution.id, "resolution": resolution})
        self._message_log_batch(
            bodies=dict.fromkeys(self.ids, _("Solution applied: %(solution)s", solution=solution.name))
        )
        return True

    def action_view_sale_order(self):
        self.ensure_one()
        return self.sale_order_id.get_formview_action() if self.sale_order_id else False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _ticket_sequence(self, company_id):
        """The ticket sequence of a company, read once per batch of tickets, with what ``next_by_id``
        reads of it."""
        return self.env["ir.sequence"].search_fetch(
            [("code", "=", "aftersales.ticket"), ("company_id", "in", [company_id, False])],
            SEQUENCE_FIELDS,
            order="company_id",
            limit=1,
        )

    @api.model
    def _missing_resolution_message(self):
        return _(
            "Write the resolution before closing the ticket: the customer and the team need to know how it was solved."
        )

    def _prepare_stage_change(self, vals):
        """Check the closing rules on a stage change; returns the values to write (the SLA clock is kept
        right in ``aftersales_ticket_sla``)."""
        stage = self.env["aftersales.ticket.stage"].browse(vals["stage_id"])
        now = fields.Datetime.now()
        vals = dict(vals)
        if stage.is_closed:
            missing = self.filtered(lambda t: is_html_empty(vals.get("resolution", t.resolution)))
            if missing:
                raise UserError(self._missing_resolution_message())
            self.filtered(lambda t: not t.is_closed)._check_followup_before_closing(vals.get("ticket_type_id"))
            vals.setdefault("closed_date", now)
        else:
            reopened = self.filtered("is_closed")
            if reopened:
                vals["closed_date"] = False
                vals.setdefault("reopen_reason", False)
                for ticket in reopened:
                    ticket.reopen_count += 1
                reopened._message_log_batch(bodies=dict.fromkeys(reopened.ids, _("Ticket reopened.")))
                self.env["aftersales.audit.log"]._audit(
                    "ticket_reopened",
                    reopened,
                    vals["reopen_reason"],
                    old={ticket.id: ticket.stage_id.name for ticket in reopened},
                    new=stage.name,
                    require_reason=False,
                )
        return vals

    @api.model
    def _followed_at_creation(self, vals_list):
        """Whether ``mail.thread`` may have subscribed anyone to new tickets created from ``vals_list``:
        the assignee given, or the followers of a parent document (the subtypes' relation fields)."""
        relation = self.env["mail.message.subtype"]._get_auto_subscription_subtypes(self._name)[4]
        fnames = {"user_id", *(fname for fnames in relation.values() for fname in fnames)}
        return any(
            vals.get(fname) or self.env.context.get(f"default_{fname}") for vals in vals_list for fname in fnames
        )

    def _customer_tz(self):
        """The time zone the ticket's customer reads times in (see ``person_tz``)."""
        self.ensure_one()
        return person_tz(self.partner_id, self.company_id)
