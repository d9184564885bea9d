from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common_partner import AftersalesPartnerCommon


@tagged("post_install", "-at_install")
class TestServicePartner(AftersalesPartnerCommon):
    def test_dispatch_offer_accept_work_settle_bill(self):
        """Dispatch -> offer e-mail -> accept -> work -> done -> settlement -> vendor bill."""
        job = self._job()
        self.assertEqual(job.partner_job_state, "offered")
        self.assertEqual(job.partner_dispatcher_id, self.dispatcher)
        offer = job.message_ids.filtered(lambda m: self.partner_user.partner_id in m.partner_ids)
        self.assertEqual(len(offer), 1, "the partner's portal user is sent the offer")
        self.assertIn(f"/my/jobs/{job.id}", offer.body)
        self.assertIn(job.name, offer.subject)

        job._partner_accept()
        self.assertEqual((job.partner_job_state, job.state), ("accepted", "confirmed"))
        job._partner_record_work(report="<p>Filter cleaned.</p>", hours=1.5)
        self.assertEqual(job.state, "in_progress")
        self.assertTrue(job.check_in)
        job._partner_record_work(finish=True)
        # the partner reports the job done; the customer is billed when the dispatcher validates it
        self.assertEqual((job.partner_job_state, job.state), ("done", "in_progress"))
        self.assertTrue(job.check_out)
        self.assertAlmostEqual(job.time_spent, 1.5, msg="checking out keeps the hours the partner gave")
        self.assertFalse(job.line_ids.sale_line_ids, "nothing billed to the customer yet")
        self.assertEqual(job.activity_ids.user_id, self.dispatcher, "the dispatcher is asked to validate the job")
        waiting = self._settlement()
        waiting.action_compute_lines()
        self.assertFalse(waiting.line_ids, "a job is paid once validated")
        waiting.unlink()
        job.with_user(self.dispatcher).action_done()
        self.assertEqual((job.partner_job_state, job.state), ("done", "done"))

        other_job = self._do_job(self._job(visit_type=self.other_visit_type))
        settlement = self._settlement()
        settlement.action_compute_lines()
        self.assertEqual(settlement.line_ids.visit_id, job | other_job)
        # by hand: the check is paid 80.00 (its own rate), the inspection 50.00 (the rate for any job)
        by_job = {line.visit_id: line.price_subtotal for line in settlement.line_ids}
        self.assertEqual(by_job, {job: 80.0, other_job: 50.0})
        self.assertEqual(settlement.amount_total, 130.0)
        self.assertEqual(settlement.job_count, 2)

        settlement.with_user(self.dispatcher).action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        bill = settlement.move_id
        self.assertEqual(settlement.state, "billed")
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "draft"))
        self.assertEqual(bill.partner_id, self.service_point)
        self.assertEqual(bill.aftersales_partner_settlement_ids, settlement)
        self.assertEqual(bill.amount_untaxed, 130.0)
        product = self.env.ref("aftersales_service.product_partner_service")
        self.assertEqual(bill.invoice_line_ids.product_id, product)
        self.assertEqual(bill.invoice_line_ids.aftersales_settlement_line_id, settlement.line_ids)
        self.assertEqual(sorted(bill.invoice_line_ids.mapped("price_subtotal")), [50.0, 80.0], "one bill line per job")
        for line in bill.invoice_line_ids:
            self.assertIn(line.account_id.account_type, ("expense", "expense_direct_cost"))
        with self.assertRaises(UserError):
            settlement.action_cancel()
        bill.button_cancel()
        settlement.action_cancel()
        self.assertEqual(settlement.state, "cancel")

    def test_settlement_form(self):
        """A dispatcher prepares a settlement from its form: the lines come from the done jobs."""
        job = self._do_job(self._job())
        first, last = self._this_month()
        with Form(self.env["aftersales.partner.settlement"].with_user(self.dispatcher)) as form:
            form.partner_id = self.service_point
            form.date_from = first
            form.date_to = last
        settlement = form.record
        self.assertEqual(settlement.currency_id, self.company.currency_id)
        self.assertTrue(settlement.name.startswith("PST/"))
        settlement.action_compute_lines()
        self.assertEqual(settlement.line_ids.visit_id, job)
        self.assertEqual(job.partner_settlement_line_ids, settlement.line_ids)

    def test_decline_goes_back_to_dispatch(self):
        job = self._job()
        with self.assertRaises(UserError):
            job._partner_decline("   ")
        job._partner_decline("No technician free that week")
        self.assertEqual(job.partner_job_state, "declined")
        self.assertEqual(job.partner_decline_reason, "No technician free that week")
        activity = job.activity_ids
        self.assertEqual(activity.user_id, self.dispatcher)
        self.assertIn("No technician free that week", str(activity.note))
        self.assertEqual(job._plannable(), job, "a declined job can be planned again")
        with self.assertRaises(UserError):
            job._partner_accept()
        # offered again to another partner
        job.with_user(self.dispatcher).service_partner_id = self.other_point
        self.assertEqual(job.partner_job_state, "offered")
        self.assertFalse(job.partner_decline_reason)
        job._partner_decline("Not our brand")
        # or done by one of our technicians
        zone = self.env["aftersales.zone"].create({"name": "Everywhere"})
        technician = self._create_technicians(zone)[0]
        job.write({"scheduled_start": False, "technician_id": technician.id})
        job.write({"state": "in_progress", "work_report": "<p>Done by us</p>"})
        job.action_done()
        self.assertEqual((job.state, job.partner_job_state), ("done", "declined"))

    def test_offered_job_is_not_planned(self):
        job = self._job()
        self.assertFalse(job._plannable())
        self.assertFalse(job._needs_time(), "the customer is not offered our technicians' times")
        with self.assertRaises(UserError):
            job.action_auto_assign()
        # the day planner leaves it out, and takes it back once declined
        undated = self._job(scheduled_start=False)
        planner = self.env["aftersales.visit.plan"].with_user(self.dispatcher).create({})
        self.assertNotIn(undated, planner._find_visits())
        undated._partner_decline("Fully booked")
        self.assertIn(undated, planner._find_visits())

    def test_job_settled_once(self):
        job = self._do_job(self._job())
        first = self._settlement()
        first.action_compute_lines()
        self.assertEqual(first.line_ids.visit_id, job)
        second = self._settlement()
        second.action_compute_lines()
        self.assertFalse(second.line_ids, "a settled job is not gathered again")
        with self.assertRaises(ValidationError):
            second.line_ids = [Command.create({"visit_id": job.id, "name": "Again", "price_unit": 80.0})]
        first.action_cancel()
        second.action_compute_lines()
        self.assertEqual(second.line_ids.visit_id, job, "the job of a cancelled settlement is settled again")

    def test_cron_prepares_last_month(self):
        job = self._do_job(self._job())
        last_month = self._this_month()[0] - relativedelta(months=1)
        job.check_out = fields.Datetime.to_datetime(last_month) + timedelta(days=3, hours=10)
        job.time_spent = 2.0
        settlements = self.env["aftersales.partner.settlement"]._cron_prepare_previous_month()
        mine = settlements.filtered(lambda s: s.partner_id == self.service_point)
        self.assertEqual(len(mine), 1)
        self.assertEqual((mine.date_from, mine.date_to), (last_month, last_month + relativedelta(months=1, days=-1)))
        self.assertEqual((mine.state, mine.amount_total), ("draft", 80.0))
        again = self.env["aftersales.partner.settlement"]._cron_prepare_previous_month()
        self.assertFalse(again.filtered(lambda s: s.partner_id == self.service_point), "prepared once")

    def test_branch_dispatcher_settles_the_jobs_of_every_branch(self):
        """The branch rules hide other branches' jobs from a branch dispatcher: the settlement still
        pays them all."""
        Branch = self.env["aftersales.branch"]
        north = Branch.create({"name": "North", "code": "N"})
        south = Branch.create({"name": "South", "code": "S"})
        team_south = self.env["aftersales.team"].create({"name": "South Crew", "branch_id": south.id})
        self.team.branch_id = north
        job_north = self._do_job(self._job())
        job_south = self._job()
        job_south.ticket_id.team_id = team_south
        self._do_job(job_south)
        self.assertEqual(job_south.branch_id, south)
        north.user_ids = self.dispatcher
        self.assertFalse(self.env["aftersales.visit"].with_user(self.dispatcher).search([("id", "=", job_south.id)]))
        settlement = self._settlement().with_user(self.dispatcher)
        settlement.action_compute_lines()
        self.assertEqual(settlement.sudo().line_ids.visit_id, job_north | job_south)
        self.assertEqual(settlement.amount_total, 160.0)

    def test_accountant_confirms_and_bills(self):
        accountant = new_test_user(
            self.env,
            login="as_partner_accountant",
            name="Carla Counts",
            groups="aftersales_service.aftersales_service_group_accountant",
        )
        self._do_job(self._job())
        settlement = self._settlement()
        settlement.action_compute_lines()
        settlement = settlement.with_user(accountant)
        self.assertEqual(settlement.amount_total, 80.0)
        settlement.action_confirm()
        settlement.action_create_bill()
        self.assertEqual(settlement.state, "billed")
        self.assertEqual(settlement.move_id.amount_untaxed, 80.0)
        with self.assertRaises(AccessError):
            self.env["aftersales.partner.settlement"].with_user(accountant).create(
                {"partner_id": self.service_point.id, "date_from": settlement.date_from, "date_to": settlement.date_to}
            )

    def test_job_paid_once_after_a_cancelled_bill(self):
        job = self._do_job(self._job())
        first = self._settlement()
        first.action_compute_lines()
        first.action_confirm()
        first.with_user(self.dispatcher).action_create_bill()
        bill = first.move_id
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        bill.button_draft()
        bill.button_cancel()
        first.action_cancel()
        second = self._settlement()
        second.action_compute_lines()
        self.assertEqual(second.line_ids.visit_id, job, "the job is released")
        # the cancelled bill cannot come back to life: the job is on the second settlement
        with self.assertRaisesRegex(UserError, "cancelled partner settlements"):
            bill.button_draft()
        with self.assertRaisesRegex(UserError, "cancelled partner settlements"):
            bill.action_post()
        self.assertEqual(bill.state, "cancel")

    def test_reversed_bill_releases_the_settlement(self):
        job = self._do_job(self._job())
        settlement = self._settlement()
        settlement.action_compute_lines()
        settlement.action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        bill = settlement.move_id
        bill.invoice_date = fields.Date.today()
        bill.action_post()
        with self.assertRaisesRegex(UserError, "still due"):
            settlement.action_cancel()
        # a credit note posted and reconciled with the bill: reversed in full
        bill._reverse_moves([{"date": fields.Date.today(), "invoice_date": fields.Date.today()}], cancel=True)
        self.assertEqual(bill.payment_state, "reversed")
        settlement.action_cancel()
        self.assertEqual(settlement.state, "cancel")
        again = self._settlement()
        again.action_compute_lines()
        self.assertEqual(again.line_ids.visit_id, job)

    def test_period_in_the_company_time_zone(self):
        """A job checked out late on the last evening of a month, in the company's time zone, is of that month;
        the monthly run also settles the jobs of earlier months left unsettled."""
        self.company.partner_id.tz = "America/New_York"
        job = self._do_job(self._job())
        # 28 February 2026, 20:00 to 22:00 in New York
        job.write({"check_in": datetime(2026, 3, 1, 1, 0), "check_out": datetime(2026, 3, 1, 3, 0)})
        settlement = self._settlement(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
        settlement.action_compute_lines()
        self.assertEqual(settlement.line_ids.visit_id, job)
        settlement.unlink()
        march = self._settlement(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
        march.action_compute_lines()
        self.assertFalse(march.line_ids)
        march.unlink()
        # the monthly run of a later month picks it up
        with freeze_time(datetime(2026, 6, 2, 12, 0)):
            settlements = self.env["aftersales.partner.settlement"]._cron_prepare_previous_month()
        mine = settlements.filtered(lambda s: s.partner_id == self.service_point)
        self.assertEqual(mine.line_ids.visit_id, job)
        self.assertEqual((mine.date_from, mine.date_to), (date(2026, 2, 1), date(2026, 2, 28)))

    def test_declined_job_hidden_from_the_partner(self):
        declined = self._job()
        done = self._do_job(self._job())
        Visit = self.env["aftersales.visit"].with_user(self.partner_user)
        self.assertEqual(Visit.search([("id", "in", (declined | done).ids)]), declined | done)
        declined._partner_decline("No time")
        self.assertEqual(Visit.search([("id", "in", (declined | done).ids)]), done, "done jobs stay visible")
        with self.assertRaises(AccessError):
            declined.with_user(self.partner_user).read(["name"])

    def test_update_lines_does_not_grow_with_the_jobs(self):
        """The partner's rates are read once, whatever the number of jobs."""

        def jobs_in(month, count):
            jobs = self.env["aftersales.visit"]
            for __ in range(count):
                job = self._do_job(self._job())
                job.write({"check_in": datetime(2026, month, 10, 8, 0), "check_out": datetime(2026, month, 10, 9, 0)})
                jobs |= job
            return self._settlement(date_from=date(2026, month, 1), date_to=date(2026, month, 28))

        warm, one, three = jobs_in(1, 1), jobs_in(2, 1), jobs_in(3, 3)
        warm.action_compute_lines()
        self.env.flush_all()
        self.env.invalidate_all()
        counts = []
        for settlement in (one, three):
            before = self.cr.sql_log_count
            settlement.action_compute_lines()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.env.invalidate_all()
        self.assertEqual(len(three.line_ids), 3)
        self.assertEqual(counts[0], counts[1], "as many queries for three jobs as for one")

    def test_wrong_input(self):
        ticket = self._ticket(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            self.env["aftersales.visit"].with_user(self.agent).create(
                {
                    "ticket_id": ticket.id,
                    "visit_type_id": self.visit_type.id,
                    "service_partner_id": self.service_point.id,
                }
            )
        with self.assertRaises(ValidationError):
            self.env["aftersales.visit"].with_user(self.dispatcher).create(
                {"ticket_id": ticket.id, "visit_type_id": self.visit_type.id, "service_partner_id": self.customer.id}
            )
        job = self._job()
        with self.assertRaises(UserError):
            job._partner_record_work(report="<p>Too early</p>")
        job._partner_accept()
        with self.assertRaises(UserError):
            job._partner_accept()
        with self.assertRaises(UserError):
            job.with_user(self.dispatcher).service_partner_id = self.other_point
        for hours in (-1.0, float("nan"), float("inf"), 24.5, 1e9):
            with self.assertRaisesRegex(UserError, "between 0 and 24 hours"):
                job._partner_record_work(hours=hours)
        with self.assertRaises(UserError):
            job._partner_record_work(finish=True)  # no work report
        settlement = self._settlement()
        with self.assertRaises(UserError):
            settlement.action_confirm()  # nothing to settle
        with self.assertRaises(UserError):
            settlement.action_create_bill()  # not confirmed
        with self.assertRaises(ValidationError):
            self._settlement(date_from=settlement.date_to, date_to=settlement.date_from)
        with self.assertRaises(ValidationError):
            self._settlement(partner_id=self.customer.id)
        self._do_job(self._job())
        settlement.action_compute_lines()
        settlement.action_confirm()
        with self.assertRaises(UserError):
            settlement.line_ids.price_unit = 1.0
        with self.assertRaises(AccessError):
            settlement.with_user(self.manager).action_create_bill()

    def test_portal_users_see_their_jobs_only(self):
        job = self._job()
        other = self._job(partner=self.other_point)
        Visit = self.env["aftersales.visit"]
        self.assertEqual(Visit.with_user(self.partner_user).search([("id", "in", (job | other).ids)]), job)
        self.assertEqual(Visit.with_user(self.other_partner_user).search([("id", "in", (job | other).ids)]), other)
        with self.assertRaises(AccessError):
            job.with_user(self.partner_user).write({"work_report": "<p>No</p>"})
        self._do_job(job)
        settlement = self._settlement()
        settlement.action_compute_lines()
        Settlement = self.env["aftersales.partner.settlement"]
        self.assertFalse(Settlement.with_user(self.partner_user).search([]), "drafts are not shown")
        settlement.action_confirm()
        self.assertEqual(Settlement.with_user(self.partner_user).search([]), settlement)
        self.assertFalse(Settlement.with_user(self.other_partner_user).search([]))
