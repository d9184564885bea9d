import math
from collections import Counter
from contextlib import nullcontext
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date, format_datetime, format_time, html2plaintext, is_html_empty

from ..tools.dispatch import partner_point
from ..tools.route_planning import great_circle_km
from ..tools.timezones import person_tz

PLANNED_STATES = ("draft", "scheduled", "confirmed")
# what the planning rules read: the type sets the duration and the skill level needed
ASSIGNMENT_FIELDS = {
    "technician_id",
    "scheduled_start",
    "scheduled_end",
    "partner_id",
    "visit_type_id",
    "ticket_id",
    "assignment_forced",
    "assignment_forced_reason",
    "window_start",
    "window_end",
}
# the dispatcher forces an assignment now when one of these is written
FORCING_FIELDS = {"assignment_forced", "assignment_forced_reason"}
# a forced assignment is for one technician and time: changing them drops the forcing
FORCED_FIELDS = ("technician_id", "scheduled_start", "scheduled_end")
# the workflow of a visit: changed by its actions only, whoever the user is
WORKFLOW_FIELDS = frozenset(
    {
        "state",
        "check_in",
        "check_out",
        "signed_on",
        "partner_job_state",
        "partner_decline_reason",
        "partner_dispatcher_id",
    }
)
# what a technician receives from dispatch and may not change on their own visits
DISPATCH_FIELDS = frozenset(
    {
        "ticket_id",
        "partner_id",
        "visit_type_id",
        "previous_visit_id",
        "technician_id",
        "helper_ids",
        "scheduled_start",
        "scheduled_end",
        "window_start",
        "window_end",
        "service_partner_id",
    }
)
# the visit's reference, given by its sequence when it is created
REFERENCE_FIELDS = frozenset({"name"})
# where a visit comes from and what was sent about it: set by the flows, never by a technician
ORIGIN_FIELDS = frozenset({"picking_id", "move_id", "reminder_sent"})
# the fields a dispatcher or a manager corrects on a done visit, with a reason
CORRECTION_FIELDS = (
    "technician_id",
    "check_in",
    "check_out",
    "time_spent",
    "work_report",
    "signed_by",
)
# key of the transaction's cache holding the visits whose planning rules the caller has just checked
_CHECKED_KEY = "aftersales_planning_checked"
DISPATCHER_GROUP = "aftersales_service.aftersales_service_group_dispatcher"

