# The customer kept informed: the invitation to choose a time, the planned time, its moves and
# cancellation, the technician on the way; the customer's own moves and cancellations on the portal.
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..tools.dispatch import partner_point
from ..tools.route_planning import DEFAULT_SPEED_KMH, great_circle_km
from ..tools.timezones import person_tz
from .aftersales_visit_dispatch import SPEED_PARAM

# the bookkeeping of the notices and of the departure: written by the actions only
NOTICE_FIELDS = frozenset({"notified_start", "notified_end", "departed_at", "expected_arrival"})
# key of the transaction's cache holding the visits whose notices wait for the end of a batch
_PENDING_KEY = "aftersales_pending_notices"
# the e-mail of each notice, and the company's switch for it
NOTICES = {
    "invite": ("aftersales_service.mail_template_visit_invite", "aftersales_notify_visit_invite"),
    "confirm": ("aftersales_service.mail_template_visit_confirmed", "aftersales_notify_visit_confirm"),
    "move": ("aftersales_service.mail_template_visit_moved", "aftersales_notify_visit_change"),
    "cancel": ("aftersales_service.mail_template_visit_cancelled", "aftersales_notify_visit_change"),
    "on_my_way": ("aftersales_service.mail_template_visit_on_my_way", "aftersales_notify_on_my_way"),
}


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    notified_start = fields.Datetime(
        string="Start Told to the Customer",
        copy=False,
        readonly=True,
        help="The start of the visit in the last e-mail the customer received; a new one is told to them.",
    )
    notified_end = fields.Datetime(string="End Told to the Customer", copy=False, readonly=True)
    change_reason = fields.Char(
        string="Reason of the Change",
        copy=False,
        help="Why the visit moves or is cancelled: said to the customer in the e-mail, then cleared.",
    )
    departed_at = fields.Datetime(
        string="Left At", copy=False, readonly=True, help="When the technician left for the visit (On My Way)."
    )
    expected_arrival = fields.Datetime(
        copy=False, readonly=True, help="The arrival told to the customer when the technician left."
    )
    portal_url = fields.Char(
        string="Customer Link",
        compute="_compute_portal_url",
        help="The page where the customer sees the visit, with the ticket's access token.",
    )
    notified_window = fields.Char(compute="_compute_notified_window")
    expected_arrival_text = fields.Char(compute="_compute_expected_arrival_text")

    @api.depends("ticket_id")
    def _compute_portal_url(self):
        for visit in self:
            ticket = visit.ticket_id.sudo()
            visit.portal_url = (
                "%s%s" % (ticket.get_base_url(), ticket.get_portal_url(anchor=f"aftersales_visit_{visit.id}"))
                if ticket and visit.id
                else False
            )

    @api.depends("notified_start", "notified_end", "partner_id.tz", "ticket_id.partner_id.tz")
    @api.depends_context("lang")
    def _compute_notified_window(self):
        for visit in self:
            visit.notified_window = visit._format_window(visit.notified_start, visit.notified_end)

    @api.depends("expected_arrival", "partner_id.tz", "ticket_id.partner_id.tz")
    @api.depends_context("lang")
    def _compute_expected_arrival_text(self):
        for visit in self:
            arrival = visit.expected_arrival
            tz = visit._customer_tz()
            visit.expected_arrival_text = (
                _(
                    "%(time)s (%(tz)s)",
                    time=tools.format_time(self.env, arrival, tz=tz, time_format="short"),
                    tz=tz,
                )
                if arrival
                else False
            )

    @api.model
    def _guarded_fields(self):
        guarded = super()._guarded_fields() | NOTICE_FIELDS
        if not self.env.user.has_group("aftersales_service.aftersales_service_group_user"):
            # a technician does not move their visits, nor say why they move
            guarded |= {"change_reason"}
        return guarded

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        visits._queue_notices(invite=True)
        return visits

    def write(self, vals):
        departures = {}
        if {"technician_id", "scheduled_start"}.intersection(vals):
            departures = {visit: _departure(visit) for visit in self.filtered("departed_at")}
        result = super().write(vals)
        # a technician who left for another time or whose visit went to someone else is no longer on the way
        back = self.browse(visit.id for visit, before in departures.items() if _departure(visit) != before)
        if back:
            with self._unguard("departed_at", "expected_arrival"):
                super(AftersalesVisit, back).write({"departed_at": False, "expected_arrival": False})
        if {"state", "scheduled_start", "scheduled_end"}.intersection(vals):
            self._queue_notices()
        return result

    def action_auto_assign(self):
        with self._batch_notices():
            return super().action_auto_assign()

    def _plan_days(self, day=None, technicians=None, quiet=None):
        with self._batch_notices():
            return super()._plan_days(day=day, technicians=technicians, quiet=quiet)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_send_time_invitation(self):
        """Invite the customer again to choose the time of the visit on the portal."""
        self.check_access("write")
        for visit in self:
            if not visit._needs_time() or visit.scheduled_start:
                raise UserError(_("Visit %(visit)s already has a time: nothing to choose.", visit=visit.name))
            if not visit.ticket_id:
                raise UserError(
                    _("Visit %(visit)s has no ticket: its customer has no page to choose a time.", visit=visit.name)
                )
            if not visit._customer().email:
                raise UserError(
                    _(
                        "%(customer)s has no e-mail address: call them to agree on a time.",
                        customer=visit._customer().display_name or _("The customer"),
                    )
                )
        self._send_notice("invite", force=True)
        return True

    def action_open_cancel(self):
        """Open the window in which the visit is cancelled, saying why."""
        self.ensure_one()
        self.check_access("write")
        self._check_state(("draft", "scheduled", "confirmed", "in_progress"), _("Cancelling"))
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel %(visit)s", visit=self.name),
            "res_model": "aftersales.visit.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_visit_id": self.id},
        }

    def _cancel(self, reason):
        """Cancel the visit for ``reason``, told to the customer who had a time."""
        self.ensure_one()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why visit %(visit)s is cancelled.", visit=self.name))
        self._check_state(("draft", "scheduled", "confirmed", "in_progress"), _("Cancelling"))
        self.check_access("write")
        with self._unguard("change_reason"):
            self.write({"change_reason": reason})
        self.action_cancel()
        self.message_post(
            body=_("Cancelled by %(user)s. Why: %(reason)s", user=self.env.user.name, reason=reason),
            subtype_xmlid="mail.mt_note",
        )

    def action_on_my_way(self):
        """The technician leaves for the visit: the customer receives the expected arrival."""
        self.ensure_one()
        self._check_state(("scheduled", "confirmed"), _("Leaving for the visit"))
        if not self.technician_id.user_id or self.technician_id.user_id != self.env.user:
            raise AccessError(
                _(
                    "Only %(technician)s, who does visit %(visit)s, says they are on the way.",
                    technician=self.technician_id.name or _("its technician"),
                    visit=self.name,
                )
            )
        self.check_access("write")
        if self.departed_at:
            raise UserError(
                _(
                    "The customer of visit %(visit)s already knows you are on the way: expected at %(arrival)s.",
                    visit=self.name,
                    arrival=self.expected_arrival_text,
                )
            )
        now = fields.Datetime.now().replace(microsecond=0)
        tz = pytz.timezone(person_tz(self.technician_id.user_id.partner_id, self.company_id))
        if (
            pytz.utc.localize(self.scheduled_start).astimezone(tz).date()
            != pytz.utc.localize(now).astimezone(tz).date()
        ):
            raise UserError(_("Visit %(visit)s is not planned today: leave for it on its day.", visit=self.name))
        arrival = self._expected_arrival(now)
        with self._unguard("departed_at", "expected_arrival"):
            self.write({"departed_at": now, "expected_arrival": arrival})
        self.message_post(
            body=_(
                "%(technician)s is on the way, expected at %(arrival)s.",
                technician=self.technician_id.name,
                arrival=self.expected_arrival_text,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self._send_notice("on_my_way")
        return True

    # ------------------------------------------------------------------
    # The expected arrival
    # ------------------------------------------------------------------

    def _departure_point(self, now):
        """Where the technician leaves from: the last visit they finished today, else their home base."""
        self.ensure_one()
        technician = self.technician_id
        tz = pytz.timezone(person_tz(technician.user_id.partner_id, self.company_id))
        local_midnight = tz.localize(
            datetime.combine(pytz.utc.localize(now).astimezone(tz).date(), datetime.min.time())
        )
        day_start = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        # sudo: only the address of the technician's own previous visit is read, to measure the drive
        previous = self.sudo().search(
            [
                ("technician_id", "=", technician.id),
                ("state", "=", "done"),
                ("check_out", ">=", day_start),
                ("check_out", "<=", now),
                ("id", "!=", self.id),
            ],
            order="check_out desc",
            limit=1,
        )
        return partner_point(previous.partner_id if previous else technician.sudo().home_partner_id)

    def _expected_arrival(self, now):
        """Now plus the drive from where the technician is, not before the time agreed with the customer."""
        self.ensure_one()
        try:
            speed = float(self.env["ir.config_parameter"].sudo().get_param(SPEED_PARAM, DEFAULT_SPEED_KMH) or 0.0)
        except ValueError:
            speed = DEFAULT_SPEED_KMH
        km = great_circle_km(self._departure_point(now), partner_point(self.partner_id))
        arrival = now + timedelta(hours=km / speed) if km is not None and speed > 0 else now
        earliest = self.window_start or self.scheduled_start
        if earliest and arrival < earliest:
            arrival = earliest
        # to the nearest minute
        return (arrival + timedelta(seconds=30)).replace(second=0, microsecond=0)

    # ------------------------------------------------------------------
    # The customer's changes on the portal
    # ------------------------------------------------------------------

    def _portal_change_refusal(self, now=None):
        """Why the customer may not move or cancel the visit on the portal now, or None."""
        self.ensure_one()
        if self.state not in ("scheduled", "confirmed") or not self.scheduled_start:
            return _("Visit %(visit)s is not booked: there is nothing to move or cancel.", visit=self.name)
        if self.departed_at:
            return _("Your technician is already on the way to visit %(visit)s: please call us.", visit=self.name)
        hours = self.company_id.aftersales_portal_change_hours
        now = now or fields.Datetime.now()
        if self.scheduled_start - now < timedelta(hours=hours):
            return _(
                "Visit %(visit)s starts in less than %(hours)s hours: it can no longer be changed here. "
                "Please call us.",
                visit=self.name,
                hours=hours,
            )
        return None

    def _check_portal_change(self, now=None):
        refusal = self._portal_change_refusal(now)
        if refusal:
            raise UserError(refusal)

    def _portal_move(self, key, reason=None, author=None, now=None):
        """Move the booked visit to the slot the customer picked, up to the company's limit."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        self._check_portal_change(now)
        start, end, technician = self._take_slot(key, now)
        reason = (reason or "").strip() or _("moved by the customer")
        old = self.appointment_window
        self.write(
            {
                "technician_id": technician.id,
                "scheduled_start": start,
                "scheduled_end": end,
                "window_start": start,
                "window_end": start,
                "change_reason": reason,
            }
        )
        self.message_post(
            body=_(
                "Moved by the customer on the portal from %(old)s to %(new)s. Why: %(reason)s",
                old=old,
                new=self.appointment_window,
                reason=reason,
            ),
            author_id=author.id if author else None,
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _portal_cancel(self, reason, author=None, now=None):
        """Cancel the booked visit at the customer's request, up to the company's limit; the team plans
        what comes next."""
        self.ensure_one()
        self._check_portal_change(now)
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Tell us why you cancel the visit."))
        self.write({"change_reason": reason})
        self.action_cancel()
        body = _("Cancelled by the customer on the portal. Why: %(reason)s", reason=reason)
        self.message_post(body=body, author_id=author.id if author else None, subtype_xmlid="mail.mt_note")
        self._schedule_for_responsible(
            "aftersales_service.mail_activity_type_visit_time_request", assignee=False, note=body
        )
        return True

    # ------------------------------------------------------------------
    # Notices
    # ------------------------------------------------------------------

    @contextmanager
    def _batch_notices(self):
        """Send the notices of the visits changed in the ``with`` block together, at its end: one e-mail
        per visit for what changed in the whole block, rendered in one batch."""
        pending = self.env.cr.cache.setdefault(_PENDING_KEY, {"depth": 0, "ids": set(), "invite": set()})
        pending["depth"] += 1
        try:
            yield
        finally:
            pending["depth"] -= 1
            if not pending["depth"]:
                ids, invite = pending["ids"], pending["invite"]
                self.env.cr.cache.pop(_PENDING_KEY, None)
                visits = self.browse(ids).exists()
                if visits:
                    visits._send_notices(invite=visits.browse(invite))

    def _queue_notices(self, invite=False):
        pending = self.env.cr.cache.get(_PENDING_KEY)
        if pending:
            pending["ids"].update(self.ids)
            if invite:
                pending["invite"].update(self.ids)
            return
        self._send_notices(invite=self if invite else self.browse())

    def _notice_due(self, invite=False):
        """The notice the customer is owed for the visit as it is now, or None."""
        self.ensure_one()
        if self.state in ("scheduled", "confirmed") and self.scheduled_start:
            if not self.notified_start:
                return "confirm"
            if (self.scheduled_start, self.scheduled_end) != (self.notified_start, self.notified_end):
                return "move"
        elif self.state == "cancel" and self.notified_start:
            return "cancel"
        elif invite and self.state == "draft" and not self.scheduled_start and self._needs_time():
            return "invite"
        return None

    def _send_notices(self, invite=None):
        """Tell the customers what changed since their last e-mail: the time of a visit just planned, a
        new time, a cancellation, or (for the visits of ``invite``, just created) the invitation to
        choose a time. One e-mail per visit and kind, whatever the number of writes that led there.
        Returns the visits whose notice was due."""
        by_kind = {}
        for visit in self:
            kind = visit._notice_due(invite=visit in (invite or self.browse()))
            if kind:
                by_kind.setdefault(kind, self.browse())
                by_kind[kind] |= visit
        for kind, visits in by_kind.items():
            visits._send_notice(kind)
        # what the customer was told, or not, is now the visit's time; the reason is said
        told = self.browse().concat(*by_kind.values())
        if told:
            with self._unguard("notified_start", "notified_end", "change_reason"):
                for visit in told:
                    planned = visit.state in ("scheduled", "confirmed")
                    super(AftersalesVisit, visit).write(
                        {
                            "notified_start": visit.scheduled_start if planned else False,
                            "notified_end": visit.scheduled_end if planned else False,
                            "change_reason": False,
                        }
                    )
        return told

    def _send_notice(self, kind, force=False):
        """E-mail the notice ``kind`` to the customers of the visits, when their company sends it; it lands
        in each visit's chatter."""
        xmlid, switch = NOTICES[kind]
        template = self.env.ref(xmlid, raise_if_not_found=False)
        if not template:
            return self.browse()
        visits = self.filtered(
            lambda v: (force or v.company_id[switch]) and v._customer().email and (kind != "invite" or v.ticket_id)
        )
        if not visits:
            return visits
        # sudo: the rights were checked by the action or the write that changed the visits
        if len(visits) == 1:
            visits.sudo().with_context(mail_post_autofollow=False).message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        else:
            template.sudo().send_mail_batch(visits.ids)
            visits.sudo()._message_log_batch(
                bodies={
                    visit.id: self.env._(
                        "E-mail %(template)s sent to %(customer)s.",
                        template=template.name,
                        customer=visit._customer().name,
                    )
                    for visit in visits
                }
            )
        return visits


def _departure(visit):
    """Who leaves for the visit and for which time: the On My Way holds for these only."""
    return visit.technician_id, visit.scheduled_start
