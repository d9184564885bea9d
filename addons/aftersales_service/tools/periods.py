from datetime import datetime, time, timedelta

import pytz


def utc_period_bounds(env, date_from, date_to):
    """The days from ``date_from`` to ``date_to`` in the user's time zone, as naive UTC datetimes [start, end)."""
    tz = pytz.timezone(env.context.get("tz") or env.user.tz or "UTC")

    def to_utc(day):
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    return to_utc(date_from), to_utc(date_to + timedelta(days=1))