PARTNER_JOB_STATES = [
    ("offered", "Offered"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("done", "Done"),
]
# a partner's job holds the visit: no technician, no planning
PARTNER_JOB_ACTIVE = ("offered", "accepted", "done")
# the most a service partner may give as the time spent on one job
MAX_PARTNER_JOB_HOURS = 24

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
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "scheduled_start, id"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram", default=lambda self: _("New")
    )
    ticket_id = fields.Many2one(
        "aftersales.ticket", required=True, index=True, check_company=True, ondelete="restrict", tracking=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True, precompute=True)
    branch_id = fields.Many2one(related="ticket_id.branch_id", store=True, index="btree_not_null", precompute=True)
    previous_visit_id = fields.Many2one(
        "aftersales.visit",
        string="Follows Visit",
        check_company=True,
        domain="[('ticket_id', '=', ticket_id), ('id', '!=', id)]",
        help="The visit this one follows up on.",
        tracking=True,
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
        tracking=True,
    )
    scheduled_start = fields.Datetime(tracking=True, index=True)
    scheduled_end = fields.Datetime(
        tracking=True, compute="_compute_scheduled_end", store=True, readonly=False, precompute=True
    )
    technician_id = fields.Many2one(
        "aftersales.technician", index=True, check_company=True, tracking=True, ondelete="restrict"
    )
    technician_user_id = fields.Many2one(related="technician_id.user_id", store=True, string="Technician User")
    helper_ids = fields.Many2many("aftersales.technician", string="Helpers", check_company=True, tracking=True)
    assignment_forced = fields.Boolean(
        string="Force Assignment",
        tracking=True,
        copy=False,
        groups="aftersales_service.aftersales_service_group_dispatcher",
        help="Keep this technician and time even though they break a rule (skill, zone, working "
        "hours, another visit, daily capacity); the conflicts are written in the chatter.",
    )
    assignment_forced_reason = fields.Char(
        string="Reason for Forcing",
        tracking=True,
        copy=False,
        groups="aftersales_service.aftersales_service_group_dispatcher",
        help="Why the dispatcher keeps this technician and time despite the broken rules; required to force "
        "an assignment, and written in the audit log.",
    )
    state = fields.Selection(VISIT_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    check_in = fields.Datetime(readonly=True, copy=False, tracking=True)
    check_out = fields.Datetime(readonly=True, copy=False, tracking=True)
    time_spent = fields.Float(
        help="Hours spent on site; filled in from the check-in and check-out, and can be corrected.",
        compute="_compute_time_spent",
        store=True,
        readonly=False,
        copy=False,
        tracking=True,
    )
    work_report = fields.Html(copy=False)
    signature = fields.Image(max_width=1024, max_height=1024, copy=False, attachment=True)
    signed_by = fields.Char(copy=False, help="Name of the person who signed the work report.", tracking=True)
    signed_on = fields.Datetime(copy=False)
    requires_signature = fields.Boolean(related="visit_type_id.requires_signature")
    line_ids = fields.One2many("aftersales.visit.line", "visit_id", string="Billable Lines", copy=False)
    fee_amount = fields.Monetary(
        string="Fees",
        compute="_compute_fee_amount",
        currency_field="fee_currency_id",
        help="Total of the billable lines.",
    )
    fee_currency_id = fields.Many2one("res.currency", compute="_compute_fee_amount")
    fee_order_ids = fields.Many2many("sale.order", string="Service Orders", compute="_compute_fee_order_ids")
    commission_ids = fields.One2many("aftersales.commission", "visit_id", string="Commissions", readonly=True)
    photo_ids = fields.Many2many(
        "ir.attachment",
        "aftersales_visit_photo_rel",
        "visit_id",
        "attachment_id",
        string="Photos",
        copy=False,
        help="Pictures taken on site: the unit, its serial plate, the work done.",
    )
    visit_kind = fields.Selection(related="visit_type_id.kind")
    product_id = fields.Many2one(related="ticket_id.product_id", tracking=False)
    lot_id = fields.Many2one(related="ticket_id.lot_id", string="Serial Number", tracking=False)
    sale_order_id = fields.Many2one(related="ticket_id.sale_order_id", tracking=False)
    partner_street = fields.Char(related="partner_id.street", string="Street")
    partner_city = fields.Char(related="partner_id.city", string="City")
    time_window = fields.Char(
        compute="_compute_time_window", help="The planned hours of the visit, in the user's time zone."
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The delivery that asked for this installation.",
    )
    move_id = fields.Many2one("stock.move", string="Delivered Move", readonly=True, copy=False, index="btree_not_null")
    installation_card_ids = fields.One2many("aftersales.installation.card", "visit_id", string="Installation Cards")
    installation_card_id = fields.Many2one(
        "aftersales.installation.card",
        compute="_compute_installation_card_id",
        store=True,
        index="btree_not_null",
    )
    installation_card_state = fields.Selection(related="installation_card_id.state", string="Card Status")
    service_partner_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        copy=False,
        check_company=True,
        domain="[('aftersales_service_partner', '=', True)]",
        help="An outside service company this visit is dispatched to instead of one of our technicians; "
        "its portal users are offered the job by e-mail.",
    )
    partner_job_state = fields.Selection(
        PARTNER_JOB_STATES, string="Partner Job Status", readonly=True, copy=False, tracking=True, index=True
    )
    partner_decline_reason = fields.Text(string="Decline Reason", readonly=True, copy=False)
    partner_dispatcher_id = fields.Many2one(
        "res.users", string="Dispatched by", readonly=True, copy=False, help="Who offered the job to the partner."
    )
    partner_settlement_line_ids = fields.One2many(
        "aftersales.partner.settlement.line", "visit_id", string="Settlement Lines", readonly=True
    )
    can_dispatch = fields.Boolean(
        compute="_compute_can_dispatch",
        help="Whether the user may change the ticket, people and schedule of a saved visit (only agents and up "
        "create visits).",
    )

    # ------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------

    @api.depends_context("uid")
    def _compute_can_dispatch(self):
        # the same rule as the guarded fields: shown read-only where a write would be refused
        self.can_dispatch = not DISPATCH_FIELDS & self._guarded_fields()

    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for visit in self:
            if visit.ticket_id and not visit.partner_id:
                visit.partner_id = visit.ticket_id.service_address_id or visit.ticket_id.partner_id

    @api.depends("scheduled_start", "visit_type_id")
    def _compute_scheduled_end(self):
        for visit in self:
            if visit.scheduled_start:
                visit.scheduled_end = visit.scheduled_start + timedelta(
                    hours=visit.visit_type_id.default_duration or 1.0
                )

    @api.depends("installation_card_ids")
    def _compute_installation_card_id(self):
        for visit in self:
            visit.installation_card_id = visit.installation_card_ids[:1]

    @api.depends("scheduled_start", "scheduled_end")
    @api.depends_context("tz")
    def _compute_time_window(self):
        for visit in self:
            if not visit.scheduled_start:
                visit.time_window = False
                continue
            start = fields.Datetime.context_timestamp(visit, visit.scheduled_start)
            window = format_time(self.env, start.time(), time_format="short")
            if visit.scheduled_end:
                end = fields.Datetime.context_timestamp(visit, visit.scheduled_end)
                window = f"{window} - {format_time(self.env, end.time(), time_format='short')}"
            visit.time_window = window

    @api.depends("check_in", "check_out")
    def _compute_time_spent(self):
        for visit in self:
            if visit.check_in and visit.check_out:
                visit.time_spent = (visit.check_out - visit.check_in).total_seconds() / 3600.0

    @api.depends("line_ids.price_subtotal")
    def _compute_fee_amount(self):
        for visit in self:
            visit.fee_currency_id = visit.line_ids.currency_id[:1] or visit.company_id.currency_id
            visit.fee_amount = sum(visit.line_ids.mapped("price_subtotal"))

    @api.depends("line_ids.sale_line_ids")
    def _compute_fee_order_ids(self):
        for visit in self:
            visit.fee_order_ids = visit.line_ids.sale_line_ids.order_id

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

    @api.constrains("service_partner_id", "technician_id", "partner_job_state")
    def _check_service_partner(self):
        for visit in self.filtered("service_partner_id"):
            if not visit.service_partner_id.aftersales_service_partner:
                raise ValidationError(
                    _(
                        "%(partner)s is not a service partner: mark it as one before dispatching visits to it.",
                        partner=visit.service_partner_id.display_name,
                    )
                )
            if visit.technician_id and visit.partner_job_state in PARTNER_JOB_ACTIVE:
                raise ValidationError(
                    _(
                        "Visit %(visit)s is dispatched to %(partner)s: it cannot have a technician of ours too.",
                        visit=visit.name,
                        partner=visit.service_partner_id.display_name,
                    )
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
    # Guarded fields
    # ------------------------------------------------------------------

    @api.model
    def _guarded_fields(self):
        """The workflow for everyone; the forcing of an assignment for all but dispatchers; what
        dispatch decides (ticket, technician, helpers, schedule, service partner) for technicians."""
        guarded = super()._guarded_fields() | WORKFLOW_FIELDS | REFERENCE_FIELDS
        user = self.env.user
        if not user.has_group("aftersales_service.aftersales_service_group_dispatcher"):
            guarded |= FORCING_FIELDS
        if not user.has_group("aftersales_service.aftersales_service_group_user"):
            guarded |= DISPATCH_FIELDS | ORIGIN_FIELDS
        return guarded

    def _locked_records(self):
        """Done visits: the customer signed what was done; only the Correct action changes them."""
        return super()._locked_records() | self.filtered(lambda visit: visit.state == "done")

    def _check_ticket_readable(self, ticket_ids):
        """A visit only goes to a ticket the user may read anyway."""
        if self.env.su:
            return
        tickets = self.env["aftersales.ticket"].browse(set(ticket_ids) - {False})
        tickets.check_access("read")

    def _check_photos(self, attachment_ids):
        """Refuse to link ``attachment_ids`` as photos of the visits ``self`` (none for new visits)
        unless the user may read each of them and it is theirs to give: a file uploaded for this
        visit, or one they have just uploaded and that is attached to no document yet (the form's
        upload of a new visit). A file of another document would be sent out with the service report."""
        if self.env.su or not attachment_ids:
            return
        Attachment = self.env["ir.attachment"]
        attachments = Attachment.browse(attachment_ids)
        # sudo: what the user cannot read is refused below without being shown
        existing = attachments.sudo().exists()
        unreadable = attachments - existing.sudo(False)
        for attachment in existing.sudo(False):
            try:
                attachment.check("read")
                attachment.check_access("read")
            except AccessError:
                unreadable |= attachment
        if unreadable:
            raise AccessError(
                _(
                    "You may not read the files %(files)s: they cannot become photos of a visit. Upload the "
                    "pictures on the visit instead.",
                    files=", ".join(f"#{attachment_id}" for attachment_id in unreadable.ids),
                )
            )
        claimed = Counter()
        for visit in self or [self.browse()]:
            # sudo: the photos already linked are not checked again
            new = attachments - visit.sudo().photo_ids.sudo(False)
            foreign = new.sudo().filtered(lambda a, visit=visit: not visit._owns_photo(a))
            if foreign:
                raise visit._foreign_photos_refusal(foreign)
            claimed.update(new.sudo().filtered(lambda a: not a.res_id).ids)
        shared = [attachment_id for attachment_id, count in claimed.items() if count > 1]
        if shared:
            raise UserError(
                _(
                    "A photo belongs to one visit: %(files)s cannot be added to several visits at once.",
                    files=", ".join(Attachment.browse(shared).sudo().mapped("name")),
                )
            )

    def _owns_photo(self, attachment_sudo):
        """Whether ``attachment_sudo`` may be a photo of this visit (or of a new visit when ``self`` is
        empty): uploaded for it, or uploaded by the user and attached to nothing yet."""
        if attachment_sudo.res_field:
            return False
        if not attachment_sudo.res_id:
            return attachment_sudo.create_uid == self.env.user
        return bool(self) and attachment_sudo.res_model == self._name and attachment_sudo.res_id == self.id

    def _foreign_photos_refusal(self, attachments_sudo):
        return AccessError(
            _(
                "%(files)s belong to another document: the photos of %(visit)s are pictures uploaded for it.",
                files=", ".join(attachments_sudo.mapped("name")),
                visit=self.name or _("a new visit"),
            )
        )

    def _attach_photos(self, before):
        """Attach to this visit the photos linked to it since ``before``; refuse those created on another
        document. Call it after :meth:`_check_photos` and the write."""
        self.ensure_one()
        # sudo: the photos' document is written after the checks, whoever may write attachments
        new = self.sudo().photo_ids - before.sudo()
        if not self.env.su:
            foreign = new.filtered(lambda a: not self._owns_photo(a))
            if foreign:
                raise self._foreign_photos_refusal(foreign)
        unattached = new.filtered(lambda a: not a.res_id and not a.res_field)
        if unattached:
            unattached.write({"res_model": self._name, "res_id": self.id})

    def _attached_photos(self):
        """The photos that are this visit's files: what the portal and the service report show."""
        self.ensure_one()
        return self.photo_ids.filtered(lambda a: a.res_model == self._name and a.res_id == self.id)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # the client's values first: the reference and the moment of the signature below are the model's own
        self._guard_check_create(vals_list)
        if any(vals.get("service_partner_id") for vals in vals_list):
            self._check_partner_change(False)
        self._check_ticket_readable([vals.get("ticket_id") for vals in vals_list])
        for vals in vals_list:
            if vals.get("photo_ids"):
                self.browse()._check_photos(_linked_ids(vals["photo_ids"]))
        sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = sequence.next_by_code("aftersales.visit") or _("New")
        signed = False
        for vals in vals_list:
            if vals.get("signature"):
                vals["signed_on"] = fields.Datetime.now()
                signed = True
        with self._unguard("name", "signed_on") if signed else self._unguard("name"):
            visits = super().create(vals_list)
        for visit, vals in zip(visits, vals_list, strict=True):
            if vals.get("photo_ids"):
                visit._attach_photos(self.env["ir.attachment"])
        visits._check_assignment(
            forcing=visits.browse(
                visit.id for visit, vals in zip(visits, vals_list, strict=True) if FORCING_FIELDS.intersection(vals)
            )
        )
        visits._create_installation_cards()
        visits.filtered("service_partner_id")._offer_to_partner()
        return visits

    def write(self, vals):
        signing = "signature" in vals
        if signing:
            # the moment of the signature is the server's, never the client's
            vals = dict(vals, signed_on=fields.Datetime.now() if vals["signature"] else False)
        # the rights first: a field changed by the actions only is refused as such
        with self._unguard("signed_on") if signing else nullcontext():
            self._guard_check_write(vals)
        if "service_partner_id" in vals:
            self._check_partner_change(vals["service_partner_id"])
        if vals.get("ticket_id"):
            self._check_ticket_readable([vals["ticket_id"]])
        photos_before = {}
        if vals.get("photo_ids"):
            # sudo: the photos already linked, whoever may read them, are not linked again
            photos_before = {visit: visit.sudo().photo_ids for visit in self}
            self._check_photos(_linked_ids(vals["photo_ids"]))
        forcing = bool(FORCING_FIELDS.intersection(vals))
        # the rules are checked again only where the technician, the time or what they depend on changes
        rule_fields = sorted((ASSIGNMENT_FIELDS - FORCING_FIELDS).intersection(vals))
        rule_values = {visit.id: tuple(visit[name] for name in rule_fields) for visit in self} if not forcing else {}
        before = {}
        if not forcing and ASSIGNMENT_FIELDS.intersection(vals):
            # sudo: the flag is read only; it is cleared below when the forced assignment changes
            before = {visit: _forced_values(visit) for visit in self.sudo().filtered("assignment_forced")}
        with self._unguard("signed_on") if signing else nullcontext():
            result = super().write(vals)
        for visit, before_photos in photos_before.items():
            visit._attach_photos(before_photos)
        if "service_partner_id" in vals:
            if vals["service_partner_id"]:
                self._offer_to_partner()
            else:
                with self._unguard("partner_job_state"):
                    self.write({"partner_job_state": False})
        moved = self.browse(visit.id for visit, values in before.items() if _forced_values(visit) != values)
        if moved:
            # sudo: the forcing was for the former technician or time; the rules apply again to the new ones
            with moved._assignment_checked():
                moved.sudo().write({"assignment_forced": False, "assignment_forced_reason": False})
        if forcing:
            self._check_assignment(forcing=self)
        elif rule_fields:
            self.filtered(lambda v: tuple(v[name] for name in rule_fields) != rule_values[v.id])._check_assignment()
        if "visit_type_id" in vals:
            self._create_installation_cards()
        return result

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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_installation_recorded(self):
        recorded = self.filtered(lambda visit: visit.installation_card_id.state not in (False, "draft"))
        if recorded:
            raise UserError(
                _(
                    "The installation cards of %(visits)s are handed in: cancel these visits instead.",
                    visits=", ".join(recorded.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_state(self, allowed, action):
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
        self._check_state(("draft",), _("Scheduling"))
        missing = self.filtered(lambda visit: not visit.technician_id or not visit.scheduled_start)
        if missing:
            raise UserError(
                _(
                    "Choose a technician and a start for %(visits)s before scheduling.",
                    visits=", ".join(missing.mapped("name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "scheduled"})

    def action_confirm(self):
        self._check_state(("scheduled",), _("Confirming"))
        with self._unguard("state"):
            self.write({"state": "confirmed"})

    def action_start(self):
        """Check in on site. A draft visit that dispatch gave a technician and a time is scheduled on
        the way: the technician at the door does not wait for the office to press Schedule."""
        self._check_state(("draft", "scheduled", "confirmed"), _("Starting"))
        self.filtered(lambda visit: visit.state == "draft").action_schedule()
        with self._unguard("state", "check_in"):
            self.write({"state": "in_progress", "check_in": fields.Datetime.now()})

    def action_stop(self):
        self._check_state(("in_progress",), _("Stopping"))
        with self._unguard("check_out"):
            self.write({"check_out": fields.Datetime.now()})

    def action_done(self):
        """Finish the visits, in named steps that other addons extend (``super()`` inside the step):

        1. ``_check_done``: every refusal, before anything changes;
        2. ``_prepare_done``: what the visits need before they are done (e.g. the lines of the parts used);
        3. the visits are done and locked;
        4. ``_bill_lines``: their fees go on their service order;
        5. ``_after_done``: what follows (commissions, follow-ups, reports, surveys, warranties, stock...).
        """
        self._check_done()
        self._prepare_done()
        now = fields.Datetime.now()
        # the checks are passed: the visits are done, and locked from now on
        with self._unguard():
            for visit in self:
                # writing the check-out again would recompute a corrected time spent
                visit.write({"state": "done"} if visit.check_out else {"state": "done", "check_out": now})
            self.filtered(lambda v: v.partner_job_state == "accepted").write({"partner_job_state": "done"})
        self._bill_lines()
        self._after_done()

    def _check_done(self):
        """Refuse to finish visits that are not ready; extensions add their refusals after ``super()``.
        Nothing is changed before every refusal is checked."""
        self._check_state(("in_progress",), _("Finishing"))
        # a declined job is done by whoever the dispatcher gives it to next
        not_accepted = self.filtered(
            lambda v: v.partner_job_state == "offered" or (v.partner_job_state == "declined" and not v.technician_id)
        )
        if not_accepted:
            raise UserError(
                _(
                    "The service partner has not accepted %(visits)s: it cannot be done.",
                    visits=", ".join(not_accepted.mapped("name")),
                )
            )
        for visit in self:
            if is_html_empty(visit.work_report):
                raise UserError(_("Write the work report of %(visit)s before finishing it.", visit=visit.name))
            if visit.requires_signature and not visit.signature:
                raise UserError(
                    _("The customer must sign the work report of %(visit)s before it is done.", visit=visit.name)
                )
            if visit.visit_kind == "installation" and visit.installation_card_id.state != "confirmed":
                raise UserError(
                    _(
                        "The customer must confirm the installation card of %(visit)s before it is done.",
                        visit=visit.name,
                    )
                )

    def _prepare_done(self):
        """Prepare the checked visits before they are done and locked: what they must hold to be billed
        (another addon adds the lines of the parts used, for instance). Nothing to prepare here."""

    def _after_done(self):
        """What follows the done visits, once billed: their commissions, follow-up calls, the service
        report and the satisfaction survey. Extensions add theirs after ``super()``."""
        self.env["aftersales.commission"].sudo()._compute_for_visits(self)
        self.env["aftersales.followup"].sudo()._plan_for_visits(self)
        self._send_service_report()
        for visit in self.filtered("ticket_id"):
            visit.ticket_id._send_csat_survey("visit_done", visit=visit)

    def action_cancel(self):
        self._check_state(("draft", "scheduled", "confirmed", "in_progress"), _("Cancelling"))
        with self._unguard("state"):
            self.write({"state": "cancel"})

    def action_reset_draft(self):
        self._check_state(("cancel",), _("Resetting"))
        with self._unguard("state"):
            self.write({"state": "draft"})

    def action_correct(self):
        """Open the window in which a dispatcher or a manager corrects a done visit, saying why."""
        self.ensure_one()
        self._check_can_correct()
        return {
            "type": "ir.actions.act_window",
            "name": _("Correct %(visit)s", visit=self.name),
            "res_model": "aftersales.visit.correct",
            "view_mode": "form",
            "target": "new",
            "context": {"default_visit_id": self.id},
        }

    def _check_can_correct(self):
        """Only a dispatcher or a manager corrects done visits they may change."""
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(_("Only dispatchers and managers correct done visits."))
        self.check_access("write")
        self._check_state(("done",), _("Correcting"))

    def _correct(self, changes, reason):
        """Write the corrections ``changes`` on this done visit, in its chatter and the audit log.

        Call it after :meth:`_check_can_correct`. The commissions of open periods follow a new
        technician or check-out; closed periods stay as they are.
        """
        self.ensure_one()
        old = {name: self._correction_text(name) for name in changes}
        with self._unguard():
            self.write(changes)
        new = {name: self._correction_text(name) for name in changes}
        labels = {name: self._fields[name]._description_string(self.env) for name in changes}
        items = Markup("").join(
            Markup("<li>%s: %s &#8594; %s</li>") % (labels[name], old[name], new[name]) for name in changes
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (_("Done visit corrected by %(user)s. Why: %(reason)s", user=self.env.user.name, reason=reason), items),
            subtype_xmlid="mail.mt_note",
        )
        self.env["aftersales.audit.log"]._audit(
            "visit_corrected",
            self,
            reason,
            old="; ".join(f"{labels[name]}: {old[name]}" for name in changes),
            new="; ".join(f"{labels[name]}: {new[name]}" for name in changes),
        )
        if {"technician_id", "check_out"}.intersection(changes):
            # sudo: the commissions follow the corrected visit, whoever corrects it
            self.env["aftersales.commission"].sudo()._compute_for_visits(self)

    def _correction_text(self, name):
        field = self._fields[name]
        value = self[name]
        if field.type == "many2one":
            return value.display_name or "-"
        if field.type == "datetime":
            return format_datetime(self.env, value) if value else "-"
        if field.type == "html":
            return html2plaintext(value or "").strip()[:200] or "-"
        if field.type == "float":
            return f"{value:.2f}"
        return str(value or "-")[:200]

    def action_view_fee_orders(self):
        self.ensure_one()
        return self.ticket_id.action_view_fee_order()

    # ------------------------------------------------------------------
    # Fees
    # ------------------------------------------------------------------

    def _check_lines_editable(self):
        done = self.filtered(lambda visit: visit.state == "done")
        if done:
            raise UserError(
                _(
                    "The fees of %(visits)s are billed: they can no longer be changed. Correct the service "
                    "order instead.",
                    visits=", ".join(done.mapped("name")),
                )
            )

    def _send_service_report(self):
        """E-mail the service report of the done visits to their customers, when the company asks for it;
        a note in the chatter says why when the customer has no e-mail address."""
        template = self.env.ref("aftersales_service.mail_template_visit_service_report", raise_if_not_found=False)
        if not template:
            return
        for visit in self.filtered(lambda v: v.state == "done" and v.company_id.aftersales_send_service_report):
            customer = visit._report_recipient()
            if not customer.email:
                visit.message_post(
                    body=_(
                        "The service report was not sent: %(customer)s has no e-mail address.",
                        customer=customer.display_name or _("the customer"),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            visit.sudo().message_post_with_source(template, message_type="comment", subtype_xmlid="mail.mt_comment")

    def _report_recipient(self):
        self.ensure_one()
        return self.ticket_id.partner_id or self.partner_id

    def _zone(self):
        """The zone the visit's address is in, the technician's zones first."""
        self.ensure_one()
        zones = self.technician_id.zone_ids or self.env["aftersales.zone"].search(
            [("company_id", "in", [False, self.company_id.id])]
        )
        return next((zone for zone in zones if zone._covers(self.partner_id)), self.env["aftersales.zone"])

    def _fee_product(self, line_type):
        """The service product proposed for a new billable line of ``line_type``."""
        self.ensure_one()
        visit_type = self.visit_type_id
        if line_type == "labour":
            return visit_type.labour_product_id
        if line_type == "travel_zone":
            return self._zone().travel_product_id
        if line_type == "travel_km":
            return visit_type.travel_km_product_id
        return visit_type.fee_product_id

    def _travel_km(self):
        """Kilometres from the technician's home base to the address and back (0 when unknown)."""
        self.ensure_one()
        distance = great_circle_km(partner_point(self.technician_id.home_partner_id), partner_point(self.partner_id))
        return round(2 * distance, 1) if distance else 0.0

    def _bill_lines(self):
        """The billing step of ``action_done``: put the billable lines of done visits on their service
        order (see ``_billing_order``), the lines not billed yet (e.g. on an accepted quotation)."""
        for visit in self:
            lines = visit.line_ids.sudo()._unbilled()
            if not lines:
                continue
            order = visit._billing_order()
            self.env["sale.order.line"].sudo().create([line._prepare_sale_line_vals(order) for line in lines])
            if order.state in ("draft", "sent"):
                order.action_confirm()
            visit.message_post(
                body=_("Fees billed on %(order)s.", order=order._get_html_link()), subtype_xmlid="mail.mt_note"
            )

    def action_view_installation_card(self):
        self.ensure_one()
        if not self.installation_card_id:
            raise UserError(_("Visit %(visit)s has no installation card.", visit=self.name))
        return {
            "type": "ir.actions.act_window",
            "name": self.installation_card_id.display_name,
            "res_model": "aftersales.installation.card",
            "res_id": self.installation_card_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _create_installation_cards(self):
        """Each installation visit has its card, created along with it."""
        missing = self.filtered(lambda visit: visit.visit_kind == "installation" and not visit.installation_card_ids)
        if missing:
            # a consequence of the visit's type, whoever set it
            self.env["aftersales.installation.card"].sudo().create([{"visit_id": visit.id} for visit in missing])
            missing.invalidate_recordset(["installation_card_ids"])

    # ------------------------------------------------------------------
    # Service partners
    # ------------------------------------------------------------------

    def _check_partner_change(self, partner_id):
        if not self.env.su and not self.env.user.has_group("aftersales_service.aftersales_service_group_dispatcher"):
            raise AccessError(_("Only dispatchers dispatch visits to service partners."))
        locked = self.filtered(
            lambda v: v.partner_job_state in ("accepted", "done") and v.service_partner_id.id != partner_id
        )
        if locked:
            raise UserError(
                _(
                    "The service partner accepted %(visits)s: ask them to give it back before dispatching it "
                    "elsewhere.",
                    visits=", ".join(locked.mapped("name")),
                )
            )
        closed = self.filtered(lambda v: v.state in ("done", "cancel"))
        if closed:
            raise UserError(
                _(
                    "Visits %(visits)s are done or cancelled: they cannot be dispatched.",
                    visits=", ".join(closed.mapped("name")),
                )
            )

    def _schedule_text(self, partner):
        """The day and hours of the visit as ``partner`` reads them: in their time zone (else their
        company's, else ours), for e-mails written to them."""
        self.ensure_one()
        if not self.scheduled_start:
            return ""
        visit = self.with_context(tz=person_tz(partner, self.company_id))
        day = format_date(visit.env, self.scheduled_start)
        return f"{day} {visit.time_window}"

    def _partner_job_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/jobs/{self.id}"

    def _offer_to_partner(self):
        """Offer the jobs to their service partner and tell its portal users by e-mail."""
        for visit in self:
            if visit.partner_job_state in ("accepted", "done"):
                continue
            if visit.technician_id:
                raise ValidationError(
                    _(
                        "Visit %(visit)s is assigned to %(technician)s: unassign them before dispatching it to a "
                        "service partner.",
                        visit=visit.name,
                        technician=visit.technician_id.name,
                    )
                )
            with visit._unguard("partner_job_state", "partner_decline_reason", "partner_dispatcher_id"):
                visit.write(
                    {
                        "partner_job_state": "offered",
                        "partner_decline_reason": False,
                        "partner_dispatcher_id": self.env.user.id,
                    }
                )
            visit._send_partner_offer()

    def _send_partner_offer(self):
        self.ensure_one()
        template = self.env.ref("aftersales_service.mail_template_partner_job_offer", raise_if_not_found=False)
        if not template:
            return
        partner = self.service_partner_id
        recipients = partner._aftersales_partner_portal_users().partner_id.filtered("email")
        if not recipients and partner.email:
            recipients = partner
        if not recipients:
            self.message_post(
                body=_(
                    "The job offer was not sent: %(partner)s has no portal user nor e-mail address.",
                    partner=partner.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        self.sudo().message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipients.ids,
        )

    def _check_partner_job(self, allowed, action):
        wrong = self.filtered(lambda v: not v.service_partner_id or v.partner_job_state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for job %(visits)s in its current state.",
                    action=action,
                    visits=", ".join(wrong.mapped("name")),
                )
            )

    def _check_partner_job_user(self):
        """Only the service partner answers its jobs: the caller is a portal user of the visits' service
        partner (the partner portal calls the partner's methods after its own check). The superuser
        (fixtures, scripts) is not checked; ``sudo()`` grants nothing here."""
        user = self.env.user
        if user._is_superuser():
            return
        others = self.filtered(
            lambda v: not user.share or not v.service_partner_id or v.service_partner_id != user.commercial_partner_id
        )
        if others:
            raise AccessError(
                _(
                    "Only the service partner a job is dispatched to answers it, on its portal: %(user)s "
                    "cannot act on %(visits)s on its behalf.",
                    user=user.name,
                    visits=", ".join(others.mapped("name")),
                )
            )

    def _partner_accept(self):
        """The service partner takes the job: the visit is confirmed. Called by the partner portal."""
        self._check_partner_job_user()
        self._check_partner_job(("offered",), _("Accepting"))
        self._check_state(("draft", "scheduled", "confirmed"), _("Accepting"))
        for visit in self:
            with visit._unguard("partner_job_state", "state"):
                visit.write({"partner_job_state": "accepted", "state": "confirmed"})
            visit.message_post(
                body=_("%(partner)s accepted the job.", partner=visit.service_partner_id.display_name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _partner_decline(self, reason):
        """The service partner refuses the job: it goes back to dispatch, with an activity for the dispatcher.
        Called by the partner portal."""
        self._check_partner_job_user()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the job is declined."))
        self._check_partner_job(("offered",), _("Declining"))
        for visit in self:
            partner = visit.service_partner_id
            with visit._unguard("partner_job_state", "partner_decline_reason"):
                visit.write({"partner_job_state": "declined", "partner_decline_reason": reason})
            visit.message_post(
                body=_("%(partner)s declined the job: %(reason)s", partner=partner.display_name, reason=reason),
                subtype_xmlid="mail.mt_note",
            )
            visit._schedule_for_responsible(
                "mail.mail_activity_data_todo",
                summary=_("Dispatch again: declined by %(partner)s", partner=partner.display_name),
                note=reason,
            )
        return True

    def _partner_record_work(self, report=None, hours=None, finish=False):
        """What the service partner records on the portal: the report, the hours, and the end of the job.

        The partner only reports the job done: the customer is billed when a dispatcher validates it
        (*Done*), after checking the hours and parts the partner gave."""
        self.ensure_one()
        self._check_partner_job_user()
        self._check_partner_job(("accepted",), _("Recording the work"))
        if hours is not None and not (math.isfinite(hours) and 0 <= hours <= MAX_PARTNER_JOB_HOURS):
            raise UserError(_("The time spent on a job is between 0 and %(hours)s hours.", hours=MAX_PARTNER_JOB_HOURS))
        if self.state in ("scheduled", "confirmed"):
            self.action_start()
        self._check_state(("in_progress",), _("Recording the work"))
        if finish and not self.check_out:
            # checking out recomputes the time spent: keep the hours the partner gave
            if hours is None and self.time_spent:
                hours = self.time_spent
            self.action_stop()
        vals = {}
        if report is not None:
            vals["work_report"] = report
        if hours is not None:
            vals["time_spent"] = hours
        if vals:
            self.write(vals)
        if finish:
            self._partner_report_done()
        return True

    def _partner_report_done(self):
        """The partner says the job is done: the dispatcher who offered it validates it."""
        self.ensure_one()
        self._check_partner_job_user()
        if is_html_empty(self.work_report):
            raise UserError(_("Write the work report of %(visit)s before finishing it.", visit=self.name))
        with self._unguard("partner_job_state"):
            self.write({"partner_job_state": "done"})
        partner = self.service_partner_id
        self.message_post(
            body=_("%(partner)s reported the job done.", partner=partner.display_name), subtype_xmlid="mail.mt_note"
        )
        self._schedule_for_responsible(
            "mail.mail_activity_data_todo",
            summary=_("Validate the job done by %(partner)s", partner=partner.display_name),
            note=_("Check the report, the hours and the parts, then mark the visit done: the customer is billed then."),
        )

    def _responsible(self, assignee=None):
        """Who takes the work asked about this visit: ``assignee`` (default: the dispatcher who
        offered the job), else the ticket's team leader, the branch manager, the company's
        after-sales manager; empty when there is nobody."""
        self.ensure_one()
        if assignee is None:
            assignee = self.partner_dispatcher_id
        return self.company_id._aftersales_responsible_user(
            assignee=assignee, team=self.ticket_id.team_id, branch=self.branch_id
        )

    def _schedule_for_responsible(self, activity_type, assignee=None, **values):
        """An activity for the responsible user of the visit; without one, a note in the chatter
        says that nobody could be asked. Returns the activity (empty without one)."""
        self.ensure_one()
        responsible = self._responsible(assignee)
        if not responsible:
            self.message_post(
                body=_(
                    "Nobody could be asked to act (%(summary)s): the visit has no dispatcher, its team no "
                    "leader, its branch no manager and the company no after-sales manager. Give the team a "
                    "leader.",
                    summary=values.get("summary") or values.get("note") or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
            return self.env["mail.activity"]
        return self.activity_schedule(activity_type, user_id=responsible.id, **values)


def _forced_values(visit):
    return tuple(visit[name] for name in FORCED_FIELDS)


def _linked_ids(commands):
    """The ids of the records that the x2many ``commands`` link (``Command.link`` and ``Command.set``)."""
    if isinstance(commands, models.BaseModel):
        return list(commands.ids)
    ids = []
    for command in commands or ():
        if isinstance(command, int):
            ids.append(command)
        elif command[0] == Command.LINK:
            ids.append(command[1])
        elif command[0] == Command.SET:
            ids.extend(command[2])
    return ids
