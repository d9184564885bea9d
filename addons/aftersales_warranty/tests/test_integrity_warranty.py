from contextlib import contextmanager
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .test_coverage import CoverageCommon
from .test_warranty_portal import WarrantyPortalCommon

AGENT = "aftersales_service.aftersales_service_group_user"
DISPATCHER = "aftersales_service.aftersales_service_group_dispatcher"
MANAGER = "aftersales_service.aftersales_service_group_manager"
ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"
GUARD_MESSAGE = "can only be changed through the actions"


@tagged("post_install", "-at_install")
class TestIntegrityWarranty(CoverageCommon):
    """Warranties, extensions, contracts, planned visits, supplier claims, the coverage of fees and
    the contract of a ticket change through their actions only, whatever JSON-RPC sends.

    Every record is made by the test's superuser; each role then tries as itself.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.w_agent = new_test_user(cls.env, login="i13w_agent", name="Ada Agent", groups=AGENT)
        cls.w_dispatcher = new_test_user(cls.env, login="i13w_dispatcher", name="Dan Dispatch", groups=DISPATCHER)
        cls.w_accountant = new_test_user(cls.env, login="i13w_accountant", name="Acc Ounts", groups=ACCOUNTANT)
        cls.w_manager = new_test_user(cls.env, login="i13w_manager", name="Max Manager", groups=MANAGER)
        cls.w_tech = cls.tech_a.user_id
        cls.roles = {
            "agent": cls.w_agent,
            "dispatcher": cls.w_dispatcher,
            "technician": cls.w_tech,
            "accountant": cls.w_accountant,
            "manager": cls.w_manager,
        }
        cls.other_customer = cls.env["res.partner"].create({"name": "Doris Dryer", "is_company": True})
        cls.other_lot = cls.env["stock.lot"].create(
            {"name": "WM7-I13-OTHER", "product_id": cls.product.id, "company_id": cls.company.id}
        )
        cls.other_policy = cls.env["aftersales.warranty.policy"].create(
            {"name": "Ten years, everything", "duration": 10, "duration_unit": "year", "covers_travel": True}
        )
        cls.invoice = cls.env["account.move"].create({"move_type": "out_invoice", "partner_id": cls.customer.id})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _contract(self, partner=None, lots=None, **values):
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": (partner or self.customer).id,
                "product_id": self.fee_product.id,
                # running, not yet to renew, whatever the day the test runs
                "start_date": fields.Date.today() - timedelta(days=30),
                "term_months": 12,
                "recurring_amount": 100.0,
                "lot_ids": [Command.set((lots if lots is not None else self.lot).ids)],
                **values,
            }
        )
        contract.action_start()
        return contract

    def _claim(self):
        claim = self.env["aftersales.supplier.claim"].create(
            {"partner_id": self.other_customer.id, "lot_id": self.lot.id, "reason": "Motor burnt"}
        )
        claim.action_send()
        return claim

    @contextmanager
    def _refused(self, exception, message):
        """Like ``assertRaisesRegex``, in a savepoint rolled back on the refusal (as ``assertRaises``)."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(message, str(catcher.exception))

    def _assert_refused(self, record, user, vals, exception=AccessError):
        """``user`` writes ``vals`` on ``record``: refused, and the record keeps its values."""
        before = {name: record[name] for name in vals}
        with self.assertRaises(exception, msg=f"{user.login} wrote {vals} on {record}"):
            record.with_user(user).write(vals)
        record.invalidate_recordset()
        for name, value in before.items():
            self.assertEqual(record[name], value, f"{name} of {record} changed by {user.login}")

    def _matrix(self, record, values, roles=None):
        for role, user in self.roles.items():
            if roles and role not in roles:
                continue
            for name, value in values.items():
                with self.subTest(model=record._name, role=role, field=name):
                    self._assert_refused(record, user, {name: value})

    # ------------------------------------------------------------------
    # (a) The write matrix, and creates with guarded fields
    # ------------------------------------------------------------------

    def test_write_matrix_warranty(self):
        warranty = self._running_warranty()
        picking = self.sale_order.picking_ids[:1]
        values = {
            "state": "void",
            "start_date": date(2020, 1, 1),
            "end_date": date(2099, 12, 31),
            "void_reason": "Gone",
            "void_picking_id": picking.id,
            "policy_id": self.other_policy.id,
            "product_id": self.other_product.id,
            "lot_id": self.other_lot.id,
            "partner_id": self.other_customer.id,
            "origin": "registration",
            "sale_line_id": self.sale_order.order_line[:1].id,
            "picking_id": picking.id,
            "invoice_id": self.invoice.id,
            "registration_state": "approved",
            "registration_serial": "FAKE-1",
        }
        self._matrix(warranty, values)
        # what is covered: the policy's, widened by managers only
        self._matrix(warranty, {"covers_travel": True}, roles=("agent", "dispatcher", "technician", "accountant"))
        warranty.with_user(self.w_manager).write({"covers_travel": True})
        self.assertTrue(warranty.covers_travel)
        # an expired one is not revived either
        warranty._void("Test")
        self._matrix(warranty, {"state": "active", "end_date": date(2099, 12, 31)})

    def test_write_matrix_extension(self):
        warranty = self._running_warranty()
        self._sell_extension(self.lot)
        extension = warranty.extension_ids
        self.assertEqual(extension.state, "active")
        values = {
            "state": "cancelled",
            "months": 120,
            "warranty_id": False,
            "lot_id": self.other_lot.id,
            "covers_travel": False,
        }
        self._matrix(extension, values)
        # the extensions of a warranty are not changed from the warranty either
        self._assert_refused(
            warranty,
            self.w_manager,
            {"extension_ids": [Command.create({"lot_id": self.lot.id, "months": 99, "state": "active"})]},
        )
        self.assertEqual(len(warranty.extension_ids), 1)

    def test_write_matrix_contract(self):
        contract = self._contract()
        other = self._contract(partner=self.other_customer, lots=self.other_lot)
        values = {
            "state": "cancel",
            "next_invoice_date": date(2099, 1, 1),
            "reminder_sent": not contract.reminder_sent,
            "renewal_contract_id": other.id,
            "previous_contract_id": other.id,
            "invoice_ids": [Command.link(self.invoice.id)],
            "start_date": date(2020, 1, 1),
            "term_months": 120,
            "end_date": date(2099, 12, 31),
        }
        self._matrix(contract, values)
        # nor through the invoice
        for user in (self.w_accountant, self.w_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.invoice.with_user(user).write({"aftersales_contract_id": contract.id})
        self.assertFalse(self.invoice.aftersales_contract_id)
        # a draft contract is still the agents' to prepare
        draft = self.env["aftersales.contract"].create(
            {"partner_id": self.customer.id, "start_date": date(2026, 1, 1), "term_months": 12}
        )
        draft.with_user(self.w_agent).write({"term_months": 24})
        self.assertEqual(draft.end_date, date(2027, 12, 31))

    def test_write_matrix_contract_visit(self):
        contract = self._contract(visits_per_year=4, visit_lead_days=400)
        occurrences = contract._plan_visits(contract.start_date)
        occurrence, other_occurrence = occurrences[:2]
        self.assertTrue(occurrence.visit_id)
        values = {
            "ticket_id": other_occurrence.ticket_id.id,
            "visit_id": other_occurrence.visit_id.id,
            "contract_id": self._contract(lots=self.other_lot).id,
        }
        self._matrix(occurrence, values)

    def test_write_matrix_supplier_claim(self):
        claim = self._claim()
        values = {"state": "accepted", "partner_id": self.customer.id, "lot_id": self.other_lot.id}
        self._matrix(claim, values)

    def test_write_matrix_visit_line(self):
        warranty = self._running_warranty()
        contract = self._contract(partner=self.other_customer, lots=self.other_lot)
        visit = self._start_visit([{"line_type": "labour"}, {"line_type": "travel_zone"}])
        labour, travel = visit.line_ids
        self.assertEqual((labour.coverage, travel.coverage), ("warranty", "billable"))
        values = {
            "coverage": "contract",
            "covering_warranty_id": False,
            "covering_contract_id": contract.id,
            "cost_amount": 999.0,
            "covered_amount": 999.0,
            "visit_date": date(2030, 1, 1),
            "lot_id": self.other_lot.id,
        }
        self._matrix(labour, values)
        self._matrix(travel, {"coverage": "warranty", "covering_warranty_id": warranty.id})
        # the override is the managers' (with a reason)
        self._matrix(
            travel,
            {"coverage_override": "warranty"},
            roles=("agent", "dispatcher", "technician", "accountant"),
        )
        self.assertEqual(travel.coverage, "billable")

    def test_creates_with_guarded_fields(self):
        Warranty = self.env["aftersales.warranty"]
        base = {"partner_id": self.customer.id, "product_id": self.product.id, "policy_id": self.policy.id}
        for user in (self.w_agent, self.w_dispatcher, self.w_manager):
            for extra in (
                {"state": "active"},
                {"start_date": date(2026, 1, 1)},
                {"end_date": date(2099, 12, 31)},
                {"invoice_id": self.invoice.id},
                {"origin": "sale", "sale_line_id": self.sale_order.order_line[:1].id},
                {"registration_state": "approved"},
            ):
                with self.subTest(user=user.login, vals=extra), self._refused(AccessError, GUARD_MESSAGE):
                    Warranty.with_user(user).create({**base, "lot_id": self.other_lot.id, **extra})
            contract_vals = {"partner_id": self.customer.id, "start_date": date(2026, 1, 1)}
            for extra in ({"state": "running"}, {"next_invoice_date": date(2099, 1, 1)}, {"reminder_sent": True}):
                with self.subTest(user=user.login, vals=extra), self.assertRaises(AccessError):
                    self.env["aftersales.contract"].with_user(user).create({**contract_vals, **extra})
            with self.subTest(user=user.login, model="claim"), self.assertRaises(AccessError):
                self.env["aftersales.supplier.claim"].with_user(user).create(
                    {"partner_id": self.other_customer.id, "lot_id": self.lot.id, "state": "accepted"}
                )
            with self.subTest(user=user.login, model="extension"), self.assertRaises(AccessError):
                self.env["aftersales.warranty.extension"].with_user(user).create(
                    {"lot_id": self.lot.id, "months": 120, "state": "active"}
                )
        self.assertFalse(Warranty.search([("lot_id", "=", self.other_lot.id)]))
        # a manual warranty waiting for its start is still the agents' to create
        manual = Warranty.with_user(self.w_agent).create({**base, "lot_id": self.other_lot.id})
        self.assertEqual((manual.state, manual.origin, manual.start_date), ("draft", "manual", False))
        # the coverage of a new fee line is computed, not given
        visit = self._start_visit([])
        for user in (self.w_tech, self.w_dispatcher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                visit.with_user(user).write(
                    {"line_ids": [Command.create({"line_type": "labour", "coverage": "warranty"})]}
                )
        self.assertFalse(visit.line_ids)

    # ------------------------------------------------------------------
    # (b) The reported holes
    # ------------------------------------------------------------------

    def test_agent_neither_voids_nor_revives(self):
        warranty = self._running_warranty()
        end = warranty.end_date
        as_agent = warranty.with_user(self.w_agent)
        with self._refused(AccessError, GUARD_MESSAGE):
            as_agent.write({"state": "void", "void_reason": "Customer asked"})
        with self._refused(AccessError, "Only after-sales managers"):
            as_agent._void_by_hand("Customer asked")
        with self._refused(AccessError, "Only after-sales managers"):
            as_agent.with_context(aftersales_void_reason="Customer asked").action_void()
        with self._refused(AccessError, "Only after-sales managers"):
            as_agent.action_extend(date(2099, 12, 31), "Goodwill")
        # the context key that once marked a change by hand grants nothing
        with self._refused(AccessError, GUARD_MESSAGE):
            as_agent.with_context(aftersales_extend_reason="Goodwill").write({"end_date": date(2099, 12, 31)})
        self.assertEqual((warranty.state, warranty.end_date), ("active", end))

        expired = self._running_warranty(lot=self.other_lot, start=date(2020, 1, 1))
        self.assertEqual(expired.state, "expired")
        with self._refused(AccessError, GUARD_MESSAGE):
            expired.with_user(self.w_agent).write({"state": "active", "end_date": date(2099, 12, 31)})
        with self._refused(AccessError, GUARD_MESSAGE):
            expired.with_user(self.w_agent).write({"start_date": date(2098, 1, 1)})
        self.assertEqual(expired.state, "expired")
        self.assertLess(expired.end_date, date(2099, 1, 1))
        log = self.env["aftersales.audit.log"].search([("res_model", "=", "aftersales.warranty")])
        self.assertFalse(log)

    def test_technician_cannot_make_fees_free_with_another_contract(self):
        other_contract = self._contract(partner=self.other_customer, lots=self.other_lot)
        visit = self._start_visit([{"line_type": "labour"}])
        ticket = self.ticket
        self.assertEqual(ticket.partner_id.commercial_partner_id, self.customer)
        self.assertFalse(ticket.contract_id)
        as_tech = ticket.with_user(self.w_tech)
        with self._refused(AccessError, GUARD_MESSAGE):
            as_tech.write({"contract_id": other_contract.id})
        # nor along with another unit of the other customer
        with self._refused(AccessError, GUARD_MESSAGE):
            as_tech.write({"lot_id": self.other_lot.id, "contract_id": other_contract.id})
        # an agent (or a manager) may choose a contract, of the ticket's customer only
        for user in (self.w_agent, self.w_manager):
            with self._refused(ValidationError, "is not a contract of"):
                ticket.with_user(user).write({"contract_id": other_contract.id})
        # a contract of the customer that covers neither the unit nor the address
        unrelated = self._contract(lots=self.other_lot)
        with self._refused(ValidationError, "covers neither"):
            ticket.with_user(self.w_manager).write({"contract_id": unrelated.id})
        ticket.invalidate_recordset()
        self.assertFalse(ticket.contract_id)
        self.assertEqual(ticket.lot_id, self.lot)
        self._finish_visit(visit)
        labour = visit.line_ids
        self.assertEqual(labour.coverage, "billable")
        self.assertGreater(labour.price_subtotal, 0.0, "the fees stay charged")

    def test_technician_keeps_the_computed_contract(self):
        """What the form sends back (the contract computed for the unit) is no choice of the technician."""
        contract = self._contract()
        visit = self._start_visit([])
        self.ticket.invalidate_recordset(["contract_id"])
        self.ticket._compute_contract_id()
        self.assertEqual(self.ticket.contract_id, contract)
        as_tech = self.ticket.with_user(self.w_tech)
        as_tech.write({"contract_id": contract.id, "name": "Drain pump blocked"})
        self.assertEqual(self.ticket.contract_id, contract)
        with self._refused(AccessError, GUARD_MESSAGE):
            as_tech.write({"contract_id": False})
        self.assertEqual(self.ticket.contract_id, contract)
        self.assertTrue(visit)

    def test_coverage_override_is_the_managers(self):
        self._running_warranty()
        visit = self._start_visit([{"line_type": "travel_zone"}])
        travel = visit.line_ids
        for user in (self.w_tech, self.w_agent, self.w_dispatcher):
            with self.subTest(user=user.login), self._refused(AccessError, "Only after-sales managers"):
                travel.with_user(user).write({"coverage_override": "warranty", "coverage_override_reason": "Nice"})
        with self.assertRaises(ValidationError):
            travel.with_user(self.w_manager).write({"coverage_override": "warranty"})
        self.assertEqual(travel.coverage, "billable")
        travel.with_user(self.w_manager).write(
            {"coverage_override": "warranty", "coverage_override_reason": "Travel offered after a botched repair"}
        )
        self.assertEqual(travel.coverage, "warranty")
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "coverage_override"), ("res_id", "=", visit.id)]
        )
        self.assertEqual(entry.user_id, self.w_manager)

    # ------------------------------------------------------------------
    # (c) The legit flows, as the proper roles
    # ------------------------------------------------------------------

    def test_manager_voids_with_reason_audited(self):
        warranty = self._running_warranty()
        warranty.with_user(self.w_manager)._void_by_hand("Unit flooded")
        self.assertEqual((warranty.state, warranty.void_reason), ("void", "Unit flooded"))
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "warranty_voided"), ("res_model", "=", warranty._name), ("res_id", "=", warranty.id)]
        )
        self.assertEqual((entry.user_id, entry.reason), (self.w_manager, "Unit flooded"))

    def test_cron_expires(self):
        warranty = self._warranty(lot_id=self.lot.id)
        with self.assertRaises(AccessError):
            warranty.with_user(self.w_agent).action_activate()
        warranty.with_user(self.w_manager).action_activate()
        self.assertEqual(warranty.state, "active")
        # years later (the superuser sets the fixture up: it is not checked)
        warranty.write({"start_date": date(2020, 1, 1)})
        self.assertEqual(warranty.state, "active")
        self.env["aftersales.warranty"]._cron_expire()
        self.assertEqual(warranty.state, "expired")

    def test_extension_sold_moves_the_end(self):
        warranty = self._running_warranty()
        end = warranty.end_date
        order = (
            self.env["sale.order"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.extension_product.id,
                                "product_uom_qty": 1,
                                "aftersales_extended_lot_ids": [Command.set(self.lot.ids)],
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(warranty.extension_ids.state, "active")
        self.assertEqual(warranty.end_date, end + relativedelta(months=12))
        self.assertTrue(warranty.covers_travel)
        order.with_user(self.manager)._action_cancel()
        self.assertEqual(warranty.extension_ids.state, "cancelled")
        self.assertEqual(warranty.end_date, end)

    def test_coverage_computed_when_the_visit_is_done(self):
        warranty = self._running_warranty()
        visit = self._do_visit(self._visit(), lines=[{"line_type": "labour"}], user=self.w_tech)
        self.assertEqual(visit.state, "done")
        self.assertEqual((visit.line_ids.coverage, visit.line_ids.covering_warranty_id), ("warranty", warranty))
        self.assertEqual(visit.line_ids.price_subtotal, 0.0)

    def test_agents_run_their_actions(self):
        """Transfer, contract and claim actions still work for the agents."""
        warranty = self._running_warranty()
        wizard = Form(
            self.env["aftersales.warranty.transfer"]
            .with_user(self.w_agent)
            .with_context(active_model=warranty._name, active_ids=warranty.ids)
        )
        wizard.partner_id = self.other_customer
        wizard.save().action_transfer()
        self.assertEqual(warranty.partner_id, self.other_customer)
        start = fields.Date.today() - timedelta(days=10)
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_id": self.fee_product.id,
                "start_date": start,
                "term_months": 12,
                "invoicing_period": "quarterly",
                "recurring_amount": 100.0,
            }
        )
        as_agent = contract.with_user(self.w_agent)
        as_agent.action_start()
        self.assertEqual((contract.state, contract.next_invoice_date), ("running", start))
        as_agent.action_cancel()
        as_agent.action_reset_draft()
        self.assertEqual(contract.state, "draft")
        claim = self._claim().with_user(self.w_agent)
        claim.action_accept()
        self.assertEqual(claim.state, "accepted")
        with self.assertRaises(AccessError):
            self._claim().with_user(self.w_tech).action_accept()

    # ------------------------------------------------------------------
    # (d) The manager's journey
    # ------------------------------------------------------------------

    def test_manager_journey(self):
        """A manager voids a warranty through the reason window, extends another by hand, and
        approves a registration a customer sent from the portal."""
        warranty = self._running_warranty()
        as_manager = warranty.with_user(self.w_manager)
        self.assertEqual(Form(as_manager).state, "active")
        action = as_manager.action_void()
        self.assertEqual(action["res_model"], "aftersales.audit.reason")
        self.assertEqual(warranty.state, "active")
        wizard = Form(self.env[action["res_model"]].with_user(self.w_manager).with_context(**action["context"]))
        wizard.reason = "Sold to another country"
        wizard.save().action_confirm()
        self.assertEqual((warranty.state, warranty.void_reason), ("void", "Sold to another country"))
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "warranty_voided"), ("res_model", "=", warranty._name), ("res_id", "=", warranty.id)]
        )
        self.assertEqual((entry.user_id, entry.reason), (self.w_manager, "Sold to another country"))

        running = self._running_warranty(lot=self.other_lot)
        end = running.end_date
        action = running.with_user(self.w_manager).action_open_extend()
        extend = Form(self.env[action["res_model"]].with_user(self.w_manager).with_context(**action["context"]))
        extend.end_date = end + timedelta(days=180)
        extend.reason = "Goodwill after two failures"
        extend.save().action_extend()
        self.assertEqual(running.end_date, end + timedelta(days=180))
        entry = self.env["aftersales.audit.log"].search(
            [("action", "=", "warranty_extended"), ("res_id", "=", running.id)]
        )
        self.assertEqual((entry.user_id, entry.reason), (self.w_manager, "Goodwill after two failures"))

        # the customer registers a unit bought elsewhere from the portal (as the controller does)
        portal_user = new_test_user(self.env, login="i13w_portal", groups="base.group_portal")
        portal_user.partner_id.parent_id = self.customer
        today = fields.Date.context_today(warranty)
        registration = (
            self.env["aftersales.warranty"]
            .with_user(portal_user)
            .sudo()
            ._register_unit(
                portal_user.partner_id, self.product, "WM7-I13-REG", today - timedelta(days=20), [("r.pdf", b"%PDF")]
            )
        )
        as_manager = registration.with_user(self.w_manager)
        self.assertEqual(Form(as_manager).registration_state, "to_approve")
        as_manager.action_approve_registration()
        self.assertEqual((registration.state, registration.registration_state), ("active", "approved"))
        self.assertEqual(registration.start_date, today - timedelta(days=20))
        self.assertEqual(registration.lot_id.name, "WM7-I13-REG")


