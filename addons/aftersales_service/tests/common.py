import base64
from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

# a 1x1 PNG, standing for a drawn signature
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
)


class AftersalesCommon(TransactionCase):
    """Fixtures shared by the service tests: a 9-to-18 calendar with a public
    holiday, a team, SLA policies, and a serial-tracked product sold and
    delivered to a customer through the real sale and stock flows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        # times read plainly in UTC, whatever the time zone of the demo company
        cls.company.partner_id.tz = "UTC"
        cls.manager = new_test_user(
            cls.env,
            login="as_manager",
            name="Mia Manager",
            email="mia.manager@example.com",
            groups="aftersales_service.aftersales_service_group_manager,sales_team.group_sale_salesman",
        )
        cls.agent = new_test_user(
            cls.env,
            login="as_agent",
            name="Adam Agent",
            email="adam.agent@example.com",
            groups="aftersales_service.aftersales_service_group_user,stock.group_production_lot",
        )
        # 9:00 to 18:00 from Monday to Friday, in UTC so the figures read plainly
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Service hours 9-18",
                "tz": "UTC",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9.0,
                            "hour_to": 18.0,
                            "day_period": "morning",
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        # Monday 2026-06-08 is a public holiday
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 6, 8, 0, 0),
                "date_to": datetime(2026, 6, 8, 23, 59, 59),
            }
        )
        cls.team = cls.env["aftersales.team"].create(
            {
                "name": "Appliance Service",
                "user_id": cls.manager.id,
                "member_ids": [Command.set([cls.agent.id])],
            }
        )
        cls.type_repair = cls.env.ref("aftersales_service.ticket_type_repair")
        cls.stage_new = cls.env.ref("aftersales_service.stage_new")
        cls.stage_progress = cls.env.ref("aftersales_service.stage_in_progress")
        cls.stage_waiting = cls.env.ref("aftersales_service.stage_waiting_customer")
        cls.stage_solved = cls.env.ref("aftersales_service.stage_solved")
        # our policies come first, whatever the database already holds
        cls.env["aftersales.sla.policy"].search([]).active = False
        cls.policy_urgent = cls.env["aftersales.sla.policy"].create(
            {
                "name": "Urgent",
                "sequence": 1,
                "team_id": cls.team.id,
                "priority": "3",
                "calendar_id": cls.calendar.id,
                "response_hours": 1.0,
                "resolution_hours": 4.0,
            }
        )
        cls.policy_standard = cls.env["aftersales.sla.policy"].create(
            {
                "name": "Standard",
                "sequence": 2,
                "team_id": cls.team.id,
                "calendar_id": cls.calendar.id,
                "response_hours": 2.0,
                "resolution_hours": 8.0,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Wendy Washer", "email": "wendy@example.com", "is_company": True}
        )
        cls.category = cls.env["product.category"].create({"name": "Washing Machines"})
        cls.product = cls.env["product.product"].create(
            {
                "name": "Washing Machine WM-7",
                "is_storable": True,
                "tracking": "serial",
                "categ_id": cls.category.id,
                "list_price": 499.0,
            }
        )
        cls.other_product = cls.env["product.product"].create(
            {"name": "Dryer DR-3", "is_storable": True, "tracking": "serial"}
        )
        cls.sale_order, cls.lot = cls._sell_and_deliver(cls.customer, cls.product, "WM7-0001")

    @classmethod
    def _create_technicians(cls, zone, **values):
        """Tara Tech and Ben Bolt, experts of the product's category in ``zone``, on the 9-18 calendar."""
        users = [
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups="aftersales_service.aftersales_service_group_technician",
            )
            for login, name in (("as_tech_a", "Tara Tech"), ("as_tech_b", "Ben Bolt"))
        ]
        return cls.env["aftersales.technician"].create(
            [
                {
                    "user_id": user.id,
                    "resource_calendar_id": cls.calendar.id,
                    "zone_ids": [Command.set(zone.ids)],
                    "skill_ids": [Command.create({"product_category_id": cls.category.id, "level": "3"})],
                    **values,
                }
                for user in users
            ]
        )

    @classmethod
    def _time_off(cls, technician, start, end, time_type="leave"):
        """A leave of the technician's user, on the user's own resource (as an employee's time off is)."""
        resource = cls.env["resource.resource"].search(
            [("user_id", "=", technician.user_id.id), ("company_id", "=", technician.company_id.id)], limit=1
        ) or cls.env["resource.resource"].create(
            {
                "name": technician.name,
                "user_id": technician.user_id.id,
                "company_id": technician.company_id.id,
                "calendar_id": technician.resource_calendar_id.id,
            }
        )
        return cls.env["resource.calendar.leaves"].create(
            {
                "name": "Time off",
                "resource_id": resource.id,
                "date_from": start,
                "date_to": end,
                "time_type": time_type,
            }
        )

    @classmethod
    def _sell_and_deliver(cls, customer, product, serial):
        """Sell one unit and deliver it with ``serial`` through Odoo's own flows."""
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        lot = cls.env["stock.lot"].create({"name": serial, "product_id": product.id, "company_id": cls.company.id})
        cls.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1.0})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        return order, lot

    def _flush_tracking(self):
        """Tracking is written just before commit: run that step now."""
        self.env.flush_all()
        self.cr.precommit.run()

    def _run_acknowledgements(self):
        """The scheduled action that e-mails the acknowledgements of new tickets runs, as it does in the
        background right after they are opened (as OdooBot, its user)."""
        self.env.ref("aftersales_service.ir_cron_aftersales_ticket_received").method_direct_trigger()

    def _ticket(self, **values):
        vals = {
            "name": "Machine does not drain",
            "partner_id": self.customer.id,
            "team_id": self.team.id,
            "ticket_type_id": self.type_repair.id,
        }
        vals.update(values)
        return self.env["aftersales.ticket"].create(vals)
