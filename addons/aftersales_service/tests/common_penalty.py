from datetime import date, datetime

from odoo.tests import new_test_user

from .common_partner import AftersalesPartnerCommon


class AftersalesPenaltyCommon(AftersalesPartnerCommon):
    """The company's default penalties (late, low CSAT), the service point's own re-work penalty, set by a
    manager; jobs done in March 2026 (their times written as fixtures)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="as_pen_manager",
            name="Mona Manager",
            email="mona@example.com",
            groups="aftersales_service.aftersales_service_group_manager",
        )
        cls.repair_type = cls.env["aftersales.visit.type"].create(
            {"name": "Partner repair", "kind": "repair", "default_duration": 1.0}
        )
        cls.survey = cls.env["survey.survey"].create({"title": "How did we do?"})
        # our rules only, whatever the database already holds
        cls.env["aftersales.partner.penalty"].search([]).active = False
        Penalty = cls.env["aftersales.partner.penalty"].with_user(cls.manager)
        cls.penalty_late, cls.penalty_csat, cls.penalty_rework = Penalty.create(
            [
                {
                    "reason": "late",
                    "late_basis": "resolve",
                    "late_hours": 4.0,
                    "amount_type": "percent",
                    "percent": 10.0,
                },
                {"reason": "low_csat", "csat_threshold": 3.0, "amount_type": "fixed", "amount": 15.0},
                {
                    "partner_id": cls.service_point.id,
                    "reason": "rework",
                    "rework_days": 30,
                    "amount_type": "percent",
                    "percent": 25.0,
                },
            ]
        )

    def _done_job(self, check_in, check_out, visit_type=None, lot=None, partner=None, request_date=None):
        """A job done by the partner, validated by the dispatcher, at the given times (UTC)."""
        job = self._job(visit_type=visit_type, partner=partner)
        if lot:
            job.ticket_id.lot_id = lot
        if request_date:
            job.ticket_id.request_date = request_date
        self._do_job(job)
        job.write({"check_in": check_in, "check_out": check_out})
        return job

    def _rate(self, job, score):
        """The customer answers the satisfaction survey of the job's ticket with ``score``."""
        self.env["survey.user_input"].create(
            {
                "survey_id": self.survey.id,
                "aftersales_ticket_id": job.ticket_id.id,
                "state": "done",
                "end_datetime": job.check_out,
                "aftersales_overall_score": score,
            }
        )
        self.assertEqual(job.ticket_id.csat_score, score)

    def _march(self, partner=None):
        return (
            self.env["aftersales.partner.settlement"]
            .with_user(self.dispatcher)
            .create(
                {
                    "partner_id": (partner or self.service_point).id,
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 31),
                }
            )
        )

    def _late_job(self):
        """A job whose ticket came in on 2 March: its solve-by deadline passed long before it was done."""
        job = self._done_job(
            datetime(2026, 3, 10, 9, 0), datetime(2026, 3, 10, 10, 0), request_date=datetime(2026, 3, 2, 8, 0)
        )
        self.assertLess(job.ticket_id.sla_resolve_deadline, datetime(2026, 3, 10))
        return job

    def _penalties(self, settlement):
        return {
            (line.visit_id, line.penalty_reason): line.price_subtotal
            for line in settlement.line_ids.filtered(lambda line: line.line_type == "penalty")
        }
