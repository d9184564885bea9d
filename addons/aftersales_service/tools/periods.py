from datetime import datetime, time, timedelta

import pytz

from odoo import fields


def utc_period_bounds(env, date_from, date_to, tz_name=None):
    """The days from ``date_from`` to ``date_to`` in ``tz_name`` (default: the user's time zone), as naive UTC
    datetimes [start, end)."""
    tz = pytz.timezone(tz_name or env.context.get("tz") or env.user.tz or "UTC")

    def to_utc(day):
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    return to_utc(date_from), to_utc(date_to + timedelta(days=1))


def company_tz(company):
    """The time zone of ``company``: its address's, else UTC."""
    return company.partner_id.tz or "UTC"


def company_day(company, moment):
    """The day of ``moment`` (a naive UTC datetime; now if not given) where ``company`` is (see
    :func:`company_tz`): Odoo's ``context_today`` in the company's time zone."""
    return fields.Date.context_today(company.with_context(tz=company_tz(company)), moment)
