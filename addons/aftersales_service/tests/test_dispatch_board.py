from datetime import datetime

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestDispatchBoard(AftersalesCommon, HttpCase):
    """The dispatch board in a real browser: the unassigned visits beside the calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_board_dispatcher",
            name="Dana Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        zone = cls.env["aftersales.zone"].create({"name": "Everywhere"})
        technician_user = new_test_user(
            cls.env,
            login="as_board_tech",
            name="Theo Tech",
            groups="aftersales_service.aftersales_service_group_technician",
        )
        cls.env["aftersales.technician"].search([]).active = False
        cls.technician = cls.env["aftersales.technician"].create(
            {
                "user_id": technician_user.id,
                "resource_calendar_id": cls.calendar.id,
                "zone_ids": [Command.set(zone.ids)],
                "skill_ids": [Command.create({"level": "3"})],
            }
        )
        ticket = cls.env["aftersales.ticket"].create({"name": "Board ticket", "lot_id": cls.lot.id})
        cls.visit = cls.env["aftersales.visit"].create(
            {
                "ticket_id": ticket.id,
                "visit_type_id": cls.env.ref("aftersales_service.visit_type_repair").id,
                "partner_id": cls.env["res.partner"].create({"name": "Board Customer"}).id,
                "scheduled_start": datetime(2026, 11, 24, 10, 0),  # a Tuesday
            }
        )

    def test_dispatch_board_tour(self):
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_visit_action_dispatch",
            "aftersales_dispatch_board_tour",
            login=self.dispatcher.login,
        )
        self.assertEqual(self.visit.technician_id, self.technician)
