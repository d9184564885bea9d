from collections import defaultdict
from datetime import timedelta
from math import asin, cos, radians, sin, sqrt

from markupsafe import Markup
from pytz import utc

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_time, is_html_empty

EARTH_RADIUS_KM = 6371.0
# the score weighs kilometres against visits already planned and skill levels
WORKLOAD_WEIGHT = 10.0
SKILL_WEIGHT = 5.0
UNKNOWN_DISTANCE_KM = 100.0
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
}

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
    assignment_forced = fields.Boolean(
        string="Force Assignment",
        tracking=True,
        copy=False,
        groups="aftersales_service.aftersales_service_group_dispatcher",
        help="Keep this technician and time even though they break a rule (skill, zone, working "
        "hours, another visit, daily capacity); the conflicts are written in the chatter.",
    )
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
        for vals in vals_list:
            if vals.get("signature"):
                vals.setdefault("signed_on", fields.Datetime.now())
        visits = super().create(vals_list)
        visits._aftersales_check_assignment()
        visits._aftersales_create_installation_cards()
        return visits

    def write(self, vals):
        if vals.get("signature") and "signed_on" not in vals:
            vals = dict(vals, signed_on=fields.Datetime.now())
        result = super().write(vals)
        if ASSIGNMENT_FIELDS.intersection(vals):
            self._aftersales_check_assignment()
        if "visit_type_id" in vals:
            self._aftersales_create_installation_cards()
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
            if visit.visit_kind == "installation" and visit.installation_card_id.state != "confirmed":
                raise UserError(
                    _(
                        "The customer must confirm the installation card of %(visit)s before it is done.",
                        visit=visit.name,
                    )
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

    def _aftersales_create_installation_cards(self):
        """Each installation visit has its card, created along with it."""
        missing = self.filtered(lambda visit: visit.visit_kind == "installation" and not visit.installation_card_ids)
        if missing:
            # a consequence of the visit's type, whoever set it
            self.env["aftersales.installation.card"].sudo().create([{"visit_id": visit.id} for visit in missing])
            missing.invalidate_recordset(["installation_card_ids"])

    # ------------------------------------------------------------------
    # Dispatch
    # ------------------------------------------------------------------

    def action_auto_assign(self):
        """Choose a technician for each visit, earliest SLA deadline first, and say why.

        Candidates are the active technicians with the skill at the level the visit
        type asks for, whose zones cover the address, who are free for the slot
        (inside their working hours, not on leave, no other visit at the same time)
        and under their daily capacity. The best has the lowest score: kilometres
        from the previous stop of the day (or the home base), plus the visits they
        already have that day, minus their skill level. The choice and its reasons,
        or why nobody fits, go in the visit's chatter.
        """
        not_plannable = self.filtered(lambda v: v.state != "draft" or v.technician_id or not v.scheduled_start)
        if not_plannable:
            raise UserError(
                _(
                    "Only draft visits with a start and no technician can be assigned automatically: %(visits)s",
                    visits=", ".join(not_plannable.mapped("name")),
                )
            )
        planner = _DayPlanner(self)
        for visit in self.sorted(lambda v: (v.ticket_id.sla_resolve_deadline or v.scheduled_start, v.id)):
            planner.assign(visit)
        return True

    def _aftersales_check_assignment(self):
        """Refuse a technician who breaks a planning rule, unless a dispatcher forces it."""
        if self.env.context.get("aftersales_assignment_checked"):
            return
        visits = self.filtered(
            lambda v: v.technician_id and v.scheduled_start and v.scheduled_end and v.state in PLANNED_STATES
        )
        if not visits:
            return
        planner = _DayPlanner(visits, technicians=visits.technician_id, exclude=visits)
        for visit in visits:
            technician = visit.technician_id
            level = technician._aftersales_skill_level(
                visit.ticket_id.product_id.categ_id, visit.ticket_id.ticket_type_id
            )
            reason = planner._refusal(technician, visit, level)
            planner.book(technician, visit)
            if not reason:
                continue
            if not visit.sudo().assignment_forced:
                raise ValidationError(
                    _(
                        "%(technician)s cannot take visit %(visit)s: %(reason)s. A dispatcher can force "
                        "the assignment.",
                        technician=technician.name,
                        visit=visit.name,
                        reason=reason,
                    )
                )
            visit.message_post(
                body=_(
                    "Assignment of %(technician)s forced despite: %(reason)s.",
                    technician=technician.name,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _aftersales_post_choice(self, technician, parts, others):
        self.ensure_one()
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Assigned to %(technician)s automatically:", technician=technician.name),
            Markup("").join(Markup("<li>%s</li>") % part for part in parts),
        )
        if others:
            body += Markup("<p>%s</p>") % _("Other candidates: %(others)s", others=", ".join(others))
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _aftersales_post_no_fit(self, refusals):
        self.ensure_one()
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("No technician fits this visit; it stays unassigned."),
            Markup("").join(Markup("<li>%s: %s</li>") % (name, reason) for name, reason in refusals),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")


def _distance_km(origin, destination):
    """Great-circle distance between two partners' coordinates, None when one lacks them."""
    points = [(p.partner_latitude, p.partner_longitude) for p in (origin, destination)]
    if not origin or not destination or any(lat == lon == 0.0 for lat, lon in points):
        return None
    (lat1, lon1), (lat2, lon2) = [(radians(lat), radians(lon)) for lat, lon in points]
    chord = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(sqrt(chord))


class _DayPlanner:
    """The technicians' bookings and working hours over the days of a batch of
    visits, read once, so that planning many visits costs a few queries."""

    def __init__(self, visits, technicians=None, exclude=None):
        self.env = visits.env
        if technicians is None:
            technicians = self.env["aftersales.technician"].search([("company_id", "in", visits.company_id.ids)])
        self.technicians = technicians
        first = min(visits.mapped("scheduled_start")).replace(hour=0, minute=0, second=0)
        last = max(visits.mapped("scheduled_end")).replace(hour=0, minute=0, second=0) + timedelta(days=1)
        self.bookings = defaultdict(list)  # technician id -> [(start, end, partner)]
        for booked in visits.search(
            [
                ("technician_id", "in", self.technicians.ids),
                ("state", "!=", "cancel"),
                ("scheduled_start", "<", last),
                ("scheduled_end", ">", first),
                ("id", "not in", exclude.ids if exclude else []),
            ]
        ):
            self.bookings[booked.technician_id.id].append(
                (booked.scheduled_start, booked.scheduled_end, booked.partner_id)
            )
        self.work = {}  # calendar -> [(start, end)] in naive UTC
        for calendar in self.technicians.resource_calendar_id:
            intervals = calendar._work_intervals_batch(first.replace(tzinfo=utc), last.replace(tzinfo=utc))[False]
            self.work[calendar] = [
                (start.astimezone(utc).replace(tzinfo=None), stop.astimezone(utc).replace(tzinfo=None))
                for start, stop, _meta in intervals
            ]

    def book(self, technician, visit):
        self.bookings[technician.id].append((visit.scheduled_start, visit.scheduled_end, visit.partner_id))

    def _refusal(self, technician, visit, level):
        """Why ``technician`` cannot take ``visit``, or None."""
        if level < int(visit.visit_type_id.skill_level):
            return self.env._("not skilled enough")
        if not technician._aftersales_covers(visit.partner_id):
            return self.env._("outside their zones")
        start, end = visit.scheduled_start, visit.scheduled_end
        if not any(begin <= start and end <= stop for begin, stop in self.work[technician.resource_calendar_id]):
            return self.env._("not working then")
        bookings = self.bookings[technician.id]
        if any(begin < end and start < stop for begin, stop, _partner in bookings):
            return self.env._("busy then")
        if sum(1 for begin, _stop, _partner in bookings if begin.date() == start.date()) >= technician.daily_capacity:
            return self.env._("no capacity left that day")
        return None

    def assign(self, visit):
        category, ticket_type = visit.ticket_id.product_id.categ_id, visit.ticket_id.ticket_type_id
        candidates, refusals = [], []
        for technician in self.technicians:
            level = technician._aftersales_skill_level(category, ticket_type)
            reason = self._refusal(technician, visit, level)
            if reason:
                refusals.append((technician.name, reason))
                continue
            day = [b for b in self.bookings[technician.id] if b[0].date() == visit.scheduled_start.date()]
            before = [b for b in day if b[1] <= visit.scheduled_start]
            origin = max(before, key=lambda b: b[1])[2] if before else technician.home_partner_id
            distance = _distance_km(origin, visit.partner_id)
            score = (distance if distance is not None else UNKNOWN_DISTANCE_KM) + WORKLOAD_WEIGHT * len(day)
            score -= SKILL_WEIGHT * level
            candidates.append((score, technician, distance, len(day), level, origin))
        if not candidates:
            visit._aftersales_post_no_fit(refusals)
            return False
        candidates.sort(key=lambda candidate: (candidate[0], candidate[1].id))
        _score, technician, distance, workload, level, origin = candidates[0]
        # the planner has just checked every rule: no second check on write
        visit.with_context(aftersales_assignment_checked=True).technician_id = technician
        self.book(technician, visit)
        levels = dict(self.env["aftersales.technician.skill"]._fields["level"]._description_selection(self.env))
        parts = [
            self.env._("%(km).1f km from %(origin)s", km=distance, origin=origin.display_name)
            if distance is not None
            else self.env._("distance unknown (no coordinates)"),
            self.env._("%(count)s other visits that day", count=workload),
            self.env._("skill level: %(level)s", level=levels[str(level)]),
        ]
        others = [f"{c[1].name} ({c[0]:.1f})" for c in candidates[1:4]]
        visit._aftersales_post_choice(technician, parts, others)
        return technician
