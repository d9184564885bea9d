import base64

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE
from odoo.addons.aftersales_service.tests.common_partner import AftersalesPartnerCommon

PNG = base64.b64decode(SIGNATURE)


@tagged("post_install", "-at_install")
class TestPartnerParts(AftersalesPartnerCommon, HttpCase):
    """A service partner records on the portal the parts it used, from our consignment stock at its
    premises or from its own stock, and requests parts; the parts move by stock moves and those of its
    own stock are paid on its settlement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        # our stock at the partner's premises: an internal location outside our warehouses
        cls.consignment = cls.env["stock.location"].create(
            {
                "name": "Fix-It Point consignment",
                "usage": "internal",
                "location_id": cls.env.ref("stock.stock_location_locations_partner").id,
                "company_id": cls.company.id,
            }
        )
        cls.service_point.aftersales_partner_location_id = cls.consignment
        cls.pump = cls.env["product.product"].create(
            {"name": "Drain Pump", "is_storable": True, "standard_price": 40.0, "list_price": 70.0}
        )
        cls.board = cls.env["product.product"].create(
            {"name": "Control Board", "is_storable": True, "tracking": "serial", "standard_price": 90.0}
        )
        cls.seal = cls.env["product.product"].create(
            {"name": "Door Seal", "is_storable": True, "standard_price": 10.0, "list_price": 25.0}
        )
        cls.board_lot = cls.env["stock.lot"].create(
            {"name": "CB-001", "product_id": cls.board.id, "company_id": cls.company.id}
        )
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.pump, cls.consignment, 5.0)
        Quant._update_available_quantity(cls.board, cls.consignment, 1.0, lot_id=cls.board_lot)
        Quant._update_available_quantity(cls.pump, cls.warehouse.lot_stock_id, 10.0)
        # the door seal is a usual part of the unit, not in the consignment stock
        cls.product.product_tmpl_id.aftersales_compatible_part_ids = [Command.set(cls.seal.ids)]

    def _post(self, url, data, files=None):
        return self.url_open(url, data={**data, "csrf_token": http.Request.csrf_token(self)}, files=files)

    def test_parts_used_and_requested_on_the_portal(self):
        """A service point logs in to the portal, accepts a job, records parts and photos, and at month
        end finds its statement turned into a vendor bill."""
        job = self._job()
        other = self._job(partner=self.other_point)
        self.authenticate(self.partner_user.login, self.partner_user.login)
        self._post(f"/my/jobs/{job.id}/accept", {"accept": "1"})
        response = self.url_open(f"/my/jobs/{job.id}")
        for product in (self.pump, self.board, self.seal):
            self.assertIn(product.name, response.text)

        # wrong input first: nothing is recorded
        unrelated = self._unrelated_product()
        wrong = [
            ({"product_id": str(unrelated.id), "quantity": "1"}, "Choose one of the parts of the list."),
            ({"product_id": str(self.pump.id), "quantity": "0"}, "Give a positive quantity."),
            ({"product_id": str(self.pump.id), "quantity": "nan"}, "Give a positive quantity."),
            ({"product_id": str(self.pump.id), "quantity": "inf"}, "Give a positive quantity."),
            ({"product_id": str(self.pump.id), "quantity": "1e9"}, "Give at most 100 units of a part at a time."),
            ({"product_id": str(self.board.id), "quantity": "1"}, "Give the serial number of Control Board."),
            (
                {"product_id": str(self.board.id), "quantity": "1", "lot_name": "CB-999"},
                "Serial number CB-999 of Control Board is not in your consignment stock.",
            ),
        ]
        for data, message in wrong:
            response = self._post(f"/my/jobs/{job.id}/parts", {"source": "consignment", **data})
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
        self.assertFalse(job.part_ids)
        self.assertEqual(self._post(f"/my/jobs/{other.id}/parts", {"product_id": str(self.pump.id)}).status_code, 404)
        self.assertEqual(
            self._post(f"/my/jobs/{other.id}/parts/request", {"product_id": str(self.pump.id)}).status_code, 404
        )
        response = self._post(f"/my/jobs/{job.id}/parts/request", {"product_id": str(self.pump.id), "quantity": "inf"})
        self.assertIn("Give a positive quantity.", response.text)
        self.assertFalse(job.parts_request_ids)

        # the parts used become the visit's part lines
        for data in (
            {"product_id": str(self.pump.id), "quantity": "2", "source": "consignment"},
            {"product_id": str(self.board.id), "quantity": "1", "lot_name": "CB-001", "source": "consignment"},
            {"product_id": str(self.seal.id), "quantity": "1", "source": "own"},
        ):
            response = self._post(f"/my/jobs/{job.id}/parts", data)
            self.assertIn("The part is recorded on the job.", response.text)
        parts = job.part_ids
        self.assertEqual(parts.product_id, self.pump | self.board | self.seal)
        by_product = {part.product_id: part for part in parts}
        self.assertEqual(by_product[self.pump].location_id, self.consignment)
        self.assertEqual(by_product[self.board].lot_id, self.board_lot)
        self.assertTrue(by_product[self.seal].partner_supplied)
        self.assertEqual(by_product[self.seal].location_id, self.env.ref("stock.stock_location_suppliers"))

        # a parts request waits for the dispatcher, who sends it: an internal transfer from our warehouse
        response = self._post(f"/my/jobs/{job.id}/parts/request", {"product_id": str(self.pump.id), "quantity": "3"})
        self.assertIn("Your parts request is sent: our warehouse confirms it.", response.text)
        request = job.parts_request_ids
        self.assertEqual(request.state, "draft", "nothing reserved before a dispatcher sends it")
        self.assertFalse(request.picking_id)
        self.assertEqual(request.activity_ids.user_id, self.dispatcher)
        request.with_user(self.dispatcher).action_request()
        self.assertEqual(request.state, "requested")
        self.assertEqual(request.picking_id.location_id, self.warehouse.lot_stock_id)
        self.assertEqual(request.picking_id.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(request.picking_id.location_dest_id, self.consignment)
        self.assertEqual(request.picking_id.move_ids.product_uom_qty, 3.0)

        # done: the parts leave their locations by stock moves and become billable lines
        response = self._post(
            f"/my/jobs/{job.id}/work",
            {"work_report": "Pump and board replaced", "time_spent": "2", "finish": "1"},
            files=[("photos", ("board.png", PNG, "image/png"))],
        )
        self.assertIn("The job is reported done", response.text)
        self.assertEqual((job.state, job.partner_job_state), ("in_progress", "done"))
        self.assertFalse(parts.move_id, "the parts leave their locations once the dispatcher validates the job")
        job.with_user(self.dispatcher).action_done()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.photo_ids.mapped("name"), ["board.png"])
        self.assertEqual(set(parts.mapped("move_id.state")), {"done"})
        self.assertEqual(by_product[self.pump].move_id.location_id, self.consignment)
        self.assertEqual(by_product[self.seal].move_id.location_id, self.env.ref("stock.stock_location_suppliers"))
        self.assertEqual(self.pump.with_context(location=self.consignment.id).qty_available, 3.0)
        self.assertEqual(job.line_ids.filtered(lambda line: line.line_type == "part").product_id, parts.product_id)

        # the settlement pays the job (80.00) and the seal of the partner's stock: 10.00 + 10% = 11.00
        first, last = self._this_month()
        settlement = (
            self.env["aftersales.partner.settlement"]
            ._prepare_period(first, last)
            .filtered(lambda s: s.partner_id == self.service_point)
        )
        part_line = settlement.line_ids.filtered(lambda line: line.line_type == "part")
        self.assertEqual(part_line.visit_part_id, by_product[self.seal])
        self.assertEqual((part_line.quantity, part_line.price_unit), (1.0, 11.0))
        self.assertEqual(settlement.amount_total, 91.0)
        settlement.action_confirm()
        settlement.with_user(self.dispatcher).action_create_bill()
        self.assertEqual(settlement.move_id.amount_untaxed, 91.0)
        self.assertEqual(len(settlement.move_id.invoice_line_ids), 2)
        response = self.url_open(f"/my/settlements/{settlement.id}")
        self.assertIn("Billed by the vendor bill", response.text)
        self.assertIn("Door Seal", response.text)

        # a part is settled once
        again = self.env["aftersales.partner.settlement"].create(
            {"partner_id": self.service_point.id, "date_from": first, "date_to": last}
        )
        again.action_compute_lines()
        self.assertFalse(again.line_ids)
        with self.assertRaisesRegex(ValidationError, "A part supplied is settled only once"):
            again.line_ids = [
                Command.create(
                    {
                        "line_type": "part",
                        "visit_id": job.id,
                        "visit_part_id": by_product[self.seal].id,
                        "name": "Again",
                        "price_unit": 11.0,
                    }
                )
            ]

    def test_consignment_location_outside_our_warehouses(self):
        inside = self.env["stock.location"].create(
            {"name": "Shelf for Fix-It", "usage": "internal", "location_id": self.warehouse.lot_stock_id.id}
        )
        with self.assertRaisesRegex(ValidationError, "must be an internal location outside our warehouses"):
            self.other_point.aftersales_partner_location_id = inside
        with self.assertRaisesRegex(ValidationError, "must be an internal location outside our warehouses"):
            self.other_point.aftersales_partner_location_id = self.env.ref("stock.stock_location_customers")
        other_company = self.env["res.company"].create({"name": "Consignment Other Company"})
        foreign = self.env["stock.location"].create(
            {
                "name": "Other company's consignment",
                "usage": "internal",
                "location_id": self.env.ref("stock.stock_location_locations_partner").id,
                "company_id": other_company.id,
            }
        )
        self.other_point.company_id = self.company
        with self.assertRaisesRegex(ValidationError, "belongs to Consignment Other Company"):
            self.other_point.aftersales_partner_location_id = foreign

    def test_partner_request_in_the_branch_of_the_job(self):
        """The request of a partner falls in the branch of its job, and is filled from that branch's warehouse."""
        wh_south = self.env["stock.warehouse"].create({"name": "South Parts", "code": "SPP"})
        south = self.env["aftersales.branch"].create(
            {"name": "South", "code": "S", "warehouse_ids": [Command.link(wh_south.id)]}
        )
        self.team.branch_id = south
        job = self._job()
        job._partner_accept()
        request = self.env["aftersales.parts.request"].create(
            {"visit_id": job.id, "line_ids": [Command.create({"product_id": self.pump.id, "quantity": 1.0})]}
        )
        self.assertEqual(request.branch_id, south)
        request.action_request()
        self.assertEqual(request.picking_id.location_id, wh_south.lot_stock_id)
        self.assertEqual(request.picking_id.picking_type_id, wh_south.int_type_id)

    def test_part_cost_of_the_rate_company(self):
        """A rate of another company pays the part at that company's cost."""
        company_b = self.env["res.company"].create({"name": "Partner Parts Company B"})
        self.pump.with_company(company_b).standard_price = 50.0
        rate = self.env["aftersales.partner.rate"].create(
            {
                "partner_id": self.service_point.id,
                "company_id": company_b.id,
                "currency_id": company_b.currency_id.id,
                "amount": 60.0,
                "parts_pricing": "cost",
                "parts_percent": 10.0,
            }
        )
        self.assertAlmostEqual(rate._part_price(self.pump), 55.0)
        self.assertAlmostEqual(self.rate_check._part_price(self.pump), 44.0)

    def _unrelated_product(self):
        """A product that is neither in the consignment stock nor a usual part of the unit."""
        return self.env["product.product"].create({"name": "Unrelated Kettle", "is_storable": True})
