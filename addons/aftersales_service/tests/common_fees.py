from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command

from .common import SIGNATURE, AftersalesCommon


class AftersalesFeesCommon(AftersalesCommon):
    """Technicians, service products, a customer pricelist and a helper that takes a
    visit through its whole flow (schedule, start, report, signature, done)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        belgium = cls.env.ref("base.be")
        service = {"type": "service", "invoice_policy": "order", "taxes_id": [Command.clear()]}
        hour = cls.env.ref("uom.product_uom_hour")
        km = cls.env.ref("uom.product_uom_km")
        cls.labour_product = cls.env["product.product"].create(
            dict(service, name="Labour", list_price=50.0, uom_id=hour.id, uom_po_id=hour.id)
        )
        cls.km_product = cls.env["product.product"].create(
            dict(service, name="Travel km", list_price=0.5, uom_id=km.id, uom_po_id=km.id)
        )
        cls.zone_product = cls.env["product.product"].create(dict(service, name="Travel North", list_price=40.0))
        cls.fee_product = cls.env["product.product"].create(dict(service, name="Call-out fee", list_price=30.0))
        cls.zone_north = cls.env["aftersales.zone"].create(
            {
                "name": "North",
                "zip_from": "1000",
                "zip_to": "1999",
                "country_ids": [Command.set(belgium.ids)],
                "travel_product_id": cls.zone_product.id,
            }
        )
        # the customer pays labour 80 an hour instead of the list price of 50
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Service customers",
                "currency_id": cls.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.labour_product.id,
                            "compute_price": "fixed",
                            "fixed_price": 80.0,
                        }
                    )
                ],
            }
        )
        cls.customer.write(
            {
                "zip": "1050",
                "country_id": belgium.id,
                "city": "Brussels",
                "partner_latitude": 50.8333,
                "partner_longitude": 4.3667,
                "property_product_pricelist": cls.pricelist.id,
            }
        )
        cls.home = cls.env["res.partner"].create(
            {"name": "Depot", "partner_latitude": 50.8503, "partner_longitude": 4.3517}
        )
        cls.tech_a, cls.tech_b = cls._create_technicians(cls.zone_north, home_partner_id=cls.home.id)
        cls.type_repair_visit = cls.env.ref("aftersales_service.visit_type_repair")
        cls.type_follow_up = cls.env.ref("aftersales_service.visit_type_follow_up")
        (cls.type_repair_visit | cls.type_follow_up).write(
            {
                "labour_product_id": cls.labour_product.id,
                "travel_km_product_id": cls.km_product.id,
                "fee_product_id": cls.fee_product.id,
            }
        )
        cls.ticket = cls.env["aftersales.ticket"].create(
            {"name": "Machine does not drain", "lot_id": cls.lot.id, "team_id": cls.team.id}
        )

    def _visit(self, ticket=None, **values):
        vals = {"ticket_id": (ticket or self.ticket).id, "visit_type_id": self.type_repair_visit.id}
        vals.update(values)
        return self.env["aftersales.visit"].create(vals)

    def _do_visit(self, visit, start=datetime(2026, 6, 9, 10, 0), hours=1.5, lines=(), user=None):
        """Schedule, start and finish ``visit`` at ``start`` after ``hours``, with billable ``lines``."""
        vals = {"technician_id": visit.technician_id.id or self.tech_a.id, "scheduled_start": start}
        if visit.assignment_forced:  # moved: forced again
            vals.update(assignment_forced=True, assignment_forced_reason=visit.assignment_forced_reason)
        visit.write(vals)
        visit.action_schedule()
        env_visit = visit.with_user(user) if user else visit
        with freeze_time(start):
            env_visit.action_start()
        if lines:
            env_visit.write({"line_ids": [Command.create(vals) for vals in lines]})
        visit.write({"work_report": "<p>Done.</p>", "signature": SIGNATURE, "signed_by": "Wendy Washer"})
        with freeze_time(start + timedelta(hours=hours)):
            env_visit.action_done()
        return visit
