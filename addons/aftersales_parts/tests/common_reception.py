from datetime import date

from odoo.tests import Form, new_test_user

from odoo.addons.aftersales_service.tests.common_fees import AftersalesFeesCommon


class CarryInReceptionCommon(AftersalesFeesCommon):
    """A motorcycle dealer's service centre: the customer's motorcycle MC-0001 on a ticket, two
    motorcycles of our own in stock, and the checks of the Vehicles > Motorcycles categories."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a counter agent with no other right: no inventory, no serial numbers group
        cls.counter = new_test_user(
            cls.env,
            login="as_counter",
            name="Cody Counter",
            groups="aftersales_service.aftersales_service_group_user",
        )
        cls.tech_user = cls.tech_a.user_id
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.vehicles = cls.env["product.category"].create({"name": "Vehicles"})
        cls.motorcycles = cls.env["product.category"].create({"name": "Motorcycles", "parent_id": cls.vehicles.id})
        cls.motorcycle = cls.env["product.product"].create(
            {
                "name": "Motorcycle TR-125",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.motorcycles.id,
                "standard_price": 3000.0,
                "list_price": 4500.0,
            }
        )
        Lot = cls.env["stock.lot"]
        for serial in ("MC-STOCK-1", "MC-STOCK-2"):
            lot = Lot.create({"name": serial, "product_id": cls.motorcycle.id, "company_id": cls.company.id})
            cls.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": cls.motorcycle.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1.0,
                }
            ).action_apply_inventory()
        # the customer's motorcycle, bought elsewhere: known by its serial, never in our stock
        cls.bike_lot = Lot.create({"name": "MC-0001", "product_id": cls.motorcycle.id, "company_id": cls.company.id})
        Check = cls.env["aftersales.carry.in.check"]
        cls.check_mileage = Check.create(
            {
                "categ_id": cls.vehicles.id,
                "sequence": 5,
                "name": "Mileage (km)",
                "answer_kind": "number",
                "required": True,
            }
        )
        cls.check_scratches = Check.create(
            {
                "categ_id": cls.motorcycles.id,
                "sequence": 1,
                "name": "Scratches",
                "answer_kind": "text",
                "required": True,
            }
        )
        cls.check_helmet = Check.create({"categ_id": cls.motorcycles.id, "sequence": 2, "name": "Helmet left"})
        cls.check_photo = Check.create(
            {"categ_id": cls.motorcycles.id, "sequence": 3, "name": "Photo of the unit", "answer_kind": "photo"}
        )
        Check.create({"categ_id": cls.motorcycles.id, "sequence": 4, "name": "Old check", "active": False})
        cls.check_road_test = Check.create(
            {
                "categ_id": cls.motorcycles.id,
                "phase": "inspection",
                "name": "Road test",
                "required": True,
            }
        )
        cls.check_drum = Check.create({"categ_id": cls.category.id, "name": "Drum turns freely"})
        cls.bike_ticket = cls.env["aftersales.ticket"].create(
            {
                "name": "Brakes squeal",
                "partner_id": cls.customer.id,
                "product_id": cls.motorcycle.id,
                "lot_id": cls.bike_lot.id,
                "team_id": cls.team.id,
            }
        )

    def _new_carry_in(self, ticket=None, user=None):
        """The agent's Receive the Unit on the ticket: the new carry-in form, saved at the counter."""
        user = user or self.counter
        action = (ticket or self.bike_ticket).with_user(user).action_receive_unit()
        with Form(self.env["aftersales.carry.in"].with_user(user).with_context(**action["context"])) as form:
            form.problem = "Brakes squeal when hot"
            form.expected_date = date(2026, 6, 12)
        return form.record

    def _answer_intake(self, carry_in, user=None):
        """Answer the intake check at the counter, as the agent does on the carry-in's form."""
        carry_in = carry_in.with_user(user or self.counter)
        names = carry_in.intake_step_ids.mapped("name")
        with Form(carry_in) as form:
            with form.intake_step_ids.edit(names.index("Mileage (km)")) as line:
                line.value_number = 12500
            with form.intake_step_ids.edit(names.index("Scratches")) as line:
                line.value_text = "Two scratches on the tank"
                line.note = "Left side, 3 cm"
            with form.intake_step_ids.edit(names.index("Helmet left")) as line:
                line.done = True
        return carry_in

    def _received(self):
        carry_in = self._answer_intake(self._new_carry_in())
        carry_in.action_receive()
        return carry_in

    def _step(self, carry_in, name):
        return carry_in.step_ids.filtered(lambda step: step.name == name)
