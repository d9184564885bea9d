"""The dispatch board: a lane per technician, the unassigned visits beside them.

The board is an OWL client action (``static/src/dispatch_board``) that reads and
changes the visits through the methods below. They run as the dispatcher: the
visits and technicians are those the user may read, a move is an ordinary write
that the planning rules check, and forcing goes through the same fields as the
visit's form.
"""

import re
from datetime import date, datetime, time, timedelta

from pytz import timezone, utc

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, format_datetime, format_time

from ..tools.dispatch import partner_point
from ..tools.route_planning import great_circle_km

BOARD_GROUP = "aftersales_service.aftersales_service_group_dispatcher"
# the longest period the board shows at once (a week, and some room for a custom range)
MAX_BOARD_DAYS = 14
# the most unassigned visits listed beside the lanes; the count says how many there are
MAX_UNASSIGNED = 200
# the hours shown by default on a day's time line, in the user's time zone
DEFAULT_HOUR_FROM = 7
DEFAULT_HOUR_TO = 19
# what the cards show, read only when the user may read it
CARD_FIELDS = (
    "name",
    "partner_id",
    "partner_city",
    "visit_type_id",
    "ticket_id",
    "scheduled_start",
    "scheduled_end",
    "state",
    "technician_id",
    "branch_id",
    "assignment_forced",
)
TICKET_FIELDS = ("sla_status", "sla_resolve_deadline")
# visits that still move on the board; the others are shown where they are
MOVABLE_STATES = ("draft", "scheduled", "confirmed")
# partners' jobs are planned on the partner portal, not by our technicians
PARTNER_JOB_HELD = ("offered", "accepted", "done")
# what the client sends: a day ("2026-06-16"), a UTC moment ("2026-06-16 09:00:00", "2026-06-16T09:00:00Z",
# or with an offset such as "+02:00", which is turned into UTC)
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MOMENT_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Board API (called by the client action)
    # ------------------------------------------------------------------

    @api.model
    def aftersales_board_data(self, date_from, date_to, branch_id=False):
        """What the board shows from ``date_from`` to ``date_to`` (ISO dates, both included, in the
        user's time zone), for the technicians of ``branch_id`` (and those of no branch) or all.

        Returns a dict: ``days`` (date, label, ``start_utc`` of the day), the hours of the time line,
        the ``branches`` to filter by, the ``lanes`` (one per technician the user may read: name,
        branch, capacity, and per day the cards, the visit count, the km driven), and the
        ``unassigned`` cards of the period (draft, no technician, starting in the period or undated).
        A card's ``km`` is the distance from the previous stop of the day (or the home base), None
        when one of the addresses has no coordinates. The number of queries does not grow with the
        number of visits.
        """
        self._check_board_access()
        tz = self._board_tz()
        days = self._board_days(date_from, date_to)
        start, end = self._board_bounds(days, tz)
        branch = self._board_branch(branch_id)

        technicians = self._board_technicians(branch)
        # their working time, time off and public holidays: a day off shows no capacity
        engine = self._dispatch_engine(technicians, start, end)
        visits = self.search_fetch(
            [
                ("technician_id", "in", technicians.ids),
                ("state", "!=", "cancel"),
                ("scheduled_start", "<", end),
                ("scheduled_end", ">", start),
            ],
            self._board_card_fields(),
        )
        unassigned_domain = self._board_unassigned_domain(start, end, branch)
        unassigned = self.search_fetch(
            unassigned_domain, self._board_card_fields(), limit=MAX_UNASSIGNED, order="scheduled_start, id"
        )
        unassigned_count = len(unassigned) if len(unassigned) < MAX_UNASSIGNED else self.search_count(unassigned_domain)
        # one read of each related model for all the cards, whatever their number
        readable_tickets = self._board_prefetch(visits | unassigned, technicians)

        day_keys = [day.isoformat() for day in days]
        today = utc.localize(fields.Datetime.now()).astimezone(tz).date()
        lanes = []
        hours = [DEFAULT_HOUR_FROM, DEFAULT_HOUR_TO]
        by_lane = {technician.id: {key: [] for key in day_keys} for technician in technicians}
        for visit in visits:
            card = visit._board_card(tz, readable_tickets)
            if card["day"] in by_lane[visit.technician_id.id]:
                by_lane[visit.technician_id.id][card["day"]].append(card)
                hours[0] = min(hours[0], card["start_minute"] // 60)
                hours[1] = max(hours[1], -(-(card["start_minute"] + card["duration_minutes"]) // 60))
        for technician in technicians:
            lane_days = {}
            facts = engine.technicians.get(technician.id)
            for key, day in zip(day_keys, days, strict=True):
                cards = by_lane[technician.id][key]
                day_start, day_end = self._board_bounds([day], tz)
                working = bool(facts and engine.working_time(facts, day_start, day_end))
                lane_days[key] = self._board_lane_day(technician, cards, working)
            lanes.append(
                {
                    "id": technician.id,
                    "name": technician.name,
                    "branch": technician.branch_id.name or False,
                    "capacity": technician.daily_capacity,
                    "home_located": partner_point(technician.home_partner_id) is not None,
                    "days": lane_days,
                }
            )
        return {
            "date_from": day_keys[0],
            "date_to": day_keys[-1],
            "days": [
                {
                    "date": key,
                    "label": format_date(self.env, day, date_format="EEE d MMM"),
                    "start_utc": fields.Datetime.to_string(
                        tz.localize(datetime.combine(day, time.min)).astimezone(utc).replace(tzinfo=None)
                    ),
                    "today": day == today,
                }
                for key, day in zip(day_keys, days, strict=True)
            ],
            "hour_from": max(hours[0], 0),
            "hour_to": min(max(hours[1], hours[0] + 1), 24),
            "timezone": tz.zone,
            "today": today.isoformat(),
            "branch_id": branch.id or False,
            "branches": [{"id": b.id, "name": b.display_name} for b in self.env["aftersales.branch"].search([])],
            "lanes": lanes,
            "unassigned": [visit._board_card(tz, readable_tickets) for visit in unassigned],
            "unassigned_count": unassigned_count,
        }

    @api.model
    def aftersales_board_move(self, visit_id, technician_id, start, force_reason=False):
        """Give the visit ``visit_id`` to the technician ``technician_id`` from ``start`` (a UTC
        datetime string), keeping its duration; a draft visit is scheduled.

        An ordinary write as the user: the planning rules refuse a technician who breaks one with a
        ValidationError that names the rule. With ``force_reason`` the dispatcher forces the
        assignment in the same write, as on the visit's form (the reason goes in the chatter and
        the audit log). Returns the visit's new card.
        """
        self._check_board_access()
        visit = self.browse(_as_id(visit_id)).exists()
        technician = self.env["aftersales.technician"].browse(_as_id(technician_id)).exists()
        if not visit:
            raise UserError(_("This visit no longer exists: refresh the board."))
        if not technician:
            raise UserError(_("This technician no longer exists: refresh the board."))
        visit.check_access("write")
        technician.check_access("read")
        visit._check_movable()
        new_start = _utc_moment(start)
        if not new_start:
            raise UserError(_("Say when the visit starts: %(start)s is not a date and time.", start=_shown(start)))
        if visit.scheduled_start and visit.scheduled_end:
            duration = visit.scheduled_end - visit.scheduled_start
        else:
            duration = timedelta(hours=visit.visit_type_id.default_duration or 1.0)
        vals = {
            "technician_id": technician.id,
            "scheduled_start": new_start,
            "scheduled_end": new_start + duration,
        }
        if force_reason is not False and force_reason is not None:
            reason = force_reason.strip() if isinstance(force_reason, str) else ""
            if not reason:
                raise UserError(_("Say why the assignment of %(visit)s is forced.", visit=visit.name))
            vals.update(assignment_forced=True, assignment_forced_reason=reason)
        visit.write(vals)
        if visit.state == "draft":
            visit.action_schedule()
        return visit._board_card(self._board_tz())

    @api.model
    def aftersales_board_unassign(self, visit_id):
        """Take the visit ``visit_id`` back from its technician: it goes back among the unassigned
        visits, as a draft that keeps its time (and the arrival agreed with the customer). Returns
        its new card."""
        self._check_board_access()
        visit = self.browse(_as_id(visit_id)).exists()
        if not visit:
            raise UserError(_("This visit no longer exists: refresh the board."))
        visit.check_access("write")
        visit._check_movable()
        technician = visit.technician_id
        if technician:
            with visit._unguard("state"):
                visit.write({"technician_id": False, "state": "draft"})
            visit.message_post(
                body=_(
                    "Taken back from %(technician)s on the dispatch board by %(user)s: the visit is unassigned again.",
                    technician=technician.name,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return visit._board_card(self._board_tz())

    def _check_movable(self):
        self.ensure_one()
        if self.state not in MOVABLE_STATES:
            raise UserError(
                _(
                    "Visit %(visit)s is %(state)s: only draft, scheduled and confirmed visits move on the board.",
                    visit=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )

    @api.model
    def aftersales_board_auto_assign(self, date_from, date_to, branch_id=False):
        """Auto-assign the draft unassigned visits of the period that have a start. Returns the
        references of the visits assigned (``planned``) and of those left (``left``); each visit's
        chatter says why."""
        self._check_board_access()
        tz = self._board_tz()
        start, end = self._board_bounds(self._board_days(date_from, date_to), tz)
        branch = self._board_branch(branch_id)
        visits = self.search(self._board_unassigned_domain(start, end, branch)).filtered("scheduled_start")
        if not visits:
            raise UserError(_("No unassigned visit with a start in the period shown: nothing to assign."))
        visits.action_auto_assign()
        assigned = visits.filtered("technician_id")
        return _outcome(assigned, visits - assigned)

    @api.model
    def aftersales_board_plan(self, date_from, date_to, branch_id=False):
        """Plan each day shown with the day planner, on the draft unassigned visits of the period
        and the technicians of the board: a visit with a start on its own day, the undated ones on
        the first day where they fit. Returns ``planned`` and ``left`` as :meth:`aftersales_board_auto_assign`."""
        self._check_board_access()
        tz = self._board_tz()
        days = self._board_days(date_from, date_to)
        start, end = self._board_bounds(days, tz)
        branch = self._board_branch(branch_id)
        visits = self.search(self._board_unassigned_domain(start, end, branch))
        if not visits:
            raise UserError(_("No unassigned visit in the period shown: nothing to plan."))
        technicians = self._board_technicians(branch)
        planned = self.browse()
        remaining = visits
        for day in days:
            todo = remaining.filtered(
                lambda v, day=day: not v.scheduled_start or _local_day(v.scheduled_start, tz) == day
            )
            if not todo:
                continue
            # an undated visit that does not fit tries the next day: its chatter says why on the last one
            quiet = todo.filtered(lambda v: not v.scheduled_start) if day != days[-1] else None
            done = todo._plan_days(day=day, technicians=technicians, quiet=quiet)
            planned |= done
            # a visit of this day that did not fit stays unassigned; an undated one tries the next day
            remaining -= done | todo.filtered("scheduled_start")
        return _outcome(planned, visits - planned)

    @api.model
    def aftersales_board_print_slips(self, date_from, date_to, branch_id=False):
        """The print action of the dispatch slips of the visits given to technicians in the period
        shown (of ``branch_id`` or all), in the order of the lanes and of the day."""
        self._check_board_access()
        tz = self._board_tz()
        start, end = self._board_bounds(self._board_days(date_from, date_to), tz)
        branch = self._board_branch(branch_id)
        technicians = self._board_technicians(branch)
        visits = self.search(
            [
                ("technician_id", "in", technicians.ids),
                ("state", "in", ("scheduled", "confirmed", "in_progress")),
                ("scheduled_start", "<", end),
                ("scheduled_end", ">", start),
            ],
            order="technician_id, scheduled_start, id",
        )
        if not visits:
            raise UserError(_("No scheduled visit in the period shown: no slip to print."))
        return self.env.ref("aftersales_service.action_report_visit_slip").report_action(visits)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _check_board_access(self):
        """The board is the dispatchers' (and managers') work."""
        if not self.env.su and not self.env.user.has_group(BOARD_GROUP):
            raise AccessError(_("The dispatch board is for dispatchers: ask one to plan the visits."))

    @api.model
    def _board_tz(self):
        # the day planner's time zone, so that a day on the board is the day it plans
        return timezone(self.env.user.tz or self.env.company.resource_calendar_id.tz or "UTC")

    @api.model
    def _board_days(self, date_from, date_to):
        """The days from ``date_from`` to ``date_to`` (ISO dates "YYYY-MM-DD"; no ``date_to`` is one day).
        Anything else, as sent by a client over RPC, is refused with a UserError."""
        first = _day(date_from)
        last = _day(date_to) if date_to else first
        if not first or not last:
            raise UserError(_("Choose the days to show: a first and a last date."))
        if last < first:
            raise UserError(_("The last day shown comes after the first one."))
        count = (last - first).days + 1
        if count > MAX_BOARD_DAYS:
            raise UserError(_("The board shows at most %(days)s days at once.", days=MAX_BOARD_DAYS))
        return [first + timedelta(days=offset) for offset in range(count)]

    @api.model
    def _board_bounds(self, days, tz):
        """The period of ``days`` in naive UTC, from the first midnight to the midnight after the last day."""
        start = tz.localize(datetime.combine(days[0], time.min)).astimezone(utc).replace(tzinfo=None)
        end = tz.localize(datetime.combine(days[-1] + timedelta(days=1), time.min)).astimezone(utc)
        return start, end.replace(tzinfo=None)

    @api.model
    def _board_branch(self, branch_id):
        if not branch_id:
            return self.env["aftersales.branch"]
        branch = self.env["aftersales.branch"].browse(_as_id(branch_id)).exists()
        if not branch:
            raise UserError(_("This branch no longer exists: choose another one."))
        branch.check_access("read")
        return branch

    @api.model
    def _board_technicians(self, branch):
        """The active technicians the user may read, of ``branch`` and of no branch when one is given."""
        domain = [("company_id", "in", self.env.companies.ids)]
        if branch:
            domain.append(("branch_id", "in", [branch.id, False]))
        return self.env["aftersales.technician"].search(domain)

    @api.model
    def _board_unassigned_domain(self, start, end, branch):
        domain = [
            ("state", "=", "draft"),
            ("technician_id", "=", False),
            ("partner_job_state", "not in", PARTNER_JOB_HELD),
            ("company_id", "in", self.env.companies.ids),
            "|",
            ("scheduled_start", "=", False),
            "&",
            ("scheduled_start", ">=", start),
            ("scheduled_start", "<", end),
        ]
        if branch:
            domain.append(("branch_id", "=", branch.id))
        return domain

    @api.model
    def _board_card_fields(self):
        """The fields of the cards that the user may read."""
        return [name for name in CARD_FIELDS if self._fields[name].is_accessible(self.env)]

    def _board_prefetch(self, visits, technicians):
        """Read what the cards and lanes show in one query per model, as the user. Returns the
        tickets of ``visits`` that the user may read."""
        technicians.home_partner_id.fetch(["partner_latitude", "partner_longitude"])
        technicians.branch_id.fetch(["name"])
        readable = self._board_card_fields()
        if "partner_id" in readable:
            visits.partner_id.fetch(["display_name", "city", "partner_latitude", "partner_longitude"])
        if "visit_type_id" in readable:
            visits.visit_type_id.fetch(["display_name"])
        tickets = self.env["aftersales.ticket"]
        if "ticket_id" in readable:
            names = [name for name in TICKET_FIELDS if tickets._fields[name].is_accessible(self.env)]
            tickets = visits.ticket_id._filtered_access("read")
            tickets.fetch(names)
        return tickets

    def _board_card(self, tz, readable_tickets=None):
        """The card of this visit: what the user may read of it, its day and minutes in ``tz``.
        ``readable_tickets`` are the tickets of the cards that the user may read (checked here
        when not given)."""
        self.ensure_one()
        readable = set(self._board_card_fields())
        start, end = self.scheduled_start, self.scheduled_end
        card = {
            "id": self.id,
            "name": self.name,
            "partner": self.partner_id.display_name if "partner_id" in readable else False,
            "city": (self.partner_city or False) if "partner_city" in readable else False,
            "type": self.visit_type_id.display_name if "visit_type_id" in readable else False,
            "state": self.state,
            "state_label": dict(self._fields["state"]._description_selection(self.env)).get(self.state),
            "start": fields.Datetime.to_string(start) if start else False,
            "end": fields.Datetime.to_string(end) if end else False,
            "day": False,
            "day_label": False,
            "time": False,
            "start_minute": 0,
            "duration_minutes": 0,
            "movable": self.state in MOVABLE_STATES,
            "forced": bool(self.assignment_forced) if "assignment_forced" in readable else False,
            "sla_status": False,
            "sla_label": False,
            "sla_deadline": False,
            "km": None,
            "km_from": False,
        }
        if start:
            local_start = utc.localize(start).astimezone(tz)
            local_end = utc.localize(end or start).astimezone(tz)
            card["day"] = local_start.date().isoformat()
            card["day_label"] = format_date(self.env, local_start.date(), date_format="EEE d MMM")
            card["start_minute"] = local_start.hour * 60 + local_start.minute
            card["duration_minutes"] = max(int((local_end - local_start).total_seconds() // 60), 0)
            window = format_time(self.env, local_start.time(), time_format="short")
            if end:
                window = f"{window} - {format_time(self.env, local_end.time(), time_format='short')}"
            card["time"] = window
        ticket = self.ticket_id if "ticket_id" in readable else self.env["aftersales.ticket"]
        if readable_tickets is None:
            readable_tickets = ticket._filtered_access("read")
        if ticket and ticket in readable_tickets:
            Ticket = self.env["aftersales.ticket"]
            if Ticket._fields["sla_status"].is_accessible(self.env) and ticket.sla_status:
                card["sla_status"] = ticket.sla_status
                card["sla_label"] = dict(Ticket._fields["sla_status"]._description_selection(self.env))[
                    ticket.sla_status
                ]
            if Ticket._fields["sla_resolve_deadline"].is_accessible(self.env) and ticket.sla_resolve_deadline:
                card["sla_deadline"] = format_datetime(
                    self.env, ticket.sla_resolve_deadline, tz=tz.zone, dt_format="short"
                )
        return card

    @api.model
    def _board_lane_day(self, technician, cards, working=True):
        """A technician's day: the cards in order with the km from the previous stop (or the home
        base), the visit count against the capacity (none on a day off: not ``working``), the km
        driven (None when one is unknown)."""
        cards.sort(key=lambda card: (card["start_minute"], card["id"]))
        origin = partner_point(technician.home_partner_id)
        origin_kind = "home"
        total, unknown = 0.0, False
        for card in cards:
            visit = self.browse(card["id"])
            point = partner_point(visit.partner_id) if card["partner"] is not False else None
            distance = great_circle_km(origin, point)
            card["km"] = round(distance, 1) if distance is not None else None
            card["km_from"] = origin_kind
            if distance is None:
                unknown = True
            else:
                total += distance
            origin, origin_kind = point, "previous"
        count = len(cards)
        return {
            "cards": cards,
            "count": count,
            "capacity": technician.daily_capacity if working else 0,
            "off": not working,
            "over": count > (technician.daily_capacity if working else 0),
            "km": round(total, 1) if cards else 0.0,
            "km_unknown": unknown,
        }


def _day(value):
    """The date of ``value``, an ISO date string ("YYYY-MM-DD") or a date; None for anything else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not DAY_PATTERN.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _utc_moment(value):
    """The naive UTC datetime of ``value`` (see ``MOMENT_PATTERN``); None for anything else."""
    if not isinstance(value, str) or not MOMENT_PATTERN.fullmatch(value.strip()):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo:
        moment = moment.astimezone(utc).replace(tzinfo=None)
    return moment


def _shown(value):
    """``value`` as a user may read it in a message, briefly."""
    if value is None or value is False or value == "":
        return "-"
    text = value if isinstance(value, str) else repr(value)
    return (text[:40] + "...") if len(text) > 40 else text


def _local_day(moment, tz):
    return utc.localize(moment).astimezone(tz).date()


def _as_id(value):
    """A record id sent by the client; 0 (no record) for anything else, which ``exists()`` drops."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return 0
    return value


def _outcome(planned, left):
    return {
        "planned": planned.mapped("name"),
        "left": left.mapped("name"),
    }
