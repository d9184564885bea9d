# Appointments with the customer: free slots offered on the portal, booking,
# confirmation and reminder e-mails. The planning rules are the dispatch engine's (tools/dispatch.py).
import json
from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

SLOT_DAYS_PARAM = "aftersales_service.portal_slot_days"
SLOT_NOTICE_PARAM = "aftersales_service.portal_slot_notice_hours"
DEFAULT_SLOT_DAYS = 14
DEFAULT_SLOT_NOTICE_HOURS = 24
# slots start on the hour from the beginning of each working interval
SLOT_STEP = timedelta(hours=1)
SLOTS_PER_DAY = 3
SLOTS_MAX = 10
SLOT_SIGNATURE_SCOPE = "aftersales.visit.portal_slot"


class AftersalesSlotTaken(UserError):
    """The slot the customer picked is no longer free."""


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"

    appointment_window = fields.Char(
        string="Customer Time Window",
        compute="_compute_appointment_window",
        help="Date and hours of the visit in the customer's time zone.",
    )
    reminder_sent = fields.Boolean(
        copy=False, help="The customer received the reminder the day before the visit.", readonly=True
    )

    @api.depends("scheduled_start", "scheduled_end", "partner_id.tz", "ticket_id.partner_id.tz")
    @api.depends_context("lang")
    def _compute_appointment_window(self):
        for visit in self:
            visit.appointment_window = visit._format_window(visit.scheduled_start, visit.scheduled_end)

    # ------------------------------------------------------------------
    # CRUD and actions
    # ------------------------------------------------------------------

    def write(self, vals):
        if "scheduled_start" in vals:
            # a new time deserves a new reminder
            vals = dict(vals, reminder_sent=False)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Time zone and formatting
    # ------------------------------------------------------------------

    def _customer(self):
        self.ensure_one()
        return self.ticket_id.partner_id or self.partner_id

    def _customer_tz(self):
        """The customer's time zone (their company's), else the company's (its partner's), else the one of
        the company's working hours, else UTC."""
        self.ensure_one()
        customer = self._customer().sudo()
        tz = (
            customer.tz
            or customer.commercial_partner_id.tz
            or self.partner_id.sudo().tz
            or self.company_id.sudo().partner_id.tz
            or self.company_id.resource_calendar_id.tz
        )
        return tz if tz in pytz.all_timezones_set else "UTC"

    def _format_window(self, start, end):
        """'Tuesday, June 9, 2026, 10:00 - 11:30 (Europe/Brussels)' in the customer's time zone."""
        self.ensure_one()
        if not start or not end:
            return False
        tz = self._customer_tz()
        day = tools.format_date(self.env, self._local(start).date(), date_format="full")
        return _(
            "%(day)s, %(start)s - %(end)s (%(tz)s)",
            day=day,
            start=tools.format_time(self.env, start, tz=tz, time_format="short"),
            end=tools.format_time(self.env, end, tz=tz, time_format="short"),
            tz=tz,
        )

    def _local(self, value):
        """A naive UTC datetime in the customer's time zone."""
        return pytz.utc.localize(value).astimezone(pytz.timezone(self._customer_tz()))

    # ------------------------------------------------------------------
    # Slots offered to the customer
    # ------------------------------------------------------------------

    def _needs_time(self):
        """Whether the customer may still choose the time of this visit: not when a service partner
        has it, our technicians' free times do not apply, nor when the customer was told its time (a
        visit taken back from its technician keeps the time agreed; the customer moves it as a booked
        visit, within the company's limit)."""
        self.ensure_one()
        return (
            self.state == "draft"
            and not self.notified_start
            and self.partner_job_state not in ("offered", "accepted", "done")
        )

    @api.model
    def _slot_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            days = int(params.get_param(SLOT_DAYS_PARAM, DEFAULT_SLOT_DAYS))
            notice = float(params.get_param(SLOT_NOTICE_PARAM, DEFAULT_SLOT_NOTICE_HOURS))
        except ValueError:
            days, notice = DEFAULT_SLOT_DAYS, DEFAULT_SLOT_NOTICE_HOURS
        return max(days, 1), max(notice, 0.0)

    def _slot_candidates(self, technicians=None, now=None):
        """The dispatch engine over the window where slots may be offered.

        Returns (engine, the visit as the rules see it, first, last, duration); the engine is None
        when nobody may take the visit.
        """
        self.ensure_one()
        days, notice = self._slot_settings()
        now = (now or fields.Datetime.now()).replace(microsecond=0)
        first, last = now + timedelta(hours=notice), now + timedelta(days=days)
        duration = timedelta(hours=self.visit_type_id.default_duration or 1.0)
        if technicians is None:
            technicians = self.env["aftersales.technician"].search([("company_id", "=", self.company_id.id)])
        probe = self._probe(first, first + duration)
        facts = probe._dispatch_visits(technicians)[probe.id]
        facts.key = self.id
        # the days (work, time off, visits) of those who may take the visit at all, not of the whole team
        technicians = self._static_candidates(technicians, facts)
        engine = self._dispatch_engine(technicians, first, last, exclude=self)
        if not engine.candidates(facts)[0] or first + duration > last:
            return None, facts, first, last, duration
        return engine, facts, first, last, duration

    def _probe(self, start, end):
        """The visit at another time, in memory only, for the planning rules."""
        self.ensure_one()
        return self.new(
            {
                "ticket_id": self.ticket_id.id,
                "visit_type_id": self.visit_type_id.id,
                "partner_id": self.partner_id.id,
                "scheduled_start": start,
                "scheduled_end": end,
            }
        )

    def _portal_slots(self, now=None, per_day=SLOTS_PER_DAY, limit=SLOTS_MAX):
        """Free slots to offer the customer: a few per day, spread over the day.

        Each slot is a dict with ``start``, ``end`` (naive UTC), ``technician``,
        ``day`` and ``window`` (texts in the customer's time zone) and ``key``,
        the signed value the customer posts back.
        """
        self.ensure_one()
        engine, facts, first, last, duration = self._slot_candidates(now=now)
        if not engine:
            return []
        Technicians = self.env["aftersales.technician"]
        # the customer's time zone and each day's name worked out once, not for every start
        tz = self._customer_tz()
        zone = pytz.timezone(tz)
        by_day = defaultdict(list)
        for start, technicians in engine.free_slots(facts, first, last, SLOT_STEP).items():
            by_day[pytz.utc.localize(start).astimezone(zone).date()].append(
                (start, Technicians.browse(technicians[0].key))
            )
        slots = []
        for day in sorted(by_day):
            day_name = tools.format_date(self.env, day, date_format="full")
            for start, technician in self._spread(by_day[day], per_day):
                slots.append(self._slot(start, start + duration, technician, tz=tz, day_name=day_name))
                if len(slots) >= limit:
                    return slots
        return slots

    @staticmethod
    def _spread(items, count):
        """At most ``count`` items, first and last included, evenly apart."""
        if len(items) <= count:
            return items
        if count == 1:
            return items[:1]
        step = (len(items) - 1) / (count - 1)
        return [items[round(index * step)] for index in range(count)]

    def _slot(self, start, end, technician, tz=None, day_name=None):
        """A slot offered to the customer (see ``_portal_slots``); ``tz`` and ``day_name`` when known."""
        self.ensure_one()
        tz = tz or self._customer_tz()
        return {
            "start": start,
            "end": end,
            "technician": technician,
            "day": day_name or tools.format_date(self.env, self._local(start).date(), date_format="full"),
            "window": "%s - %s"
            % (
                tools.format_time(self.env, start, tz=tz, time_format="short"),
                tools.format_time(self.env, end, tz=tz, time_format="short"),
            ),
            "key": self._slot_key(start, end, technician),
        }

    def _slot_message(self, start, end, technician_id):
        return json.dumps([self.id, technician_id, fields.Datetime.to_string(start), fields.Datetime.to_string(end)])

    def _slot_key(self, start, end, technician):
        """The value posted back for a slot, signed so that it cannot be forged."""
        self.ensure_one()
        message = self._slot_message(start, end, technician.id)
        signature = tools.hmac(self.env(su=True), SLOT_SIGNATURE_SCOPE, message)
        return f"{technician.id}|{fields.Datetime.to_string(start)}|{fields.Datetime.to_string(end)}|{signature}"

    def _parse_slot_key(self, key):
        """(start, end, technician) of a posted slot, or None if it was not offered by us."""
        self.ensure_one()
        try:
            technician_id, start, end, signature = (key or "").split("|")
            technician_id = int(technician_id)
            start, end = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(end)
        except (TypeError, ValueError):
            return None
        expected = tools.hmac(self.env(su=True), SLOT_SIGNATURE_SCOPE, self._slot_message(start, end, technician_id))
        if not tools.consteq(expected, signature):
            return None
        return start, end, self.env["aftersales.technician"].browse(technician_id)

    # ------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------

    def _lock_technician(self, technician):
        """Lock the technician's row until the end of the transaction.

        Two bookings for the same technician run one after the other. The row is
        also rewritten: a booking that waited for our lock, and whose snapshot
        predates our commit, then fails with a serialization error and the request
        is replayed on fresh data, where our visit is seen and the slot refused.
        """
        self.env.cr.execute("SELECT id FROM aftersales_technician WHERE id = %s FOR UPDATE", [technician.id])
        self.env.cr.execute("UPDATE aftersales_technician SET write_date = write_date WHERE id = %s", [technician.id])

    def _take_slot(self, key, now=None):
        """(start, end, technician) of the slot the customer picked, checked again under the lock of the
        technician: raises UserError when it was not offered, ``AftersalesSlotTaken`` when it is no
        longer free."""
        self.ensure_one()
        slot = self._parse_slot_key(key)
        if not slot:
            raise UserError(_("This time is not one we offered for this visit. Please pick one of the list."))
        start, end, technician = slot
        now = now or fields.Datetime.now()
        if not technician.exists():
            raise AftersalesSlotTaken(self._slot_taken_message())
        self._lock_technician(technician)
        # everything is read again under the lock: the rules, the bookings, the window
        engine, facts, first, _last, duration = self._slot_candidates(technicians=technician, now=now)
        if not engine or technician.id not in engine.technicians or start < first or end - start != duration:
            raise AftersalesSlotTaken(self._slot_taken_message())
        if engine.refusal(engine.technicians[technician.id], facts, start, end):
            raise AftersalesSlotTaken(self._slot_taken_message())
        return start, end, technician

    @api.model
    def _slot_taken_message(self):
        return _("This slot was just taken. Please pick another one.")

    def _book_slot(self, key, author=None, now=None):
        """Book the visit at the slot the customer picked, and confirm it.

        Raises UserError when the slot was not offered (``AftersalesSlotTaken``
        when it was, but is no longer free).
        """
        self.ensure_one()
        if not self._needs_time():
            raise UserError(_("The time of visit %(visit)s is already set.", visit=self.name))
        start, end, technician = self._take_slot(key, now)
        try:
            with self.env.cr.savepoint(), self._batch_notices():
                # the slot becomes the time agreed with the customer, which the planners keep
                self.write(
                    {
                        "technician_id": technician.id,
                        "scheduled_start": start,
                        "scheduled_end": end,
                        "window_start": start,
                        "window_end": start,
                    }
                )
                self.action_schedule()
                self.message_post(
                    body=_(
                        "Booked by the customer on the portal: %(window)s with %(technician)s.",
                        window=self.appointment_window,
                        technician=technician.name,
                    ),
                    author_id=author.id if author else None,
                    subtype_xmlid="mail.mt_note",
                )
                self.action_confirm()
        except ValidationError as error:
            self.env.invalidate_all()
            raise AftersalesSlotTaken(self._slot_taken_message()) from error
        return True

    def _request_other_time(self, preferred, message, author=None):
        """Post the customer's wish in the chatter and ask the dispatcher to plan it."""
        self.ensure_one()
        if not self._needs_time():
            raise UserError(_("The time of visit %(visit)s is already set.", visit=self.name))
        preferred, message = (preferred or "").strip(), (message or "").strip()
        if not preferred and not message:
            raise UserError(_("Tell us when you would be available."))
        body = _(
            "The customer asks for another time. Preferred: %(preferred)s. Message: %(message)s",
            preferred=preferred or "-",
            message=message or "-",
        )
        self.message_post(body=body, author_id=author.id if author else None, subtype_xmlid="mail.mt_note")
        # the planning is the team's: its leader first, not the agent of the ticket
        self._schedule_for_responsible(
            "aftersales_service.mail_activity_type_visit_time_request", assignee=False, note=body
        )
        return True

    # ------------------------------------------------------------------
    # E-mails
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self, batch_size=500):
        """Remind customers of their visit the day before, once.

        One search reads the visits starting in the next two days; those on the
        customer's next day get the reminder, rendered and sent in one batch.
        """
        now = fields.Datetime.now()
        visits = self.search(
            [
                ("state", "in", ("scheduled", "confirmed")),
                ("reminder_sent", "=", False),
                ("company_id.aftersales_notify_visit_reminder", "=", True),
                ("scheduled_start", ">", now),
                ("scheduled_start", "<", now + timedelta(days=2)),
            ],
            limit=batch_size,
        )
        due = visits.filtered(
            lambda v: (
                v._local(v.scheduled_start).date() == v._local(now).date() + timedelta(days=1) and v._customer().email
            )
        )
        template = self.env.ref("aftersales_service.mail_template_visit_reminder", raise_if_not_found=False)
        if not due or not template:
            return due
        due.write({"reminder_sent": True})
        template.send_mail_batch(due.ids)
        due._message_log_batch(
            bodies={
                visit.id: self.env._("Reminder of the visit sent to %(customer)s.", customer=visit._customer().name)
                for visit in due
            }
        )
        return due
