from contextlib import nullcontext

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_datetime, html2plaintext, is_html_empty
from odoo.tools.sql import column_exists, create_column, table_exists

from ..tools.client_values import drop_unreadable
from ..tools.timezones import person_tz

# the fields that decide whether a ticket, or an earlier one on its serial number, was revisited
REVISIT_FIELDS = {"lot_id", "closed_date", "request_date", "company_id", "stage_id"}

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
GUARDED_FIELDS = frozenset(
    {
        "reference",
        "closed_date",
        "reopen_count",
        "reopen_reason",
        "first_response_date",
        "sla_response_deadline",
        "sla_resolve_deadline",
        "sla_at_risk_date",
        "sla_status",
        "sla_paused_hours",
        "sla_paused_since",
        "sla_escalated",
        "revisited",
        "visit_active_count",
        "visit_done_count",
        "fee_order_id",
        "complaint_of_id",
        "csat_score",
        "csat_solved",
    }
)
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
        team_id = self.env.context.get("default_team_id")
        # the flags create() looks at come with the search
        return self.env["aftersales.ticket.stage"].search_fetch(
            [("is_closed", "=", False), "|", ("team_ids", "=", False), ("team_ids", "in", team_id or [])],
            ["is_closed", "sla_pause"],
            limit=1,
        )

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

    # Field service
    visit_ids = fields.One2many("aftersales.visit", "ticket_id", string="Visits")
    fee_order_id = fields.Many2one(
        "sale.order",
        string="Service Order",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        help="The sale order the fees of the visits go to; a new one is made when it can no longer be changed.",
    )
    fee_order_count = fields.Integer(string="Service Orders", compute="_compute_fee_order_count")
    visit_count = fields.Integer(compute="_compute_visit_count")
    # kept on the ticket for the KPIs, which read a million tickets without counting their visits
    visit_active_count = fields.Integer(
        string="Visits not Cancelled",
        compute="_compute_visit_kpi_counts",
        store=True,
        help="The visits of this ticket planned, under way or done.",
    )
    visit_done_count = fields.Integer(
        string="Visits Done",
        compute="_compute_visit_kpi_counts",
        store=True,
    )
    revisited = fields.Boolean(
        readonly=True,
        copy=False,
        help="A new ticket on the same serial number was reported within the company's revisit window "
        "after this one closed: the unit was not fixed the first time.",
    )
    followup_ids = fields.One2many(
        "aftersales.followup",
        "ticket_id",
        string="Follow-up Calls",
        groups="aftersales_service.aftersales_service_group_user",
    )
    followup_count = fields.Integer(string="Follow-ups", compute="_compute_followup_count")

    # Service level
    request_date = fields.Datetime(
        string="Reported on",
        required=True,
        default=fields.Datetime.now,
        copy=False,
        help="When the customer asked; the SLA deadlines count from here.",
    )

    # Satisfaction
    csat_answer_ids = fields.One2many("survey.user_input", "aftersales_ticket_id", string="Satisfaction Answers")
    csat_answer_count = fields.Integer(string="Survey Answers", compute="_compute_csat_answer_count")
    csat_score = fields.Float(
        string="CSAT",
        compute="_compute_csat_score",
        store=True,
        aggregator="avg",
        digits=(3, 2),
        help="The overall score (1 to 5) the customer gave in the satisfaction survey; 0 while not rated.",
    )
    csat_solved = fields.Selection(
        [("yes", "Solved"), ("no", "Not Solved")],
        string="Solved for the Customer",
        compute="_compute_csat_score",
        store=True,
    )
    complaint_of_id = fields.Many2one(
        "aftersales.ticket",
        string="Complaint about",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The ticket whose satisfaction survey opened this complaint.",
    )
    complaint_ids = fields.One2many("aftersales.ticket", "complaint_of_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")

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

    def _compute_visit_count(self):
        counts = dict(
            self.env["aftersales.visit"]._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.visit_count = counts.get(ticket, 0)

    @api.depends("visit_ids.state")
    def _compute_visit_kpi_counts(self):
        for ticket in self:
            states = ticket.visit_ids.mapped("state")
            ticket.visit_active_count = sum(state != "cancel" for state in states)
            ticket.visit_done_count = states.count("done")

    def _compute_followup_count(self):
        counts = dict(
            self.env["aftersales.followup"]
            .sudo()
            ._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.followup_count = counts.get(ticket, 0)

    @api.depends("fee_order_id", "visit_ids.line_ids.sale_line_ids")
    def _compute_fee_order_count(self):
        for ticket in self:
            ticket.fee_order_count = len(ticket.visit_ids.line_ids.sale_line_ids.order_id | ticket.fee_order_id)

    def _compute_csat_answer_count(self):
        # a count, shown to anyone who sees the ticket: the answers keep their own access rules
        counts = dict(
            self.env["survey.user_input"]
            .sudo()
            ._read_group([("aftersales_ticket_id", "in", self.ids)], ["aftersales_ticket_id"], ["__count"])
        )
        for ticket in self:
            ticket.csat_answer_count = counts.get(ticket, 0)

    @api.depends(
        "csat_answer_ids.state", "csat_answer_ids.aftersales_overall_score", "csat_answer_ids.aftersales_solved"
    )
    def _compute_csat_score(self):
        for ticket in self:
            answer = ticket.csat_answer_ids.filtered(lambda a: a.state == "done").sorted("end_datetime")[-1:]
            ticket.csat_score = answer.aftersales_overall_score
            ticket.csat_solved = answer.aftersales_solved

    def _compute_complaint_count(self):
        counts = dict(
            self.with_context(active_test=False)._read_group(
                [("complaint_of_id", "in", self.ids)], ["complaint_of_id"], ["__count"]
            )
        )
        for ticket in self:
            ticket.complaint_count = counts.get(ticket, 0)

    def _compute_access_url(self):
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    @api.depends("lot_id", "sale_line_id")
    def _compute_product_id(self):
        lots = self._readable_lots()
        lines = self._known_sale_lines().sudo()
        for ticket in self:
            product = (ticket.lot_id & lots).product_id or (ticket.sale_line_id.sudo() & lines).product_id
            if product:
                ticket.product_id = product.sudo(False)

    @api.depends("lot_id")
    def _compute_sale_line_id(self):
        lines_by_lot = self._readable_lots()._aftersales_sale_lines()
        for ticket in self:
            line = lines_by_lot.get(ticket.lot_id.id)
            if line:
                ticket.sale_line_id = line

    @api.depends("sale_line_id")
    def _compute_sale_order_id(self):
        lines = self._known_sale_lines().sudo()
        for ticket in self:
            line = ticket.sale_line_id.sudo() & lines
            if line:
                ticket.sale_order_id = line.order_id.sudo(False)

    @api.depends("sale_order_id")
    def _compute_partner_id(self):
        orders = self._known_sale_orders().sudo()
        for ticket in self:
            order = ticket.sale_order_id.sudo() & orders
            if order and not ticket.partner_id:
                ticket.partner_id = order.partner_id.sudo(False)

    @api.depends("lot_id", "sale_line_id")
    def _compute_delivery_date(self):
        """When the unit was delivered: the last delivery of its serial number to a customer, else the
        delivery of its sale order line. Read from the stock moves as superuser, for the serial
        numbers and sale order lines the user may rely on only."""
        lots = self._readable_lots()
        lines = self._known_sale_lines()
        MoveLine = self.env["stock.move.line"].sudo()
        dates = {}
        if lots or lines:
            for move_line in MoveLine.search(
                [
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    "|",
                    ("lot_id", "in", lots.ids),
                    ("move_id.sale_line_id", "in", lines.ids),
                ],
                order="date, id",
            ):
                dates[("lot", move_line.lot_id.id)] = move_line.date
                dates[("line", move_line.move_id.sale_line_id.id)] = move_line.date
        for ticket in self:
            lot, line = ticket.lot_id & lots, ticket.sale_line_id & lines
            ticket.delivery_date = (lot and dates.get(("lot", lot.id))) or (line and dates.get(("line", line.id)))

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

    @api.constrains("lot_id", "product_id", "sale_line_id", "sale_order_id")
    def _check_unit_consistency(self):
        # the consistency of the data, whoever may read the sale order
        for ticket in self.sudo():
            if ticket.lot_id and ticket.product_id and ticket.lot_id.product_id != ticket.product_id:
                raise ValidationError(
                    _(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=ticket.lot_id.name,
                        lot_product=ticket.lot_id.product_id.display_name,
                        product=ticket.product_id.display_name,
                    )
                )
            line = ticket.sale_line_id
            if line and ticket.sale_order_id and line.order_id != ticket.sale_order_id:
                raise ValidationError(
                    _(
                        "The sale order line %(line)s is not part of %(order)s.",
                        line=line.display_name,
                        order=ticket.sale_order_id.name,
                    )
                )
            if line and ticket.product_id and line.product_id != ticket.product_id:
                raise ValidationError(
                    _(
                        "The sale order line %(line)s sold %(line_product)s, not %(product)s.",
                        line=line.display_name,
                        line_product=line.product_id.display_name,
                        product=ticket.product_id.display_name,
                    )
                )

    def _check_unit_known(self):
        """A user links a ticket only to sale orders and lines they may read, or to the delivery of a
        serial number they may read: never to another customer's order picked by its id."""
        lines = self._known_sale_lines()
        orders = self._known_sale_orders()
        for ticket in self:
            if (ticket.sale_line_id and ticket.sale_line_id not in lines) or (
                ticket.sale_order_id and ticket.sale_order_id not in orders
            ):
                raise AccessError(
                    _(
                        "Ticket %(ticket)s can only be linked to a sale order you may read, or to the delivery "
                        "of its serial number.",
                        ticket=ticket.display_name,
                    )
                )

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
        sequences, default_stages = {}, {}
        default_team = self.env.context.get("default_team_id")
        for vals in vals_list:
            if not vals.get("reference") or vals["reference"] == _("New"):
                company_id = vals.get("company_id") or self.env.company.id
                if company_id not in sequences:
                    sequences[company_id] = self._ticket_sequence(company_id)
                sequence = sequences[company_id]
                vals["reference"] = sequence.next_by_id() if sequence else _("New")
            if "stage_id" not in vals:
                team_id = vals.get("team_id", default_team)
                if team_id not in default_stages:
                    default_stages[team_id] = self.with_context(default_team_id=team_id)._default_stage_id()
                vals["stage_id"] = default_stages[team_id].id
        stages = self.env["aftersales.ticket.stage"].browse(
            {vals["stage_id"] for vals in vals_list if vals.get("stage_id")}
        )
        closed_stage_ids = set(stages.filtered("is_closed").ids)
        paused_stage_ids = set(stages.filtered("sla_pause").ids)
        for vals in vals_list:
            if vals.get("stage_id") in closed_stage_ids:
                if is_html_empty(vals.get("resolution")):
                    raise UserError(self._missing_resolution_message())
                vals.setdefault("closed_date", now)
            elif vals.get("stage_id") in paused_stage_ids:
                vals.setdefault("sla_paused_since", now)
        with self._unguard("reference", "closed_date", "sla_paused_since"):
            tickets = super().create(vals_list)
        if not self.env.su and any("sale_line_id" in vals or "sale_order_id" in vals for vals in vals_list):
            tickets._check_unit_known()
        tickets._refresh_revisits(tickets.lot_id.ids)
        tickets.filtered("is_closed")._check_followup_before_closing()
        tickets._subscribe_customers()
        return tickets

    def write(self, vals):
        # the client's values first: a stage change adds the closing date and the SLA pause
        self._guard_check_write(vals)
        if "branch_id" in vals:
            self._check_branch_change(vals)
        closing = self.browse()
        with self._unguard(*STAGE_CHANGE_FIELDS) if "stage_id" in vals else nullcontext():
            if "stage_id" in vals:
                if self.env["aftersales.ticket.stage"].browse(vals["stage_id"]).is_closed:
                    closing = self.filtered(lambda t: not t.is_closed)
                vals = self._prepare_stage_change(vals)
            # the tickets on the serial numbers before and after the change may be revisited or not
            revisits = bool(REVISIT_FIELDS.intersection(vals))
            revisit_lot_ids = set(self.lot_id.ids) if revisits else set()
            result = super().write(vals)
        if not self.env.su and ("sale_line_id" in vals or "sale_order_id" in vals):
            self._check_unit_known()
        if revisits:
            self._refresh_revisits(list(revisit_lot_ids.union(self.lot_id.ids)))
        if "partner_id" in vals:
            self._subscribe_customers()
        if closing:
            closing._send_csat_survey("ticket_close")
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

    def _auto_init(self):
        # the KPI columns of tickets from before they existed are filled in SQL, once
        cr = self.env.cr
        fill = table_exists(cr, self._table) and not column_exists(cr, self._table, "visit_done_count")
        if fill:
            create_column(cr, self._table, "visit_active_count", "int4")
            create_column(cr, self._table, "visit_done_count", "int4")
            create_column(cr, self._table, "revisited", "bool")
        result = super()._auto_init()
        if fill:
            self.pool.post_init(self._fill_kpi_columns)
        return result

    @api.model
    def _fill_kpi_columns(self, ticket_ids=None):
        """Set the KPI columns (visits not cancelled, visits done, revisited) of the tickets
        ``ticket_ids`` (all when None) from their visits and the later tickets on their serial
        numbers, in SQL: used when the columns are created and after rows written in SQL."""
        where = SQL("TRUE") if ticket_ids is None else SQL("t.id = ANY(%s)", list(ticket_ids))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE aftersales_ticket t
                      SET visit_active_count = counted.active_count,
                          visit_done_count = counted.done_count
                     FROM (SELECT t.id,
                                  COUNT(visit.id) FILTER (WHERE visit.state != 'cancel') AS active_count,
                                  COUNT(visit.id) FILTER (WHERE visit.state = 'done') AS done_count
                             FROM aftersales_ticket t
                        LEFT JOIN aftersales_visit visit ON visit.ticket_id = t.id
                            WHERE %s
                         GROUP BY t.id) counted
                    WHERE counted.id = t.id
                      AND (t.visit_active_count IS DISTINCT FROM counted.active_count
                           OR t.visit_done_count IS DISTINCT FROM counted.done_count)""",
                where,
            )
        )
        self._update_revisited(where)
        self.env.invalidate_all()

    @api.model
    def _refresh_revisits(self, lot_ids):
        """Set the revisited flag of every ticket on the serial numbers ``lot_ids``."""
        if not lot_ids:
            return
        Ticket = self.env["aftersales.ticket"]
        Ticket.flush_model(["lot_id", "closed_date", "request_date", "company_id"])
        self.env["res.company"].flush_model(["aftersales_revisit_days"])
        self._update_revisited(SQL("t.lot_id = ANY(%s)", list(lot_ids)))
        Ticket.invalidate_model(["revisited"])

    @api.model
    def _update_revisited(self, where):
        # a ticket is revisited when another one on its serial number was reported after its
        # closing and within its company's revisit window (archived ones too: they were reported)
        self.env.cr.execute(
            SQL(
                """UPDATE aftersales_ticket t
                      SET revisited = flagged.revisited
                     FROM (SELECT t.id,
                                  (t.lot_id IS NOT NULL AND t.closed_date IS NOT NULL AND EXISTS (
                                      SELECT 1 FROM aftersales_ticket again
                                       WHERE again.lot_id = t.lot_id
                                         AND again.id != t.id
                                         AND again.request_date > t.closed_date
                                         AND again.request_date <= t.closed_date
                                             + make_interval(days => COALESCE(c.aftersales_revisit_days, 0))
                                  )) AS revisited
                             FROM aftersales_ticket t
                             JOIN res_company c ON c.id = t.company_id
                            WHERE %s) flagged
                    WHERE flagged.id = t.id AND t.revisited IS DISTINCT FROM flagged.revisited""",
                where,
            )
        )
        self.env["aftersales.ticket.kpi"].invalidate_model()

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for ticket, vals in zip(self, vals_list, strict=True):
            vals.setdefault("name", _("%(subject)s (copy)", subject=ticket.name))
        return vals_list

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values and self.is_closed:
            return self.env.ref("aftersales_service.mt_ticket_closed")
        if "stage_id" in init_values and not init_values["stage_id"]:
            return self.env.ref("aftersales_service.mt_ticket_new")
        if "stage_id" in init_values:
            return self.env.ref("aftersales_service.mt_ticket_stage")
        return super()._track_subtype(init_values)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail sent to a team's alias opens a ticket for the sender's contact."""
        values = dict(custom_values or {})
        values.setdefault("channel", "email")
        values.setdefault("description", msg_dict.get("body"))
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not author and msg_dict.get("email_from"):
            author = (
                self.env["mail.thread"]._mail_find_partner_from_emails([msg_dict["email_from"]], force_create=False)[0]
                or self.env["res.partner"]
            )
        if author and not author.user_ids.filtered(lambda user: not user.share):
            values.setdefault("partner_id", author.id)
        if not msg_dict.get("subject"):
            values.setdefault("name", _("Request from %(sender)s", sender=msg_dict.get("email_from")))
        return super().message_new(msg_dict, custom_values=values)

    def message_post(self, **kwargs):
        self._check_post_to_customers(kwargs)
        return super().message_post(**kwargs)

    def _check_post_to_customers(self, post_values):
        """Readers of a ticket (accountants, parts clerks) write internal notes on it, read by employees
        only; what goes to the customer and the other followers comes from those who work the ticket
        (write access). Customers answer on their own tickets from the portal."""
        if self.env.su or self.env.user.share or not self or self.has_access("write"):
            return
        subtype = self.env["mail.message.subtype"]
        if post_values.get("subtype_id"):
            subtype = subtype.browse(post_values["subtype_id"])
        else:
            subtype = self.env.ref(post_values.get("subtype_xmlid") or "mail.mt_note", raise_if_not_found=False)
        partners = self.env["res.partner"].browse(post_values.get("partner_ids") or []).sudo()
        to_outsiders = any(partners.mapped("partner_share"))
        if (subtype and not subtype.internal) or to_outsiders:
            raise AccessError(
                _(
                    "You may read ticket %(ticket)s but not answer its customer: write an internal note, "
                    "or ask the team in charge to answer.",
                    ticket=self[:1].display_name,
                )
            )

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id and self.partner_id not in self.message_partner_ids:
            self._message_add_suggested_recipient(recipients, partner=self.partner_id, reason=_("Customer"))
        elif not self.partner_id and self.email_from:
            self._message_add_suggested_recipient(recipients, email=self.email_from, reason=_("Requester"))
        return recipients

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

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

    def action_view_followups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_followup_action")
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {
            "default_ticket_id": self.id,
            "default_user_id": (self.user_id or self.team_id.user_id or self.env.user).id,
        }
        return action

    def action_view_fee_order(self):
        self.ensure_one()
        orders = self.visit_ids.line_ids.sale_line_ids.order_id | self.fee_order_id
        if len(orders) == 1:
            return orders.get_formview_action()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_csat_answers(self):
        self.ensure_one()
        return self.env["survey.user_input"]._aftersales_csat_action([("aftersales_ticket_id", "=", self.id)])

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_ticket_action")
        action["domain"] = [("complaint_of_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_view_sale_order(self):
        self.ensure_one()
        return self.sale_order_id.get_formview_action() if self.sale_order_id else False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _readable_lots(self):
        """The serial numbers of the tickets that the current user may read: the others, sent by
        a client that may not read them, fill in nothing."""
        return self.lot_id._filtered_access("read")

    def _known_sale_lines(self):
        """The sale order lines of the tickets that the current user may rely on: the ones they may
        read, and the delivery of a serial number they may read, even sold by another salesperson.

        The ticket shows of them what it needs (customer, product, delivery date), read as
        superuser; nothing of the other lines, whatever id a client sends."""
        lines = self.sale_line_id
        if not lines:
            return lines
        known = lines._filtered_access("read")
        for line in self._readable_lots()._aftersales_sale_lines().values():
            known |= line & lines
        return known

    def _known_sale_orders(self):
        """The sale orders of the tickets that the current user may read, or that hold a sale order
        line they may rely on (see :meth:`_known_sale_lines`)."""
        orders = self.sale_order_id
        if not orders:
            return orders
        return orders._filtered_access("read") | (self._known_sale_lines().sudo().order_id & orders.sudo()).sudo(False)

    @api.model
    def _fee_order(self):
        """The service order the next fees go to: the current one while lines can still be
        added to it, otherwise a new order for the customer, in its pricelist."""
        self.ensure_one()
        order = self.fee_order_id
        if order and order.state in ("draft", "sent", "sale") and not order.locked:
            return order
        if not self.partner_id:
            raise UserError(
                _("Set the customer of ticket %(ticket)s before billing its visits.", ticket=self.reference)
            )
        order = self.env["sale.order"].create(self._prepare_fee_order_vals())
        with self._unguard("fee_order_id"):
            self.fee_order_id = order
        return order

    def _prepare_fee_order_vals(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "pricelist_id": partner.property_product_pricelist.id,
            "origin": self.reference,
            "client_order_ref": self.name,
        }

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
        """Check the closing rules and keep the SLA clock right on a stage change."""
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
        if stage.sla_pause:
            self.filtered(lambda t: not t.sla_paused_since and not t.stage_id.sla_pause).write(
                {"sla_paused_since": now}
            )
        else:
            for ticket in self.filtered("sla_paused_since"):
                calendar = ticket.sla_policy_id.calendar_id
                paused = calendar.get_work_hours_count(ticket.sla_paused_since, now) if calendar else 0.0
                ticket.write(
                    {
                        "sla_paused_since": False,
                        "sla_paused_hours": ticket.sla_paused_hours + paused,
                    }
                )
        return vals

    def _check_followup_before_closing(self, ticket_type_id=None):
        """A ticket whose type requires a follow-up call closes only once the last call is done with
        the problem solved, or cancelled with a reason, and no other call is still planned."""
        ticket_type = self.env["aftersales.ticket.type"].browse(ticket_type_id) if ticket_type_id else None
        for ticket in self:
            if not (ticket_type or ticket.ticket_type_id).followup_required:
                continue
            followups = ticket.sudo().followup_ids.filtered(lambda f: f.kind == "after_service").sorted("id")
            last = followups[-1:]
            if (
                not last
                or "planned" in followups.mapped("state")
                or (last.state == "done" and last.problem_solved != "yes")
            ):
                raise UserError(
                    _(
                        "Ticket %(ticket)s needs a follow-up call before it can be closed: record the call with the "
                        "problem solved, or cancel the planned call with a reason.",
                        ticket=ticket.display_name,
                    )
                )

    def _subscribe_customers(self):
        """The customer follows their tickets, so that answers reach them.

        Followers are inserted in one batch with the default subtypes, as
        ``message_subscribe`` would give them, instead of one call per customer.
        """
        tickets = self.filtered("partner_id")
        if not tickets:
            return
        Followers = self.env["mail.followers"].sudo()
        following = {
            (follower.res_id, follower.partner_id.id)
            for follower in Followers.search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", tickets.ids),
                    ("partner_id", "in", tickets.partner_id.ids),
                ],
                ["res_id", "partner_id"],
            )
        }
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        vals_list = []
        for ticket in tickets:
            partner = ticket.partner_id
            if (ticket.id, partner.id) in following:
                continue
            following.add((ticket.id, partner.id))
            subtypes = external if partner.partner_share else default
            vals_list.append(
                {
                    "res_model": self._name,
                    "res_id": ticket.id,
                    "partner_id": partner.id,
                    "subtype_ids": [Command.set(subtypes.ids)],
                }
            )
        Followers.create(vals_list)

    # ------------------------------------------------------------------
    # Satisfaction surveys
    # ------------------------------------------------------------------

    def _csat_survey(self):
        """The survey of the ticket's type, else of its team, else of its company."""
        self.ensure_one()
        return (
            self.ticket_type_id.csat_survey_id
            or self.team_id.csat_survey_id
            or self.company_id.aftersales_csat_survey_id
        )

    def _csat_visit(self):
        """The last visit done for the ticket: its technician is the one rated."""
        self.ensure_one()
        done = self.visit_ids.filtered(lambda visit: visit.state == "done" and visit.technician_id)
        return done.sorted(lambda visit: (visit.check_out or visit.write_date, visit.id))[-1:]

    def _send_csat_survey(self, trigger, visit=None):
        """Invite the customers to the satisfaction survey, once per ticket.

        ``trigger`` is the event that happened (``ticket_close`` or ``visit_done``):
        only the tickets of companies sending their surveys on that event are
        invited. A ticket without a customer e-mail gets a note instead.
        """
        tickets = self.filtered(lambda t: t.company_id.aftersales_csat_trigger == trigger)
        if not tickets:
            return self.env["survey.user_input"]
        Answer = self.env["survey.user_input"].sudo()
        invited = {
            ticket.id
            for [ticket] in Answer._read_group([("aftersales_ticket_id", "in", tickets.ids)], ["aftersales_ticket_id"])
        }
        template = self.env.ref("aftersales_service.mail_template_csat_invitation", raise_if_not_found=False)
        answers = Answer
        for ticket in tickets:
            survey = ticket._csat_survey()
            if ticket.id in invited or not survey:
                continue
            invited.add(ticket.id)
            survey_sudo = survey.sudo()
            if not survey_sudo.active or survey_sudo.access_mode not in ("public", "token"):
                ticket.message_post(
                    body=_(
                        "No satisfaction survey was sent: the survey %(survey)s is archived or needs a login.",
                        survey=survey_sudo.title,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            partner = ticket.partner_id
            email = partner.email if partner else ticket.email_from
            if not email:
                ticket.message_post(
                    body=_("No satisfaction survey was sent: the customer has no e-mail address."),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            # the invitation belongs to the closing of the ticket, allowed to whoever may close it,
            # even without rights on surveys
            answer = survey.sudo()._create_answer(
                partner=partner,
                email=email,
                check_attempts=False,
                **ticket._prepare_csat_answer_vals(visit or ticket._csat_visit()),
            )
            if not answer.email:
                answer.email = email
            if template:
                template.sudo().send_mail(answer.id, email_layout_xmlid="mail.mail_notification_light")
            ticket.message_post(
                body=_(
                    "Satisfaction survey sent to %(email)s, to answer by %(deadline)s.",
                    email=email,
                    # the customer's deadline, in the customer's time zone
                    deadline=answer.deadline
                    and format_datetime(self.env, answer.deadline, tz=ticket._customer_tz(), dt_format="short")
                    or _("no deadline"),
                ),
                subtype_xmlid="mail.mt_note",
            )
            answers |= answer
        return answers

    def _customer_tz(self):
        """The time zone the ticket's customer reads times in (see ``person_tz``)."""
        self.ensure_one()
        return person_tz(self.partner_id, self.company_id)

    def _prepare_csat_answer_vals(self, visit):
        """Values of the survey answer created for the ticket's customer."""
        self.ensure_one()
        days = self.company_id.aftersales_csat_deadline_days
        return {
            "aftersales_ticket_id": self.id,
            "aftersales_visit_id": visit.id,
            "aftersales_technician_id": visit.technician_id.id,
            "deadline": fields.Datetime.now() + relativedelta(days=days) if days > 0 else False,
        }

    def _prepare_complaint_vals(self, answer):
        """Values of the complaint ticket opened from a bad answer to the survey of this ticket."""
        self.ensure_one()
        complaint_type = self.env.ref("aftersales_service.ticket_type_complaint", raise_if_not_found=False)
        return {
            "name": _("Complaint: %(subject)s", subject=self.name),
            "ticket_type_id": complaint_type.id if complaint_type else False,
            "complaint_of_id": self.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "partner_id": self.partner_id.id,
            "contact_id": self.contact_id.id,
            "email_from": self.email_from,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "channel": "web",
            "priority": "2",
            "description": answer._aftersales_csat_summary(),
        }

    def _complaint_manager(self):
        """Who handles the complaints of the ticket: the team leader, else the branch manager, else an
        after-sales manager of the company (nobody when there is none)."""
        self.ensure_one()
        return self.company_id._aftersales_responsible_user(team=self.team_id, branch=self.branch_id)
