# Dispatch: the time agreed with the customer, and the paths that put a technician on a
# visit (the check of a manual assignment, auto-assign, Plan a Day). The rules are in
# tools/dispatch.py; this file reads the facts they need and words their answers.
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from markupsafe import Markup
from pytz import timezone, utc

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime, format_time

from ..tools import dispatch
from ..tools.dispatch import Booking, DispatchEngine, Technician, Visit, partner_point
from ..tools.route_planning import DEFAULT_SPEED_KMH, NO_CANDIDATE, great_circle_km
from .aftersales_visit import _CHECKED_KEY, DISPATCHER_GROUP, PARTNER_JOB_ACTIVE, PLANNED_STATES

SPEED_PARAM = "aftersales_service.travel_speed_kmh"
PLAN_SECONDS_PARAM = "aftersales_service.plan_seconds_per_day"
DEFAULT_PLAN_SECONDS = 0.3


class AftersalesVisit(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    window_start = fields.Datetime(
        string="Arrival From",
        tracking=True,
        copy=False,
        help="The time agreed with the customer: the technician starts the visit between Arrival From and "
        "Arrival Until. The planners keep it; a booking on the portal sets it.",
    )
    window_end = fields.Datetime(string="Arrival Until", tracking=True, copy=False)

    @api.constrains("window_start", "window_end")
    def _check_window(self):
        for visit in self:
            if bool(visit.window_start) != bool(visit.window_end):
                raise ValidationError(
                    _("Give both ends of the time agreed with the customer for visit %(visit)s.", visit=visit.name)
                )
            if visit.window_start and visit.window_end < visit.window_start:
                raise ValidationError(
                    _("The agreed arrival of visit %(visit)s must end after it starts.", visit=visit.name)
                )

    @api.onchange("window_start", "window_end")
    def _onchange_window(self):
        """A start outside the agreed time moves to its beginning."""
        if self.window_start and self.window_end:
            if not self.scheduled_start or not self.window_start <= self.scheduled_start <= self.window_end:
                self.scheduled_start = self.window_start

    # ------------------------------------------------------------------
    # The facts the rules need, read in a constant number of queries
    # ------------------------------------------------------------------

    @api.model
    def _dispatch_engine(self, technicians, first, last, exclude=None):
        """A :class:`DispatchEngine` over ``technicians`` (the active ones) between ``first`` and
        ``last`` (naive UTC): their working time, time off and visits, a day more on each side so that
        every local day is whole."""
        technicians = technicians.filtered("active")
        first, last = first - timedelta(days=1), last + timedelta(days=1)
        bookings = defaultdict(list)
        if technicians:
            booked = self.search_fetch(
                [
                    ("technician_id", "in", technicians.ids),
                    ("state", "!=", "cancel"),
                    ("scheduled_start", "<", last),
                    ("scheduled_end", ">", first),
                    ("id", "not in", exclude.ids if exclude else []),
                ],
                ["technician_id", "scheduled_start", "scheduled_end", "partner_id"],
            )
            for visit in booked:
                bookings[visit.technician_id.id].append(
                    Booking(visit.id, visit.scheduled_start, visit.scheduled_end, partner_point(visit.partner_id))
                )
        work = {}
        for calendar in technicians.resource_calendar_id:
            intervals = calendar._work_intervals_batch(first.replace(tzinfo=utc), last.replace(tzinfo=utc))[False]
            work[calendar] = [
                (start.astimezone(utc).replace(tzinfo=None), stop.astimezone(utc).replace(tzinfo=None))
                for start, stop, _meta in intervals
            ]
        time_off = technicians._time_off(first, last)
        facts = [
            Technician(
                key=technician.id,
                tz=timezone(technician.user_id.tz or technician.resource_calendar_id.tz or "UTC"),
                capacity=technician.daily_capacity,
                branch=technician.branch_id.id or None,
                home=partner_point(technician.home_partner_id),
                work=list(work[technician.resource_calendar_id]),
                time_off=sorted(time_off[technician.id]),
                bookings=bookings[technician.id],
            )
            for technician in technicians
        ]
        speed = float(self.env["ir.config_parameter"].sudo().get_param(SPEED_PARAM, DEFAULT_SPEED_KMH) or 0.0)
        return DispatchEngine(facts, speed_kmh=speed)

    @api.model
    def _static_candidates(self, technicians, visit):
        """The ``technicians`` whom the rules that do not depend on the time (branch, skill level, zone)
        allow for ``visit`` (a :class:`Visit`): only their days need reading."""
        engine = DispatchEngine(
            [
                Technician(key=technician.id, tz=utc, capacity=0, branch=technician.branch_id.id or None)
                for technician in technicians
            ]
        )
        allowed = {technician.key for technician in engine.candidates(visit)[0]}
        return technicians.filtered(lambda technician: technician.id in allowed)

    def _dispatch_visits(self, technicians):
        """The visits as the rules see them (``{visit id: Visit}``): skill levels and zone cover of each
        technician, the place, the duration, the agreed time and the SLA deadline."""
        # few product categories, ticket types and zones for many visits: each is worked out once
        levels_of = {}  # (category, ticket type) -> {technician id: level}
        technicians_of_zone = defaultdict(set)
        for technician in technicians:
            for zone in technician.zone_ids:
                technicians_of_zone[zone].add(technician.id)
        covered_of = {}  # partner -> frozenset of technician ids
        result = {}
        for visit in self:
            category, ticket_type = visit.ticket_id.product_id.categ_id, visit.ticket_id.ticket_type_id
            levels = levels_of.get((category, ticket_type))
            if levels is None:
                levels = levels_of[category, ticket_type] = {
                    technician.id: technician._skill_level(category, ticket_type) for technician in technicians
                }
            covered = covered_of.get(visit.partner_id)
            if covered is None:
                covered = covered_of[visit.partner_id] = frozenset().union(
                    *(ids for zone, ids in technicians_of_zone.items() if zone._covers(visit.partner_id))
                )
            if visit.scheduled_start and visit.scheduled_end:
                duration = visit.scheduled_end - visit.scheduled_start
            else:
                duration = timedelta(hours=visit.visit_type_id.default_duration or 1.0)
            result[visit.id] = Visit(
                key=visit.id,
                duration=duration,
                point=partner_point(visit.partner_id),
                branch=visit.branch_id.id or None,
                required_level=int(visit.visit_type_id.skill_level or 0),
                levels=levels,
                covered=covered,
                start=visit.scheduled_start or None,
                window=(visit.window_start, visit.window_end) if visit.window_start and visit.window_end else None,
                deadline=visit.ticket_id.sla_resolve_deadline or None,
            )
        return result

    def _refusal_text(self, refusal):
        """The words of a :class:`~dispatch.Refusal`."""
        code = refusal.code
        if code == dispatch.TRAVEL:
            return _(
                "no time to drive the %(km).1f km between this visit and %(visit)s",
                km=refusal.km,
                visit=self.browse(refusal.booking.key).name,
            )
        if code == dispatch.BUSY and refusal.booking:
            return _("busy then (visit %(visit)s)", visit=self.browse(refusal.booking.key).name)
        return {
            dispatch.BRANCH: _("of another branch"),
            dispatch.SKILL: _("not skilled enough"),
            dispatch.ZONE: _("outside their zones"),
            dispatch.WINDOW: _("outside the time agreed with the customer"),
            dispatch.NOT_WORKING: _("not working then"),
            dispatch.TIME_OFF: _("on time off then"),
            dispatch.BUSY: _("busy then"),
            dispatch.CAPACITY: _("no capacity left that day"),
        }[code]

    # ------------------------------------------------------------------
    # Who may dispatch
    # ------------------------------------------------------------------

    def _check_can_dispatch(self, action):
        """Planning visits for the technicians is the dispatchers' work (and the managers'); the
        visits must be theirs to change."""
        if self.env.su:
            return
        if not self.env.user.has_group(DISPATCHER_GROUP):
            raise AccessError(
                _("%(action)s visits is the work of the dispatchers: ask one to plan them.", action=action)
            )
        self.check_access("write")

    def _plannable(self):
        return self.filtered(
            lambda v: v.state == "draft" and not v.technician_id and v.partner_job_state not in PARTNER_JOB_ACTIVE
        )

    # ------------------------------------------------------------------
    # Auto-assign: each visit keeps its time
    # ------------------------------------------------------------------

    def action_auto_assign(self):
        """Give each visit, most urgent SLA first, the best technician free at its time, schedule it
        and say why in its chatter; or say why nobody fits and leave it in draft.

        The best is the one with the fewest kilometres from the stop before (their home base or their
        visit just before that day), few visits that day and a high skill level (see
        :meth:`DispatchEngine.choose`). Dispatchers' work. Returns the visits assigned.
        """
        self._check_can_dispatch(_("Auto-assigning"))
        not_plannable = self.filtered(lambda v: v not in v._plannable() or not v.scheduled_start)
        if not_plannable:
            raise UserError(
                _(
                    "Only draft visits with a start and no technician can be assigned automatically: %(visits)s",
                    visits=", ".join(not_plannable.mapped("name")),
                )
            )
        if not self:
            return self
        technicians = self.env["aftersales.technician"].search([("company_id", "in", self.company_id.ids)])
        engine = self._dispatch_engine(
            technicians, min(self.mapped("scheduled_start")), max(self.mapped("scheduled_end")), exclude=self
        )
        facts = self._dispatch_visits(technicians)
        technician_by_id = {technician.id: technician for technician in technicians}
        levels = dict(self.env["aftersales.technician.skill"]._fields["level"]._description_selection(self.env))
        assigned = self.browse()
        for visit in self.sorted(lambda v: facts[v.id].urgency):
            choice = engine.choose(facts[visit.id], visit.scheduled_start, visit.scheduled_end)
            if not isinstance(choice, dispatch.Choice):
                visit._post_no_fit([(technician_by_id[t.key].name, visit._refusal_text(r)) for t, r in choice])
                continue
            technician = technician_by_id[choice.technician.key]
            # the engine has just checked every rule: no second check on write
            with visit._assignment_checked(), visit._unguard("state"):
                visit.write({"technician_id": technician.id, "state": "scheduled"})
            assigned |= visit
            parts = [
                _("distance unknown (no coordinates)")
                if choice.km is None
                else _("%(km).1f km from their home base", km=choice.km)
                if not choice.origin
                else _(
                    "%(km).1f km from %(origin)s",
                    km=choice.km,
                    origin=self.browse(choice.origin.key).partner_id.display_name,
                ),
                _("%(count)s other visits that day", count=choice.workload),
                _("skill level: %(level)s", level=levels[str(choice.level)]),
            ]
            parts += visit._deadline_parts(visit.scheduled_end)
            others = [technician_by_id[t.key].name for _score, t in choice.others]
            visit._post_choice(technician, parts, others)
        return assigned

    def _deadline_parts(self, end, tz=None):
        self.ensure_one()
        deadline = self.ticket_id.sla_resolve_deadline
        if not deadline:
            return []
        text = format_datetime(self.env, deadline, tz=tz, dt_format="short")
        if end > deadline:
            return [_("ends after the SLA deadline %(deadline)s", deadline=text)]
        return [_("SLA deadline: %(deadline)s", deadline=text)]

    def _post_choice(self, technician, parts, others):
        self.ensure_one()
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("Assigned to %(technician)s automatically:", technician=technician.name),
            Markup("").join(Markup("<li>%s</li>") % part for part in parts),
        )
        if others:
            body += Markup("<p>%s</p>") % _("Next best candidates: %(others)s", others=", ".join(others))
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _post_no_fit(self, refusals):
        self.ensure_one()
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            _("No technician fits this visit; it stays unassigned."),
            Markup("").join(Markup("<li>%s: %s</li>") % (name, reason) for name, reason in refusals),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Plan a Day: the route optimizer chooses technicians, order and times
    # ------------------------------------------------------------------

    def action_plan_day(self):
        """Open the day planner on the selected visits (dispatchers' work)."""
        self._check_can_dispatch(_("Planning the day"))
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_visit_plan_action")
        action["context"] = {"default_visit_ids": self.ids}
        return action

    def _plan_days(self, day=None, technicians=None, quiet=None):
        """Assign, order and time draft visits to keep the technicians' total travel low.

        The visits are planned day by day: the day of a visit is the local date of its agreed time or
        its start (its time only says which day), or ``day`` for the others. Each day's candidates are
        ``technicians`` (default: every active technician of the visits' companies) whom the rules
        allow (branch, skill, zone); their free time is their working hours minus public holidays,
        their time off and their other visits, the drive to and from these visits included; their
        daily capacity counts those visits too. The agreed times are kept. Visits that fit are
        scheduled with a technician and times, and their chatter says why; the others stay draft with
        the reason, but for those of ``quiet`` (visits the caller tries again on another day). Returns
        the planned visits.
        """
        self._check_can_dispatch(_("Planning the day"))
        if not self:
            return self
        not_plannable = self - self._plannable()
        if not_plannable:
            raise UserError(
                _(
                    "Only draft visits without a technician can be planned: %(visits)s",
                    visits=", ".join(not_plannable.mapped("name")),
                )
            )
        undated = self.filtered(lambda v: not v.scheduled_start and not v.window_start)
        if undated and not day:
            raise UserError(_("Choose the day to plan %(visits)s on.", visits=", ".join(undated.mapped("name"))))
        if technicians is None:
            technicians = self.env["aftersales.technician"].search([("company_id", "in", self.company_id.ids)])
        technicians = technicians.filtered("active")
        tz = timezone(self.env.user.tz or self.env.company.resource_calendar_id.tz or "UTC")
        by_day = defaultdict(lambda: self.browse())
        for visit in self:
            moment = visit.window_start or visit.scheduled_start
            by_day[utc.localize(moment).astimezone(tz).date() if moment else day] |= visit
        first = tz.localize(datetime.combine(min(by_day), time.min)).astimezone(utc).replace(tzinfo=None)
        last = tz.localize(datetime.combine(max(by_day), time.max)).astimezone(utc).replace(tzinfo=None)
        engine = self._dispatch_engine(technicians, first, last, exclude=self)
        facts = self._dispatch_visits(technicians)
        try:
            seconds = float(self.env["ir.config_parameter"].sudo().get_param(PLAN_SECONDS_PARAM, DEFAULT_PLAN_SECONDS))
        except ValueError:
            seconds = DEFAULT_PLAN_SECONDS
        planned = self.browse()
        for local_day, visits in sorted(by_day.items()):
            plan = engine.plan_day([facts[visit.id] for visit in visits], local_day, time_limit=seconds)
            planned |= visits._write_plan(plan, engine, facts, technicians, tz, quiet)
        return planned

    def _write_plan(self, plan, engine, facts, technicians, tz, quiet=None):
        """Write a day plan on the visits, each with a note saying why; and why not for the others."""
        levels = dict(self.env["aftersales.technician.skill"]._fields["level"]._description_selection(self.env))
        technician_by_id = {technician.id: technician for technician in technicians}
        bodies, planned = {}, self.browse()
        # the visits planned and those the technicians had, read together
        booked = self.browse(
            {booking.key for key in plan.rounds for booking in engine.technicians[key].bookings} | set(self.ids)
        )
        visits_by_id = {visit.id: visit for visit in booked}
        # what the writes check, read for all the visits at once rather than once per write
        booked.mapped("helper_ids")
        for key, stops in plan.rounds.items():
            technician = technician_by_id[key]
            for stop in stops:
                visit = visits_by_id[stop.job.key]
                # the planner has just checked every rule: no second check on write
                with visit._assignment_checked(), visit._unguard("state"):
                    visit.with_context(tracking_disable=True).write(
                        {
                            "technician_id": technician.id,
                            "scheduled_start": stop.start,
                            "scheduled_end": stop.end,
                            "state": "scheduled",
                        }
                    )
                planned |= visit
                # the whole day of the technician: the visits they had and those planned now
                day = engine.day_bookings(engine.technicians[key], stop.start)
                before = [b for b in day if b.end <= stop.start]
                origin = visits_by_id[before[-1].key].partner_id if before else technician.home_partner_id
                bodies[visit.id] = visit._plan_note(
                    technician,
                    stop,
                    (len(before) + 1, len(day)),
                    origin,
                    levels[str(facts[visit.id].levels.get(key, 0))],
                    tz,
                )
        for visit in self - planned - (quiet or self.browse()):
            if plan.unplanned.get(visit.id) == NO_CANDIDATE:
                reason = _(
                    "no technician has the skill for it and covers its address in its branch: check the skills, "
                    "zones and branches"
                )
            elif visit.window_start:
                reason = _(
                    "the technicians who could do it have no free time or capacity left at the time agreed "
                    "with the customer"
                )
            else:
                reason = _("the technicians who could do it have no free time or capacity left that day")
            bodies[visit.id] = Markup("<p>%s</p>") % _(
                "The day planner could not place this visit: %(reason)s. It stays unassigned.", reason=reason
            )
        self._message_log_batch(bodies)
        return planned

    def _plan_note(self, technician, stop, position, origin, level, tz):
        self.ensure_one()
        start = format_datetime(self.env, stop.start, tz=tz.zone, dt_format="short")
        end = format_time(self.env, stop.end, tz=tz.zone, time_format="short")
        km = great_circle_km(partner_point(origin), partner_point(self.partner_id))
        parts = [
            _("stop %(number)s of %(count)s of their day", number=position[0], count=position[1]),
            _("distance unknown (no coordinates)")
            if km is None
            else _("%(km).1f km from their home base", km=km)
            if origin == technician.home_partner_id
            else _("%(km).1f km from %(origin)s", km=km, origin=origin.display_name),
            _("skill level: %(level)s", level=level),
        ]
        if self.window_start:
            parts.append(
                _(
                    "keeps the arrival agreed with the customer: %(start)s - %(end)s",
                    start=format_datetime(self.env, self.window_start, tz=tz.zone, dt_format="short"),
                    end=format_time(self.env, self.window_end, tz=tz.zone, time_format="short"),
                )
            )
        parts += self._deadline_parts(stop.end, tz=tz.zone)
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _(
                "Planned for %(technician)s, %(start)s - %(end)s, by the day planner:",
                technician=technician.name,
                start=start,
                end=end,
            ),
            Markup("").join(Markup("<li>%s</li>") % part for part in parts),
        )

    # ------------------------------------------------------------------
    # The check of an assignment made by hand
    # ------------------------------------------------------------------

    def _check_assignment(self, forcing=None):
        """Refuse a technician who breaks a planning rule, unless a dispatcher forces it.

        ``forcing`` are the visits the dispatcher forces now: they need a reason, written in the
        chatter and the audit log. The others keep a forcing given earlier without a new entry.
        """
        forcing = forcing if forcing is not None else self.browse()
        checked = self.env.cr.cache.get(_CHECKED_KEY) or {}
        visits = self.filtered(
            lambda v: (
                not checked.get(v.id)
                and v.technician_id
                and v.scheduled_start
                and v.scheduled_end
                and v.state in PLANNED_STATES
            )
        )
        if not visits:
            return
        technicians = visits.technician_id
        engine = self._dispatch_engine(
            technicians, min(visits.mapped("scheduled_start")), max(visits.mapped("scheduled_end")), exclude=visits
        )
        facts = visits._dispatch_visits(technicians)
        needless = self.browse()  # forced although no rule is broken
        for visit in visits:
            technician = visit.technician_id
            facts_of_technician = engine.technicians.get(technician.id)
            refusals = []
            if facts_of_technician:
                refusals = list(
                    engine.refusals(facts_of_technician, facts[visit.id], visit.scheduled_start, visit.scheduled_end)
                )
                engine.book(facts_of_technician, facts[visit.id], visit.scheduled_start, visit.scheduled_end)
            if not refusals:
                if visit in forcing:
                    needless |= visit
                continue
            # every rule broken is named: forcing keeps the assignment despite all of them
            reason = "; ".join(visit._refusal_text(refusal) for refusal in refusals)
            # sudo: the flag and its reason are read only; setting them needs the dispatcher group
            forced = visit.sudo()
            if not forced.assignment_forced:
                raise ValidationError(
                    _(
                        "%(technician)s cannot take visit %(visit)s: %(reason)s. A dispatcher can force "
                        "the assignment.",
                        technician=technician.name,
                        visit=visit.name,
                        reason=reason,
                    )
                )
            if visit not in forcing:
                continue
            if not (forced.assignment_forced_reason or "").strip():
                raise UserError(
                    _(
                        "Say why the assignment of %(technician)s to visit %(visit)s is forced despite: %(reason)s.",
                        technician=technician.name,
                        visit=visit.name,
                        reason=reason,
                    )
                )
            visit.message_post(
                body=_(
                    "Assignment of %(technician)s forced despite: %(reason)s. Why: %(why)s",
                    technician=technician.name,
                    reason=reason,
                    why=forced.assignment_forced_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.env["aftersales.audit.log"]._audit(
                "assignment_forced",
                visit,
                forced.assignment_forced_reason,
                new=_("%(technician)s despite: %(reason)s", technician=technician.name, reason=reason),
            )
        if needless:
            # sudo: the flag is read only; nothing to force, the assignment keeps every rule
            with needless._assignment_checked():
                needless.sudo().write({"assignment_forced": False, "assignment_forced_reason": False})

    @contextmanager
    def _assignment_checked(self):
        """The caller has just checked the planning rules for these visits: the writes in the
        ``with`` block do not check them again. Kept in the transaction's cursor, never in the
        context, so that no client can skip the rules."""
        checked = self.env.cr.cache.setdefault(_CHECKED_KEY, Counter())
        checked.update(self.ids)
        try:
            yield
        finally:
            checked.subtract(self.ids)
            checked += Counter()  # drop the visits no longer checked
