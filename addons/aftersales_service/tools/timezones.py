"""The time zone a person reads times in."""

import pytz


def person_tz(partner, company=None):
    """The time zone of ``partner``: their own, else their company's, else the one of ``company``
    (its partner's), else UTC. Times shown to a person (e-mails, notes, portal pages, PDFs) are
    in it, never in the writer's or the server's."""
    partner = partner.sudo()
    company = company.sudo() if company else None
    for tz in (partner.tz, partner.commercial_partner_id.tz, company and company.partner_id.tz):
        if tz and tz in pytz.all_timezones_set:
            return tz
    return "UTC"
