from bisect import bisect_left, bisect_right
from datetime import timedelta

from pytz import utc

from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _aftersales_plan_hours_batch(self, requests):
        """Plan many working-hour targets on this calendar at once.

        ``requests`` is a list of ``(start, hours)`` pairs, ``start`` being a naive
        UTC datetime. Returns the list of naive UTC datetimes reached after working
        ``hours`` from each ``start``, public holidays (global leaves) excluded.

        The calendar's work intervals are read once for the whole span of the
        batch, so the number of queries does not grow with the number of requests
        (``plan_hours`` reads the leaves again for every call).
        """
        self.ensure_one()
        if not requests:
            return []
        starts = [start.replace(tzinfo=utc) for start, _hours in requests]
        max_hours = max(hours for _start, hours in requests)
        first, last = min(starts), max(starts)
        # A working week has at least a few hours: size the window generously,
        # and widen it when a target still falls beyond its end.
        days = 14 + int(max_hours / max(self.hours_per_day or 8.0, 1.0) * 7 / 5) * 2
        for _attempt in range(8):
            window_end = last + timedelta(days=days)
            intervals = [
                (start.astimezone(utc), stop.astimezone(utc))
                for start, stop, _meta in self._work_intervals_batch(first, window_end)[False]
                if stop > start
            ]
            results = self._aftersales_consume_intervals(intervals, starts, requests)
            if all(results):
                return results
            days *= 2
        return results

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
