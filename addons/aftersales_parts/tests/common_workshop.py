from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from .common import PartsCommon


class CarryInCommon(PartsCommon):
    """A service centre: two workshop technicians (Marco, expert; Lia, proficient) beside the field
    technicians Tara and Ben, a counter agent, a parts clerk and the customer on the portal; a
    warranty on parts only; drain pumps and door seals in the warehouse's stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workshop_type = cls.env.ref("aftersales_parts.visit_type_workshop")
        cls.workshop_type.write({"labour_product_id": cls.labour_product.id, "fee_product_id": cls.fee_product.id})
        cls.diagnosis_product = cls.env.ref("aftersales_parts.product_diagnosis_fee")
        cls.diagnosis_product.write({"list_price": 25.0, "taxes_id": [Command.clear()]})
        cls.company.write(
            {
                "aftersales_workshop_visit_type_id": cls.workshop_type.id,
                "portal_confirmation_sign": True,
                "portal_confirmation_pay": False,
            }
        )
        # the warranty pays the parts, the customer the labour
        cls.policy.covers_labour = False
        # the centre's people read the day in the fixtures' time zone, so the warranty that started on
        # the delivery's day covers their visits at any hour
        tz = cls.env.user.tz
        cls.counter = new_test_user(
            cls.env,
            login="as_ws_counter",
            name="Cora Counter",
            email="cora@example.com",
            groups="aftersales_service.aftersales_service_group_user",
            tz=tz,
        )
        cls.clerk = new_test_user(
            cls.env,
            login="as_ws_clerk",
            name="Pia Parts",
            groups="aftersales_parts.aftersales_parts_group_clerk",
            tz=tz,
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_ws_dispatcher",
            name="Dan Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher",
            tz=tz,
        )
        cls.portal_user = new_test_user(
            cls.env, login="as_ws_portal", name="Wendy Portal", groups="base.group_portal", partner_id=cls.customer.id
        )
        marco_user, lia_user = (
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups="aftersales_service.aftersales_service_group_technician",
                tz=tz,
            )
            for login, name in (("as_ws_marco", "Marco Workshop"), ("as_ws_lia", "Lia Workshop"))
        )
        cls.marco, cls.lia = cls.env["aftersales.technician"].create(
            [
                {
                    "user_id": user.id,
                    "resource_calendar_id": cls.calendar.id,
                    "workshop": True,
                    "skill_ids": [Command.create({"product_category_id": cls.category.id, "level": level})],
                }
                for user, level in ((marco_user, "3"), (lia_user, "2"))
            ]
        )
        cls._inventory(cls.seal, cls.warehouse.lot_stock_id, 5.0)
        cls.ticket.partner_id = cls.customer

    def _ticket_for_unit(self, serial, **values):
        """A ticket for another unit the customer bought, with ``serial``."""
        _order, lot = self._sell_and_deliver(self.customer, self.product, serial)
        vals = {
            "name": "Does not spin",
            "partner_id": self.customer.id,
            "lot_id": lot.id,
            "team_id": self.team.id,
        }
        vals.update(values)
        return self.env["aftersales.ticket"].create(vals)

    def _receive(self, ticket=None, user=None):
        """The counter agent receives the unit of the ticket (Receive the Unit, then Receive): it enters
        the carry-in location owned by the customer, and its workshop job starts."""
        user = user or self.counter
        carry_in = self.env["aftersales.carry.in"].with_user(user).create({"ticket_id": (ticket or self.ticket).id})
        carry_in.action_receive()
        return carry_in.with_env(self.env)

    def _cover_parts(self):
        """A running warranty on the unit, covering its parts."""
        return self._running_warranty(start=fields.Date.today() - timedelta(days=30))

    def _prepare_estimate(self, carry_in, technician_user=None, parts=None):
        """The workshop technician diagnoses the unit and records 1.5 hours of labour and two parts."""
        user = technician_user or carry_in.visit_id.technician_id.user_id
        carry_in.with_user(user).diagnosis = "<p>Worn drain pump and door seal.</p>"
        visit = carry_in.visit_id.with_user(user)
        visit.write(
            {
                "line_ids": [Command.create({"line_type": "labour", "quantity": 1.5})],
                "part_ids": [
                    Command.create({"product_id": product.id, "quantity": 1.0})
                    for product in (parts if parts is not None else (self.pump, self.seal))
                ],
            }
        )
        return carry_in

    def _owned_quantity(self, product, location, owner=None, lot=None):
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", location.id),
                ("owner_id", "=", owner.id if owner else False),
                ("lot_id", "=", lot.id if lot else False),
            ]
        )
        return sum(quants.mapped("quantity"))
