from datetime import date, datetime, timedelta

from odoo import Command
from odoo.tests import new_test_user

from .common import AftersalesCommon

MAY = date(2026, 5, 1)
APRIL = date(2026, 4, 1)


class AftersalesQualityCommon(AftersalesCommon):
    """A North and a South branch, a service partner working for the North, a customer-relations team of two
    agents, and done jobs: in May 7 of the North's own, 3 of the South's and 4 of the service partner; in April
    2 of the North's. The sample size is 2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Branch = cls.env["aftersales.branch"]
        cls.north = Branch.create({"name": "North Centre", "code": "QN"})
        cls.south = Branch.create({"name": "South Point", "code": "QS"})
        cls.team.branch_id = cls.north
        cls.team_south = cls.env["aftersales.team"].create({"name": "South Crew", "branch_id": cls.south.id})
        cls.zone = cls.env["aftersales.zone"].create({"name": "Quality zone"})
        cls.tara, cls.ben = cls._create_technicians(cls.zone)
        cls.tara.branch_id = cls.north
        cls.ben.branch_id = cls.south
        cls.fixit = cls.env["res.partner"].create(
            {"name": "Fix-It Point", "is_company": True, "aftersales_service_partner": True}
        )
        cls.fixit_user = new_test_user(
            cls.env,
            login="as_q_fixit",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"].create({"name": "Felix Fixit", "parent_id": cls.fixit.id}).id,
        )
        agent_groups = "aftersales_service.aftersales_service_group_user"
        cls.reviewer_a = new_test_user(cls.env, login="as_q_rita", name="Rita Review", groups=agent_groups)
        cls.reviewer_b = new_test_user(cls.env, login="as_q_rob", name="Rob Review", groups=agent_groups)
        cls.relations = cls.env["aftersales.team"].create(
            {"name": "Customer Relations", "member_ids": [Command.set((cls.reviewer_a | cls.reviewer_b).ids)]}
        )
        cls.company.write(
            {
                "aftersales_quality_sample_size": 2,
                "aftersales_quality_method": "call",
                "aftersales_quality_team_id": cls.relations.id,
            }
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_repair")
        Ticket = cls.env["aftersales.ticket"]
        cls.ticket_north = Ticket.create(
            {"name": "North washer", "partner_id": cls.customer.id, "team_id": cls.team.id}
        )
        cls.ticket_south = Ticket.create(
            {"name": "South washer", "partner_id": cls.customer.id, "team_id": cls.team_south.id}
        )
        cls.may_north = cls._done_jobs(cls.ticket_north, 7, datetime(2026, 5, 4, 9), technician=cls.tara)
        cls.may_south = cls._done_jobs(cls.ticket_south, 3, datetime(2026, 5, 5, 9), technician=cls.ben)
        cls.may_fixit = cls._done_jobs(cls.ticket_north, 4, datetime(2026, 5, 6, 9), service_partner=cls.fixit)
        cls.april_north = cls._done_jobs(cls.ticket_north, 2, datetime(2026, 4, 20, 9), technician=cls.tara)

    @classmethod
    def _done_jobs(cls, ticket, count, start, technician=None, service_partner=None):
        """``count`` jobs of ``ticket`` done a day apart from ``start``, by ``technician`` or ``service_partner``."""
        jobs = cls.env["aftersales.visit"].create(
            [{"ticket_id": ticket.id, "visit_type_id": cls.visit_type.id} for __ in range(count)]
        )
        for index, job in enumerate(jobs):
            done = start + timedelta(days=index % 20)
            vals = {"state": "done", "check_in": done - timedelta(hours=1), "check_out": done}
            if technician:
                vals["technician_id"] = technician.id
            if service_partner:
                vals.update(service_partner_id=service_partner.id, partner_job_state="done")
            job.write(vals)
        return jobs

    def _draw(self, user, month, size=None):
        """Draw the sample of ``month`` as ``user`` through the wizard; the reviews drawn."""
        wizard = self.env["aftersales.quality.draw"].with_user(user).create({"month": month})
        if size is not None:
            wizard.sample_size = size
        action = wizard.action_draw()
        return self.env["aftersales.quality.review"].search(action["domain"])
