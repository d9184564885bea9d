from odoo.addons.aftersales_service.tests.common import AftersalesCommon


class WarrantyCommon(AftersalesCommon):
    """A two-year parts-and-labour policy on the serial-tracked washing machine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["aftersales.warranty.policy"].create(
            {
                "name": "Two years, parts and labour",
                "duration": 2,
                "duration_unit": "year",
                "covers_parts": True,
                "covers_labour": True,
                "covers_travel": False,
                "grace_days": 10,
            }
        )
        cls.product.aftersales_warranty_policy_id = cls.policy

    def _warranty(self, **values):
        vals = {
            "partner_id": self.customer.id,
            "product_id": self.product.id,
            "policy_id": self.policy.id,
        }
        vals.update(values)
        return self.env["aftersales.warranty"].create(vals)
