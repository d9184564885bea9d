from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import is_html_empty

VISIT_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("confirmed", "Confirmed"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]


class AftersalesVisit(models.Model):
    _name = "aftersales.visit"
    _description = "On-site Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "scheduled_start, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, index=True, check_company=True, ondelete="restrict", tracking=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True, precompute=True)
    previous_visit_id = fields.Many2one(
        "aftersales.visit",
        string="Follows Visit",
        check_company=True,
        domain="[('ticket_id', '=', ticket_id), ('id', '!=', id)]",
        help="The visit this one follows up on.",
    )
    visit_type_id = fields.Many2one("aftersales.visit.type", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Service Address",
        required=True,
        check_company=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    scheduled_start = fields.Datetime(tracking=True, index=True)
    scheduled_end = fields.Datetime(
        tracking=True, compute="_compute_scheduled_end", store=True, readonly=False, precompute=True
    )
    technician_id = fields.Many2one(
        "aftersales.technician", index=True, check_company=True, tracking=True, ondelete="restrict"
    )
    technician_user_id = fields.Many2one(related="technician_id.user_id", store=True, string="Technician User")
    helper_ids = fields.Many2many("aftersales.technician", string="Helpers", check_company=True)
    state = fields.Selection(VISIT_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    check_in = fields.Datetime(readonly=True, copy=False)
    check_out = fields.Datetime(readonly=True, copy=False)
    time_spent = fields.Float(
        help="Hours spent on site; filled in from the check-in and check-out, and can be corrected.",
        compute="_compute_time_spent",
        store=True,
        readonly=False,
        copy=False,
    )
    work_report = fields.Html(copy=False)
    checklist_done = fields.Text(
        string="Checklist Answers", copy=False, help="What was checked on site, one line per step."
    )
    signature = fields.Image(max_width=1024, max_height=1024, copy=False, attachment=True)
    signed_by = fields.Char(copy=False, help="Name of the person who signed the work report.")
    signed_on = fields.Datetime(copy=False)
    requires_signature = fields.Boolean(related="visit_type_id.requires_signature")

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for visit in self:
            if visit.ticket_id and not visit.partner_id:
                visit.partner_id = visit.ticket_id.partner_id

    @api.depends("scheduled_start", "visit_type_id")
    def _compute_scheduled_end(self):
        for visit in self:
            if visit.scheduled_start:
                visit.scheduled_end = visit.scheduled_start + timedelta(
                    hours=visit.visit_type_id.default_duration or 1.0
                )

    @api.depends("check_in", "check_out")
    def _compute_time_spent(self):
        for visit in self:
            if visit.check_in and visit.check_out:
                visit.time_spent = (visit.check_out - visit.check_in).total_seconds() / 3600.0

    @api.constrains("scheduled_start", "scheduled_end")
    def _check_schedule(self):
        for visit in self:
            if visit.scheduled_start and visit.scheduled_end and visit.scheduled_end <= visit.scheduled_start:
                raise ValidationError(_("Visit %(visit)s must end after it starts.", visit=visit.display_name))

    @api.constrains("time_spent")
    def _check_time_spent(self):
        for visit in self:
            if visit.time_spent < 0:
                raise ValidationError(
                    _("The time spent on visit %(visit)s cannot be negative.", visit=visit.display_name)
                )

    @api.constrains("technician_id", "helper_ids")
    def _check_active_technicians(self):
        for visit in self:
            inactive = (visit.technician_id | visit.helper_ids).filtered(lambda t: not t.active)
            if inactive:
                raise ValidationError(
                    _(
                        "%(technicians)s no longer work as technicians: choose someone else for %(visit)s.",
                        technicians=", ".join(inactive.mapped("name")),
                        visit=visit.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = sequence.next_by_code("aftersales.visit") or _("New")
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda visit: visit.state not in ("draft", "cancel"))
        if started:
            raise UserError(
                _(
                    "Cancel visits rather than deleting them, so their history stays: %(visits)s",
                    visits=", ".join(started.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _aftersales_check_state(self, allowed, action):
        wrong = self.filtered(lambda visit: visit.state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for %(visits)s in their current state.",
                    action=action,
                    visits=", ".join(wrong.mapped("name")),
                )
            )

    def action_schedule(self):
        self._aftersales_check_state(("draft",), _("Scheduling"))
        missing = self.filtered(lambda visit: not visit.technician_id or not visit.scheduled_start)
        if missing:
            raise UserError(
                _(
                    "Choose a technician and a start for %(visits)s before scheduling.",
                    visits=", ".join(missing.mapped("name")),
                )
            )
        self.write({"state": "scheduled"})

    def action_confirm(self):
        self._aftersales_check_state(("scheduled",), _("Confirming"))
        self.write({"state": "confirmed"})

    def action_start(self):
        self._aftersales_check_state(("scheduled", "confirmed"), _("Starting"))
        self.write({"state": "in_progress", "check_in": fields.Datetime.now()})

    def action_stop(self):
        self._aftersales_check_state(("in_progress",), _("Stopping"))
        self.write({"check_out": fields.Datetime.now()})

    def action_done(self):
        self._aftersales_check_state(("in_progress",), _("Finishing"))
        for visit in self:
            if is_html_empty(visit.work_report):
                raise UserError(_("Write the work report of %(visit)s before finishing it.", visit=visit.name))
            if visit.requires_signature and not visit.signature:
                raise UserError(
                    _("The customer must sign the work report of %(visit)s before it is done.", visit=visit.name)
                )
        now = fields.Datetime.now()
        for visit in self:
            visit.write({"state": "done", "check_out": visit.check_out or now})

    def action_cancel(self):
        self._aftersales_check_state(("draft", "scheduled", "confirmed", "in_progress"), _("Cancelling"))
        self.write({"state": "cancel"})

    def action_reset_draft(self):
        self._aftersales_check_state(("cancel",), _("Resetting"))
        self.write({"state": "draft"})
