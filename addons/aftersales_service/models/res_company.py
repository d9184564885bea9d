from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

CSAT_TRIGGERS = [
    ("never", "Never"),
    ("ticket_close", "When the ticket closes"),
    ("visit_done", "When a visit is done"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_revisit_days = fields.Integer(
        string="Revisit Window (days)",
        default=30,
        help="A new ticket on the same serial number within this many days of closing one means the "
        "first visit did not fix it (first-time fix rate).",
    )

    aftersales_send_service_report = fields.Boolean(
        string="E-mail the Service Report",
        default=True,
        help="When a visit is done, its service report is e-mailed to the customer as a PDF.",
    )

    aftersales_csat_survey_id = fields.Many2one(
        "survey.survey",
        string="Default Satisfaction Survey",
        domain="[('active', '=', True), ('access_mode', 'in', ('public', 'token'))]",
        default=lambda self: self.env.ref("aftersales_service.survey_csat", raise_if_not_found=False),
        help="Sent to the customers of tickets whose type and team have no survey of their own.",
    )
    aftersales_csat_trigger = fields.Selection(
        CSAT_TRIGGERS,
        string="Send the Satisfaction Survey",
        required=True,
        default="ticket_close",
    )
    aftersales_csat_deadline_days = fields.Integer(
        string="Days to Answer",
        default=14,
        help="The personal link of the survey expires this many days after the invitation; 0 means never.",
    )
    aftersales_csat_threshold = fields.Integer(
        string="Complaint at or below",
        default=2,
        help="An overall score (1 to 5) at or below this one, or a problem not solved, opens a complaint ticket.",
    )

    def write(self, vals):
        result = super().write(vals)
        if "aftersales_revisit_days" in vals:
            # the first-time fix of the companies' tickets is measured on the new window
            Ticket = self.env["aftersales.ticket"].sudo()
            Ticket.flush_model(["lot_id", "closed_date", "request_date", "company_id"])
            self.flush_recordset(["aftersales_revisit_days"])
            Ticket._update_revisited(SQL("t.company_id = ANY(%s) AND t.lot_id IS NOT NULL", self.ids))
            Ticket.invalidate_model(["revisited"])
        return result

    @api.constrains("aftersales_csat_deadline_days", "aftersales_csat_threshold")
    def _check_aftersales_csat_settings(self):
        for company in self:
            if company.aftersales_csat_deadline_days < 0:
                raise ValidationError(_("The days to answer the satisfaction survey cannot be negative."))
            if not 0 <= company.aftersales_csat_threshold <= 5:
                raise ValidationError(
                    _(
                        "The complaint threshold is an overall score between 0 (a complaint only when the problem "
                        "is not solved) and 5."
                    )
                )

    @api.model
    def _aftersales_init_csat_survey(self):
        """Give the shipped satisfaction survey to the companies that have none."""
        survey = self.env.ref("aftersales_service.survey_csat", raise_if_not_found=False)
        if survey:
            self.search([("aftersales_csat_survey_id", "=", False)]).aftersales_csat_survey_id = survey

    aftersales_refail_days = fields.Integer(
        string="Repeat Failure Window (days)",
        default=30,
        help="A new failure of a serial number within this many days after one of its repairs was closed "
        "counts as a unit that failed again.",
    )
    aftersales_batch_alert_rate = fields.Float(
        string="Batch Failure Rate Alert (%)",
        default=5.0,
        help="When the failed units of a batch reach this share of its delivered units, the quality manager "
        "gets an activity. 0 turns the alert off.",
    )
    aftersales_batch_alert_min_units = fields.Integer(
        string="Batch Alert Minimum Delivered Units",
        default=20,
        help="A batch is judged only once at least this many of its units were delivered.",
    )
    aftersales_quality_user_id = fields.Many2one(
        "res.users",
        string="Quality Manager",
        domain="[('share', '=', False)]",
        help="Receives an activity on each batch whose failure rate reaches the alert rate.",
    )

    # ------------------------------------------------------------------
    # Notices to the customer
    # ------------------------------------------------------------------

    aftersales_notify_ticket = fields.Boolean(
        string="E-mail: Ticket Received",
        default=True,
        help="A customer who opens a ticket, on the portal, by e-mail or through an agent, receives its "
        "reference and what happens next.",
    )
    aftersales_notify_visit_invite = fields.Boolean(
        string="E-mail: Choose Your Visit Time",
        default=True,
        help="A visit created without a time invites its customer to choose one on the portal.",
    )
    aftersales_notify_visit_confirm = fields.Boolean(
        string="E-mail: Visit Confirmed",
        default=True,
        help="The customer receives the day and hours of a visit as soon as they are planned.",
    )
    aftersales_notify_visit_change = fields.Boolean(
        string="E-mail: Visit Moved or Cancelled",
        default=True,
        help="The customer receives the former and the new time of a moved visit, or the cancellation, and why.",
    )
    aftersales_notify_visit_reminder = fields.Boolean(
        string="E-mail: Reminder the Day Before",
        default=True,
        help="The customer is reminded of a visit the day before, in their own time zone.",
    )
    aftersales_notify_on_my_way = fields.Boolean(
        string="E-mail: Technician on the Way",
        default=True,
        help="When the technician leaves for a visit, the customer receives the expected arrival.",
    )
    aftersales_portal_change_hours = fields.Integer(
        string="Portal Changes up to (hours)",
        default=24,
        help="Customers may move or cancel a booked visit on the portal up to this many hours before it "
        "starts; later, they call us.",
    )

    # ------------------------------------------------------------------
    # Ticket intake
    # ------------------------------------------------------------------

    aftersales_create_contacts = fields.Boolean(
        string="Contacts from Unknown Senders",
        help="An e-mail to a team's alias from an address no contact has yet creates the contact, named "
        "after the sender, and the ticket is theirs. Off, the ticket keeps the sender's address only, "
        "so that unsolicited mail does not fill the contacts.",
    )

    @api.constrains("aftersales_portal_change_hours")
    def _check_aftersales_portal_change_hours(self):
        if any(company.aftersales_portal_change_hours < 0 for company in self):
            raise ValidationError(_("The hours before a visit for changes on the portal cannot be negative."))

    # ------------------------------------------------------------------
    # Responsible users
    # ------------------------------------------------------------------

    def _aftersales_responsible_user(self, assignee=None, team=None, branch=None):
        """The real user who takes an activity, an escalation or a validation request of this company:
        ``assignee``, else the leader of ``team``, else the manager of ``branch``, else the company's
        first after-sales manager. A real user is active, internal (no portal user, no OdooBot) and
        works for the company. Returns an empty recordset when there is nobody: the caller says so
        in the document's chatter and does not take the step as done.
        """
        self.ensure_one()
        Users = self.env["res.users"]
        # sudo: who leads a team or a branch, and who manages after-sales, is read to route the work only
        candidates = [
            (assignee or Users).sudo(),
            (team.user_id if team else Users).sudo(),
            (branch.manager_id if branch else Users).sudo(),
        ]
        for user in candidates:
            if self._aftersales_is_real_user(user):
                return user.with_env(self.env)
        managers = self.env.ref("aftersales_service.aftersales_service_group_manager").sudo().users.sorted("id")
        manager = next((user for user in managers if self._aftersales_is_real_user(user)), Users)
        return manager.with_env(self.env)

    def _aftersales_is_real_user(self, user):
        self.ensure_one()
        return bool(
            user
            and len(user) == 1
            and user.active
            and not user.share
            and not user._is_superuser()
            and self.id in user._get_company_ids()
        )

    # ------------------------------------------------------------------
    # Warehouses
    # ------------------------------------------------------------------

    def _aftersales_warehouse(self, branch=None):
        """The warehouse that serves ``branch`` in this company: the branch's first active warehouse,
        else the company's first. Returns, replacements, parts and vans all leave from or come back to it.
        Raises a UserError when the company has no warehouse."""
        self.ensure_one()
        # sudo: which warehouse serves a branch routes the goods; what the user may do with them is checked
        # by the documents created there
        Warehouse = self.env["stock.warehouse"].sudo()
        warehouse = Warehouse
        if branch and branch.company_id == self:
            warehouse = Warehouse.search(
                [("aftersales_branch_id", "=", branch.id), ("company_id", "=", self.id)], limit=1
            )
        warehouse = warehouse or Warehouse.search([("company_id", "=", self.id)], limit=1)
        if not warehouse:
            raise UserError(_("Create a warehouse for %(company)s first.", company=self.name))
        return warehouse.with_env(self.env)
