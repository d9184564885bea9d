import base64
from datetime import timedelta

from odoo import Command, fields, http
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.aftersales_service.tests.common import SIGNATURE

from .common import WarrantyCommon

PNG = base64.b64decode(SIGNATURE)


@tagged("post_install", "-at_install")
class TestIntakePortal(WarrantyCommon, HttpCase):
    """Portal tickets for every unit the customer owns: bought and delivered, registered, transferred to
    them; not for the units they gave away."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["aftersales.warranty"])
        be = cls.env.ref("base.be")
        # the first owner bought the machine from us and sold it on with the house
        cls.first_owner = cls.env["res.partner"].create(
            {"name": "Anna First", "email": "anna@example.com", "zip": "1000", "country_id": be.id}
        )
        cls.first_portal = new_test_user(
            cls.env, login="as_intake_anna", groups="base.group_portal", partner_id=cls.first_owner.id
        )
        cls.order, cls.machine = cls._sell_and_deliver(cls.first_owner, cls.product, "WM7-HOUSE")
        # the delivery started the warranty of the first owner
        cls.warranty = cls.env["aftersales.warranty"].search([("lot_id", "=", cls.machine.id)])
        assert cls.warranty.partner_id == cls.first_owner and cls.warranty.state == "active", "warranty of the sale"
        cls.second_owner = cls.env["res.partner"].create(
            {"name": "Bruno Second", "email": "bruno@example.com", "is_company": True, "zip": "1000"}
        )
        cls.new_home = cls.env["res.partner"].create(
            {
                "name": "Bruno's new house",
                "parent_id": cls.second_owner.id,
                "type": "delivery",
                "street": "Dune Road 7",
                "zip": "8400",
                "city": "Ostend",
                "country_id": be.id,
            }
        )
        cls.second_contact = cls.env["res.partner"].create(
            {"name": "Bruno", "email": "bruno.home@example.com", "parent_id": cls.second_owner.id}
        )
        cls.second_portal = new_test_user(
            cls.env, login="as_intake_bruno", groups="base.group_portal", partner_id=cls.second_contact.id
        )
        agent = new_test_user(
            cls.env,
            login="as_intake_wagent",
            groups="aftersales_service.aftersales_service_group_user,sales_team.group_sale_salesman",
        )
        transfer = Form(
            cls.env["aftersales.warranty.transfer"]
            .with_user(agent)
            .with_context(active_model="aftersales.warranty", active_ids=cls.warranty.ids)
        )
        transfer.partner_id = cls.second_owner
        transfer.note = "Sold with the house"
        transfer.save().action_transfer()
        # the coast has a team of its own, and only our rules route
        cls.env["aftersales.routing.rule"].search([]).active = False
        cls.coast = cls.env["aftersales.zone"].create(
            {"name": "Coast", "country_ids": [Command.set(be.ids)], "zip_from": "8000", "zip_to": "8499"}
        )
        cls.coast_team = cls.env["aftersales.team"].create({"name": "Coast Service"})
        cls.coast_rule = cls.env["aftersales.routing.rule"].create(
            {"name": "The coast", "zone_ids": [Command.set(cls.coast.ids)], "team_id": cls.coast_team.id}
        )

    def _post_new_ticket(self, files=None, **values):
        data = {"name": "It leaks", "description": "Water under the machine", **values}
        data["csrf_token"] = http.Request.csrf_token(self)
        return self.url_open("/my/tickets/new", data=data, files=files, allow_redirects=False)

    def _tickets_of(self, partner):
        return self.env["aftersales.ticket"].search([("commercial_partner_id", "=", partner.id)])

    def test_second_owner_opens_a_ticket_with_a_photo(self):
        self.assertEqual(self.machine._aftersales_owners()[self.machine.id], (self.second_owner, self.new_home))
        self.authenticate(self.second_portal.login, self.second_portal.login)
        response = self.url_open("/my/tickets/new")
        self.assertIn("WM7-HOUSE", response.text, "the transferred unit is theirs")
        self.assertIn("Washing Machine WM-7", response.text)
        response = self._post_new_ticket(
            files=[("photos", ("puddle.png", PNG, "image/png"))], lot_id=str(self.machine.id)
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        ticket = self._tickets_of(self.second_owner)
        self.assertEqual(len(ticket), 1)
        self.assertRecordValues(
            ticket,
            [
                {
                    "partner_id": self.second_contact.id,
                    "lot_id": self.machine.id,
                    "product_id": self.product.id,
                    "channel": "portal",
                    "service_address_id": self.new_home.id,
                    "team_id": self.coast_team.id,
                    "routing_rule_id": self.coast_rule.id,
                }
            ],
        )
        photo = self.env["ir.attachment"].search([("res_model", "=", "aftersales.ticket"), ("res_id", "=", ticket.id)])
        self.assertEqual(photo.mimetype, "image/png")
        self.assertEqual(photo.raw, PNG)
        response = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertIn("Dune Road 7", response.text, "the customer sees where we will come")
        # the technician goes to the new house, not to the first owner who ordered it
        visit = self.env["aftersales.visit"].create(
            {"ticket_id": ticket.id, "visit_type_id": self.env.ref("aftersales_service.visit_type_repair").id}
        )
        self.assertEqual(visit.partner_id, self.new_home)

    def test_first_owner_no_longer_sees_the_unit(self):
        self.authenticate(self.first_portal.login, self.first_portal.login)
        response = self.url_open("/my/tickets/new")
        self.assertNotIn("WM7-HOUSE", response.text)
        self.assertNotIn("Washing Machine WM-7", response.text, "they own no such machine any more")
        self.assertIn("Other / general question", response.text)
        count = self.env["aftersales.ticket"].search_count([])
        response = self._post_new_ticket(lot_id=str(self.machine.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn("This serial number is not among the units delivered to you.", response.text)
        response = self._post_new_ticket(product_id=str(self.product.id))
        self.assertIn("This product is not among the ones you bought from us.", response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count, "nothing was opened")

    def test_general_question(self):
        self.authenticate(self.first_portal.login, self.first_portal.login)
        response = self._post_new_ticket(name="Do you service dishwashers?", product_id="other")
        self.assertEqual(response.status_code, 303, response.text[:500])
        ticket = self._tickets_of(self.first_owner)
        self.assertRecordValues(
            ticket,
            [
                {
                    "name": "Do you service dishwashers?",
                    "partner_id": self.first_owner.id,
                    "product_id": False,
                    "lot_id": False,
                    "service_address_id": self.first_owner.id,
                    "channel": "portal",
                }
            ],
        )
        # a question is about no unit
        count = self.env["aftersales.ticket"].search_count([])
        response = self._post_new_ticket(product_id="other", lot_id=str(self.machine.id))
        self.assertIn("A general question is about no unit", response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    def test_registered_unit_is_offered(self):
        registration = self.env["aftersales.warranty"]._register_unit(
            self.first_owner,
            self.product,
            "WM7-BOUGHT-ELSEWHERE",
            self.today - timedelta(days=10),
            attachments=[("receipt.pdf", b"%PDF-1.4 receipt")],
        )
        self.authenticate(self.first_portal.login, self.first_portal.login)
        self.assertNotIn("WM7-BOUGHT-ELSEWHERE", self.url_open("/my/tickets/new").text, "not before approval")
        registration.action_approve_registration()
        response = self.url_open("/my/tickets/new")
        self.assertIn("WM7-BOUGHT-ELSEWHERE", response.text)
        self._post_new_ticket(lot_id=str(registration.lot_id.id))
        ticket = self._tickets_of(self.first_owner)
        self.assertEqual(ticket.lot_id, registration.lot_id)
        self.assertEqual(ticket.partner_id, self.first_owner)

    def test_another_customers_unit_is_refused(self):
        self.authenticate(self.second_portal.login, self.second_portal.login)
        count = self.env["aftersales.ticket"].search_count([])
        response = self._post_new_ticket(lot_id=str(self.lot.id))
        self.assertIn("This serial number is not among the units delivered to you.", response.text)
        self.assertEqual(self.env["aftersales.ticket"].search_count([]), count)

    def test_agent_ticket_on_the_transferred_unit(self):
        """The agent's ticket on the unit is the current owner's, at its new place."""
        agent = new_test_user(
            self.env,
            login="as_intake_agent2",
            groups="aftersales_service.aftersales_service_group_user,stock.group_production_lot",
        )
        with Form(self.env["aftersales.ticket"].with_user(agent)) as form:
            form.name = "Leak after the move"
            form.lot_id = self.machine
            self.assertEqual(form.partner_id, self.second_owner, "not the first owner who ordered it")
            self.assertEqual(form.service_address_id, self.new_home)
            self.assertEqual(form.team_id, self.coast_team, "routed by the zone of the new house")
