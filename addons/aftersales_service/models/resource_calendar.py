from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta

from pytz import utc

from odoo import api, models, tools


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _aftersales_plan_hours_batch(self, requests):
        """Plan many working-hour targets on this calendar at once.

        ``requests`` is a list of ``(start, hours)`` pairs, ``start`` being a naive
        UTC datetime. Returns the list of naive UTC datetimes reached after working
        ``hours`` from each ``start``, public holidays (global leaves) excluded.

        The calendar's work intervals are read once for the whole span of the
        batch, so the number of queries does not grow with the number of requests
        (``plan_hours`` reads the leaves again for every call); they are kept in the
        registry's cache by whole days (see :meth:`_aftersales_work_intervals`).
        """
        self.ensure_one()
        if not requests:
            return []
        starts = [start.replace(tzinfo=utc) for start, _hours in requests]
        max_hours = max(hours for _start, hours in requests)
        first, last = min(starts), max(starts)
        # A working week has at least a few hours: size the window generously,
        # and widen it when a target still falls beyond its end.
        # (8 hours a day: the calendar is not read for its own figure, the window widens when too short)
        days = 14 + int(max_hours / 8.0 * 7 / 5) * 2
        for _attempt in range(8):
            window_end = last + timedelta(days=days)
            intervals = self._aftersales_work_intervals(first, window_end)
            results = self._aftersales_consume_intervals(intervals, starts, requests)
            if all(results):
                return results
            days *= 2
        return results

    def _aftersales_work_intervals(self, start, end):
        """The work intervals of this calendar from ``start`` to ``end`` at least (aware UTC datetimes),
        public holidays excluded: ``((start, stop), ...)`` in UTC, sorted. They are read for whole days and
        kept in the registry's cache until a calendar, a working time or a leave changes (see
        ``resource.calendar.attendance`` and ``resource.calendar.leaves``): planning the deadlines of a
        new ticket reads no calendar."""
        self.ensure_one()
        # from the Sunday before (a day before the week, whatever the time zone of the calendar), for a
        # whole number of four-week spans ending a day after: the requests of a week share their window
        first_day = start.date() - timedelta(days=start.weekday() + 1)
        days = -(-((end.date() - first_day).days + 2) // 28) * 28
        return self._aftersales_work_intervals_of_days(self.id, first_day, days)

    @api.model
    @tools.ormcache("calendar_id", "first_day", "days")
    def _aftersales_work_intervals_of_days(self, calendar_id, first_day, days):
        # sudo: working hours are configuration, the same for whoever plans with them
        calendar = self.sudo().browse(calendar_id)
        start = utc.localize(datetime.combine(first_day, time.min))
        stop = start + timedelta(days=days)
        return tuple(
            (begin.astimezone(utc), end.astimezone(utc))
            for begin, end, _meta in calendar._work_intervals_batch(start, stop)[False]
            if end > begin
        )

    def write(self, vals):
        result = super().write(vals)
        # the work intervals of the calendars are kept in the registry's cache
        self.env.registry.clear_cache()
        return result

    def _aftersales_consume_intervals(self, intervals, starts, requests):
        """Walk sorted work intervals with prefix sums; False when beyond them."""
        begins = [start for start, _stop in intervals]
        cumulated = [0.0]
        for start, stop in intervals:
            cumulated.append(cumulated[-1] + (stop - start).total_seconds() / 3600.0)
        total = cumulated[-1]
        results = []
        for start, (_naive, hours) in zip(starts, requests, strict=True):
            # index of the first interval that ends after the start
            index = bisect_right(begins, start) - 1
            if index < 0 or intervals[index][1] <= start:
                index += 1
                offset = cumulated[index] if index < len(intervals) else total
            else:
                offset = cumulated[index] + (start - begins[index]).total_seconds() / 3600.0
            target = offset + max(hours, 0.0)
            if index >= len(intervals) or target > total:
                results.append(False)
                continue
            # the interval in which the target is reached (ends included)
            position = max(bisect_left(cumulated, target) - 1, index)
            reached = begins[position] + timedelta(hours=target - cumulated[position])
            results.append(reached.astimezone(utc).replace(tzinfo=None, microsecond=0))
        return results
