from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon

MANAGER = "aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman"
AGENT = "aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman"


@tagged("post_install", "-at_install")
class TestContractPlan(WarrantyCommon):
    """The maintenance plan services every covered serial and site; a contract sold with a unit
    covers that unit's serial once it is delivered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ctr_manager = new_test_user(cls.env, login="as_ctr_plan_mgr", name="Max Plans", groups=MANAGER)
        cls.ctr_agent = new_test_user(cls.env, login="as_ctr_plan_agent", name="Ann Sales", groups=AGENT)
        cls.service_product = cls.env["product.product"].create(
            {"name": "Maintenance Plan", "type": "service", "list_price": 240.0, "taxes_id": [Command.clear()]}
        )
        cls.lot_2 = cls.env["stock.lot"].create(
            {"name": "WM7-0002", "product_id": cls.product.id, "company_id": cls.company.id}
        )
        cls.site_1, cls.site_2 = cls.env["res.partner"].create(
            [
                {"name": "Wendy's laundry, north", "parent_id": cls.customer.id, "type": "delivery"},
                {"name": "Wendy's laundry, south", "parent_id": cls.customer.id, "type": "delivery"},
            ]
        )

    def test_plan_opens_a_visit_for_each_serial_and_site(self):
        contract = (
            self.env["aftersales.contract"]
            .with_user(self.ctr_manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.service_product.id,
                    "start_date": date(2026, 1, 1),
                    "term_months": 12,
                    "visits_per_year": 2,
                    "visit_lead_days": 14,
                    "team_id": self.team.id,
                    "lot_ids": [Command.set((self.lot | self.lot_2).ids)],
                    "site_partner_ids": [Command.set((self.site_1 | self.site_2).ids)],
                }
            )
        )
        contract.action_start()
        Contract = self.env["aftersales.contract"]
        with freeze_time("2026-01-01"):
            Contract._cron_process()
            Contract._cron_process()
        contract = Contract.browse(contract.id)
        occurrences = contract.occurrence_ids
        self.assertEqual(len(occurrences), 4, "one visit per serial and per site")
        self.assertEqual(set(occurrences.mapped("planned_date")), {date(2026, 1, 1)})
        self.assertEqual(occurrences.lot_id, self.lot | self.lot_2)
        self.assertEqual(occurrences.site_partner_id, self.site_1 | self.site_2)
        tickets = occurrences.ticket_id
        self.assertEqual(len(tickets), 4)
        self.assertEqual(tickets.contract_id, contract)
        self.assertEqual(tickets.filtered("lot_id").lot_id, self.lot | self.lot_2)
        self.assertEqual(tickets.filtered(lambda t: not t.lot_id).partner_id, self.site_1 | self.site_2)
        self.assertEqual(len(occurrences.visit_id), 4)
        self.assertEqual(set(occurrences.visit_id.mapped("state")), {"draft"})
        # the second date of the year: four more, once
        with freeze_time("2026-06-20"):
            Contract._cron_process()
            Contract._cron_process()
        self.assertEqual(len(contract.occurrence_ids), 8)
        self.assertEqual(contract.with_user(self.ctr_agent).visit_count, 8)
        # a serial added in the middle of the term joins from the next date, not the past ones
        lot_3 = self.env["stock.lot"].create({"name": "WM7-0003", "product_id": self.product.id})
        contract.with_user(self.ctr_manager).lot_ids = [Command.link(lot_3.id)]
        with freeze_time("2026-06-25"):
            Contract._cron_process()
        self.assertEqual(
            contract.occurrence_ids.filtered(lambda o: o.lot_id == lot_3).mapped("planned_date"), [date(2026, 7, 1)]
        )
        self.assertEqual(len(contract.occurrence_ids), 9)

    def test_contract_sold_with_the_unit_covers_its_serial_at_delivery(self):
        self.service_product.write(
            {
                "aftersales_contract_template": True,
                "aftersales_contract_months": 12,
                "aftersales_contract_price": 240.0,
            }
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        lot = self.env["stock.lot"].create({"name": "WM7-0100", "product_id": self.product.id})
        self.env["stock.quant"]._update_available_quantity(self.product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        order = (
            self.env["sale.order"]
            .with_user(self.ctr_agent)
            .create(
                {
                    "partner_id": self.customer.id,
                    "partner_shipping_id": self.site_1.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "product_uom_qty": 1.0}),
                        Command.create({"product_id": self.service_product.id, "product_uom_qty": 1.0}),
                    ],
                }
            )
        )
        order.action_confirm()
        contract = order.sudo().aftersales_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertFalse(contract.lot_ids, "the serial is not known before the delivery")
        self.assertFalse(contract.site_partner_ids, "sold with a unit, it covers the unit, not the whole address")
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(contract.lot_ids, lot, "the delivered serial is covered")
        ticket = self._ticket(lot_id=lot.id)
        self.assertEqual(ticket.contract_id, contract)
