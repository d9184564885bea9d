from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon

# a lookup by serial number: one query, which also fetches what the lookup shows
LOOKUP_QUERIES = 1


@tagged("post_install", "-at_install")
class TestWarranty(WarrantyCommon):
    def test_dates_from_the_policy(self):
        warranty = self._warranty(lot_id=self.lot.id)
        self.assertEqual(warranty.state, "draft")
        self.assertFalse(warranty.end_date, "no end before the start")
        self.assertTrue(warranty.name.startswith("WAR/"))
        warranty._start(date(2026, 3, 15))
        self.assertEqual(warranty.end_date, date(2028, 3, 14))
        self.assertEqual(warranty.covered_until, date(2028, 3, 24), "ten grace days")
        # the policy's terms are copied on the warranty: a change applies to the units registered later
        for serial, duration, unit, end in (
            ("WM7-0090", 90, "day", date(2026, 6, 12)),
            ("WM7-0091", 6, "month", date(2026, 9, 14)),
        ):
            self.policy.write({"duration": duration, "duration_unit": unit})
            lot = self.env["stock.lot"].create({"name": serial, "product_id": self.product.id})
            later = self._warranty(lot_id=lot.id)
            later._start(date(2026, 3, 15))
            self.assertEqual(later.end_date, end)
        self.assertEqual(warranty.end_date, date(2028, 3, 14), "the warranty sold keeps its terms")

    def test_coverage_and_days_left(self):
        warranty = self._warranty(lot_id=self.lot.id)
        warranty._start(date(2026, 1, 1))
        with freeze_time("2026-12-22"):
            self.assertEqual(warranty.with_context(date=date(2026, 12, 22)).days_left, 375)
            self.assertTrue(warranty._covers("labour"))
            self.assertFalse(warranty._covers("travel"), "the policy leaves travel out")
        self.assertTrue(warranty._covers("parts", date(2028, 1, 5)), "within the grace days")
        self.assertFalse(warranty._covers("parts", date(2028, 1, 20)))

    def test_lookup_by_serial(self):
        old = self._warranty(lot_id=self.lot.id)
        old._start(date(2020, 1, 1))
        old._void_by_hand("Unit returned")
        current = self._warranty(lot_id=self.lot.id)
        current._start(date(2026, 1, 1))
        self.assertEqual(self.env["aftersales.warranty"]._lookup("WM7-0001"), current)
        ticket = self._ticket(lot_id=self.lot.id)
        self.assertEqual(ticket.warranty_id, current)
        self.assertEqual(ticket.warranty_state, "active")
        self.assertEqual(ticket.warranty_end_date, date(2027, 12, 31))

    def test_lookup_one_query_as_the_agent(self):
        """The agent's lookup is one query, which fetches what it shows; the record rules apply."""
        expired = self._warranty(lot_id=self.lot.id)
        expired._start(date(2020, 1, 1))
        self.assertEqual(expired.state, "expired")
        current = self._warranty(lot_id=self.lot.id)
        current._start(date(2026, 1, 1))
        other_lot = self.env["stock.lot"].create({"name": "WM7-0002", "product_id": self.product.id})
        self._warranty(lot_id=other_lot.id)._start(date(2026, 2, 1))
        Warranty = self.env["aftersales.warranty"].with_user(self.agent).with_context(date=date(2026, 6, 1))
        # the agent's rights, rules and time zone, read once per request
        self.assertTrue(Warranty._lookup("WM7-0002").days_left)
        Warranty.invalidate_model()  # the warranties not cached, as in a request that looks a serial up
        with freeze_time("2026-06-01"), self.assertQueryCount(LOOKUP_QUERIES):
            found = Warranty._lookup("WM7-0001")
            shown = (found.state, found.end_date, found.days_left, found.partner_id.id)
        self.assertEqual(found, current, "the running warranty before the expired one")
        self.assertEqual(shown, ("active", date(2027, 12, 31), 579, self.customer.id))
        self.assertFalse(Warranty._lookup("WM7-9999"))
        # the record rules: a customer's portal user finds the units of the customer only
        outsider = self.env["res.partner"].create({"name": "Olga Outsider"})
        portal = new_test_user(self.env, login="lookup_portal", groups="base.group_portal", partner_id=outsider.id)
        self.assertFalse(self.env["aftersales.warranty"].with_user(portal)._lookup("WM7-0001"))
        owner = new_test_user(
            self.env,
            login="lookup_owner",
            groups="base.group_portal",
            partner_id=self.env["res.partner"].create({"name": "Wanda", "parent_id": self.customer.id}).id,
        )
        self.assertEqual(self.env["aftersales.warranty"].with_user(owner)._lookup("WM7-0001"), current)
        # the access rights: a user without any on warranties is refused
        employee = new_test_user(self.env, login="lookup_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["aftersales.warranty"].with_user(employee)._lookup("WM7-0001")

    def test_lookup_other_company(self):
        """A user of another company does not find the warranty; a user of both finds it in the companies
        of the request only (the lookup's query is kept per user and companies)."""
        current = self._warranty(lot_id=self.lot.id)
        current._start(date(2026, 1, 1))
        other_company = self.env["res.company"].create({"name": "Other Appliances Ltd"})
        groups = "aftersales_service.aftersales_service_group_user,stock.group_production_lot"
        outsider = new_test_user(
            self.env, login="lookup_other_co", groups=groups, company_id=other_company.id, company_ids=other_company.ids
        )
        both = new_test_user(
            self.env,
            login="lookup_both_co",
            groups=groups,
            company_id=other_company.id,
            company_ids=(other_company | self.company).ids,
        )
        Warranty = self.env["aftersales.warranty"]
        for _round in range(2):  # the second time from the cached queries
            self.assertFalse(Warranty.with_user(outsider)._lookup("WM7-0001"))
            self.assertFalse(Warranty.with_user(both).with_company(other_company)._lookup("WM7-0001"))
            self.assertEqual(Warranty.with_user(both).with_company(self.company)._lookup("WM7-0001"), current)
            both_companies = Warranty.with_user(both).with_context(
                allowed_company_ids=[other_company.id, self.company.id]
            )
            self.assertEqual(both_companies._lookup("WM7-0001"), current)
        # a sudo lookup ignores the rules, with the companies of the request
        self.assertEqual(Warranty.with_user(outsider).sudo()._lookup("WM7-0001"), current)
        # the user's companies change: the user's queries are built again
        outsider.company_ids = [Command.link(self.company.id)]
        self.assertEqual(
            Warranty.with_user(outsider).with_context(allowed_company_ids=self.company.ids)._lookup("WM7-0001"),
            current,
        )

    def test_lookup_follows_the_record_rules(self):
        """A record rule added, changed or removed applies to the next lookup, the query kept or not."""
        current = self._warranty(lot_id=self.lot.id)
        current._start(date(2026, 1, 1))
        Warranty = self.env["aftersales.warranty"].with_user(self.agent)
        self.assertEqual(Warranty._lookup("WM7-0001"), current)
        rule = self.env["ir.rule"].create(
            {
                "name": "Agents see the expired warranties only",
                "model_id": self.env["ir.model"]._get_id("aftersales.warranty"),
                "groups": [Command.link(self.env.ref("aftersales_service.aftersales_service_group_user").id)],
                "domain_force": "[('state', '=', 'expired')]",
            }
        )
        self.assertFalse(Warranty._lookup("WM7-0001"), "the rule hides the running warranty")
        self.assertTrue(self.env["aftersales.warranty"]._lookup("WM7-0001"), "the superuser still finds it")
        rule.domain_force = "[('state', 'in', ('active', 'expired'))]"
        self.assertEqual(Warranty._lookup("WM7-0001"), current)
        rule.active = False
        self.assertEqual(Warranty._lookup("WM7-0001"), current)
        rule.write({"active": True, "domain_force": "[('partner_id', '!=', %d)]" % self.customer.id})
        self.assertFalse(Warranty._lookup("WM7-0001"))
        rule.unlink()
        self.assertEqual(Warranty._lookup("WM7-0001"), current)
        # the agent loses the groups that read warranties: refused, though the query was kept
        self.agent.groups_id = [Command.set(self.env.ref("base.group_user").ids)]
        with self.assertRaises(AccessError):
            Warranty._lookup("WM7-0001")

    def test_lookup_sees_pending_changes(self):
        """What the transaction changed and did not write yet is written before the lookup's query."""
        current = self._warranty(lot_id=self.lot.id)
        current._start(date(2026, 1, 1))
        Warranty = self.env["aftersales.warranty"].with_user(self.agent)
        self.assertEqual(Warranty._lookup("WM7-0001"), current)
        self.lot.name = "WM7-0001-B"
        self.assertFalse(Warranty._lookup("WM7-0001"))
        found = Warranty._lookup("WM7-0001-B")
        self.assertEqual(found, current)
        with current._unguard("state"):
            current.state = "expired"
        with freeze_time("2026-06-01"):
            self.assertEqual((found.state, found.days_left), ("expired", 0), "the pending value, not the fetched one")

    def test_company_checked_in_a_batch(self):
        """Warranties created together are checked once per company and value, each value still checked."""
        other_company = self.env["res.company"].create({"name": "Other Appliances Ltd"})
        foreign = self.env["product.product"].create({"name": "Foreign Fridge", "company_id": other_company.id})
        lots = self.env["stock.lot"].create([{"name": f"CC-{n}", "product_id": self.product.id} for n in range(3)])
        base = {"partner_id": self.customer.id, "product_id": self.product.id, "policy_id": self.policy.id}
        vals_list = [dict(base, lot_id=lot.id) for lot in lots]
        with self.assertRaises(UserError):
            self.env["aftersales.warranty"].create([*vals_list[:2], dict(vals_list[2], product_id=foreign.id)])
        self.assertEqual(len(self.env["aftersales.warranty"].create(vals_list)), 3)

    def test_cron_expires_in_batches(self):
        warranties = self.env["aftersales.warranty"]
        for serial in ("EXP-1", "EXP-2", "EXP-3"):
            lot = self.env["stock.lot"].create({"name": serial, "product_id": self.product.id})
            warranties |= self._warranty(lot_id=lot.id)
        warranties._start(date(2020, 1, 1))
        self.assertEqual(set(warranties.mapped("state")), {"expired"}, "started after their end: expired at once")
        warranties.write({"state": "active"})
        Warranty = self.env["aftersales.warranty"]
        self.assertEqual(Warranty._cron_expire(batch_size=2), 2)
        self.assertEqual(Warranty._cron_expire(batch_size=2), 1)
        self.assertEqual(Warranty._cron_expire(batch_size=2), 0)
        self.assertEqual(set(warranties.mapped("state")), {"expired"})

    def test_bad_input(self):
        with self.assertRaises(ValidationError):
            self.policy.duration = 0
        with self.assertRaises(ValidationError):
            self.env["aftersales.warranty.policy"].create({"name": "Never", "duration": -1})
        warranty = self._warranty(lot_id=self.lot.id)
        warranty._start(date(2026, 1, 1))
        with self.assertRaises(ValidationError):
            warranty.end_date = date(2025, 12, 1)
        with self.assertRaises(ValidationError):
            self._warranty(lot_id=self.lot.id)  # the serial already has a running warranty
        with self.assertRaises(UserError):
            warranty.unlink()
        warranty._void_by_hand("Registered by mistake")
        self.assertEqual(warranty.void_reason, "Registered by mistake")
        with self.assertRaises(UserError):
            warranty.action_void()
