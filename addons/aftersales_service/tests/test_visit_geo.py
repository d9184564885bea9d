from odoo.tests import Form, new_test_user, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestVisitGeo(AftersalesCommon):
    """A visit says whether its address is located, instead of a silent 100 km, and opens its map."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dispatcher = new_test_user(
            cls.env,
            login="as_geo_dispatcher",
            name="Dora Dispatch",
            groups="aftersales_service.aftersales_service_group_dispatcher",
        )
        cls.customer.write(
            {"street": "Rue de la Loi 16", "zip": "1000", "city": "Brussels", "country_id": cls.env.ref("base.be").id}
        )
        cls.visit_type = cls.env.ref("aftersales_service.visit_type_follow_up")
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Noisy drum", "partner_id": cls.customer.id, "team_id": cls.team.id}
        )

    def _visit(self):
        form = Form(self.env["aftersales.visit"].with_user(self.agent))
        form.ticket_id = self.ticket
        form.visit_type_id = self.visit_type
        return form.save()

    def test_address_without_coordinates_is_flagged(self):
        visit = self._visit()
        as_dispatcher = visit.with_user(self.dispatcher)
        self.assertFalse(as_dispatcher.has_coordinates)
        self.assertIn("openstreetmap.org/search?query=Rue+de+la+Loi+16", as_dispatcher.map_url)
        Visit = self.env["aftersales.visit"].with_user(self.dispatcher)
        self.assertIn(visit, Visit.search([("has_coordinates", "=", False)]))
        self.assertNotIn(visit, Visit.search([("has_coordinates", "=", True)]))

    def test_located_address_opens_at_its_coordinates(self):
        # the address is located on the contact (base_geolocalize's fields, entered by hand here)
        self.customer.write({"partner_latitude": 50.8466, "partner_longitude": 4.3528})
        visit = self._visit()
        as_dispatcher = visit.with_user(self.dispatcher)
        self.assertTrue(as_dispatcher.has_coordinates)
        self.assertIn("mlat=50.8466", as_dispatcher.map_url)
        self.assertIn("#map=17/50.8466/4.3528", as_dispatcher.map_url)
        Visit = self.env["aftersales.visit"].with_user(self.dispatcher)
        self.assertIn(visit, Visit.search([("has_coordinates", "=", True)]))
        self.assertNotIn(visit, Visit.search([("has_coordinates", "!=", True)]))
