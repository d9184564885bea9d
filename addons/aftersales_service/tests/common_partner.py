from datetime import timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import AftersalesCommon


class AftersalesPartnerCommon(AftersalesCommon):
    """Two service partners, each with a portal user, the rates of the first one,
    a dispatcher who may bill, and a visit type done without the customer's signature."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_dispatcher",
            name="Dora Dispatcher",
            email="dora@example.com",
            groups="aftersales_service.aftersales_service_group_dispatcher,account.group_account_invoice",
        )
        cls.visit_type = cls.env["aftersales.visit.type"].create(
            {"name": "Partner check", "kind": "maintenance", "default_duration": 1.0}
        )
        cls.other_visit_type = cls.env["aftersales.visit.type"].create(
            {"name": "Partner inspection", "kind": "inspection", "default_duration": 1.0}
        )
        cls.service_point = cls.env["res.partner"].create(
            {
                "name": "Fix-It Point",
                "is_company": True,
                "aftersales_service_partner": True,
                "email": "jobs@fixit.example.com",
            }
        )
        cls.service_point_contact = cls.env["res.partner"].create(
            {"name": "Felix Fixit", "email": "felix@fixit.example.com", "parent_id": cls.service_point.id}
        )
        cls.partner_user = new_test_user(
            cls.env, login="as_partner_felix", groups="base.group_portal", partner_id=cls.service_point_contact.id
        )
        cls.other_point = cls.env["res.partner"].create(
            {
                "name": "Other Repair Shop",
                "is_company": True,
                "aftersales_service_partner": True,
                "email": "jobs@other.example.com",
            }
        )
        cls.other_partner_user = new_test_user(
            cls.env,
            login="as_partner_olga",
            name="Olga Other",
            email="olga@other.example.com",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Olga Other", "email": "olga@other.example.com", "parent_id": cls.other_point.id})
            .id,
        )
        currency = cls.company.currency_id
        cls.rate_check, cls.rate_any = cls.env["aftersales.partner.rate"].create(
            [
                {
                    "partner_id": cls.service_point.id,
                    "visit_type_id": cls.visit_type.id,
                    "amount": 80.0,
                    "currency_id": currency.id,
                    "parts_pricing": "cost",
                    "parts_percent": 10.0,
                },
                {
                    "partner_id": cls.service_point.id,
                    "sequence": 20,
                    "amount": 50.0,
                    "currency_id": currency.id,
                    "parts_pricing": "list",
                    "parts_percent": 20.0,
                },
            ]
        )

    def _job(self, visit_type=None, partner=None, **values):
        """A visit of a new ticket, dispatched by the dispatcher to ``partner`` (the service point)."""
        ticket = self._ticket(lot_id=self.lot.id)
        return (
            self.env["aftersales.visit"]
            .with_user(self.dispatcher)
            .create(
                {
                    "ticket_id": ticket.id,
                    "visit_type_id": (visit_type or self.visit_type).id,
                    "scheduled_start": fields.Datetime.now() + timedelta(days=1),
                    "service_partner_id": (partner or self.service_point).id,
                    **values,
                }
            )
            .with_user(self.env.user)
        )

    def _do_job(self, job, hours=1.5):
        """The partner accepts and finishes the job, the dispatcher validates it."""
        job._partner_accept()
        job._partner_record_work(report="<p>Filter cleaned, drain tested.</p>", hours=hours, finish=True)
        job.with_user(self.dispatcher).action_done()
        return job

    def _this_month(self):
        """The first and last days of the current month where the company is, as the settlements count them."""
        tz = pytz.timezone(self.company.partner_id.tz or "UTC")
        first = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date().replace(day=1)
        return first, first + relativedelta(months=1, days=-1)

    def _settlement(self, **values):
        first, last = self._this_month()
        return self.env["aftersales.partner.settlement"].create(
            {
                "partner_id": self.service_point.id,
                "date_from": first,
                "date_to": last,
                **values,
            }
        )