@tagged("post_install", "-at_install")
class TestIntegrityWarrantyPortal(WarrantyPortalCommon, HttpCase):
    """The warranty page lists the files the customer may see, not those the team keeps to itself."""

    def test_portal_lists_customer_visible_attachments_only(self):
        Attachment = self.env["ir.attachment"]

        def attachment(name, **values):
            return Attachment.create(
                {
                    "name": name,
                    "raw": b"%PDF-1.4",
                    "res_model": self.warranty._name,
                    "res_id": self.warranty.id,
                    **values,
                }
            )

        shared = attachment("shared-with-customer.pdf")
        self.warranty.message_post(
            body="Your certificate", attachment_ids=shared.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        note = attachment("internal-expertise.pdf")
        self.warranty.message_post(
            body="Internal expertise", attachment_ids=note.ids, message_type="comment", subtype_xmlid="mail.mt_note"
        )
        attachment("bare-internal-file.pdf")
        attachment("public-conditions.pdf", public=True)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/warranties/{self.warranty.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("shared-with-customer.pdf", response.text)
        self.assertIn("public-conditions.pdf", response.text)
        self.assertNotIn("internal-expertise.pdf", response.text)
        self.assertNotIn("bare-internal-file.pdf", response.text)

    def test_registration_proof_is_shown_back(self):
        registration = self.env["aftersales.warranty"]._register_unit(
            self.contact, self.product, "WM7-I13-PROOF", self.today, attachments=[("my-receipt.pdf", b"%PDF-1.4")]
        )
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(f"/my/warranties/{registration.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("my-receipt.pdf", response.text)
