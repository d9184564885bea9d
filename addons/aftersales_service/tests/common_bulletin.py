from odoo import Command
from odoo.tests import new_test_user

GROUP = "aftersales_service.aftersales_service_group_"


class BulletinFixtures:
    """A small network: headquarters, the North region with a service point, the South region; a
    headquarters manager, the North's regional manager, agents and a technician in the branches, two
    dealers and a service partner with a portal user each."""

    @classmethod
    def setup_network(cls):
        env = cls.env
        cls.company = env.company
        cls.hq_manager = new_test_user(
            env, login="bul_hq", name="Hanna Headquarters", email="hanna@example.com", groups=f"{GROUP}manager"
        )
        cls.north_manager = new_test_user(
            env, login="bul_north_mgr", name="Nils North", email="nils@example.com", groups=f"{GROUP}manager"
        )
        cls.north_agent = new_test_user(
            env, login="bul_north_agent", name="Nora Point", email="nora@example.com", groups=f"{GROUP}user"
        )
        cls.north_tech = new_test_user(
            env, login="bul_north_tech", name="Ned Tech", email="ned@example.com", groups=f"{GROUP}technician"
        )
        cls.south_agent = new_test_user(
            env, login="bul_south_agent", name="Sara South", email="sara@example.com", groups=f"{GROUP}user"
        )
        Branch = env["aftersales.branch"]
        cls.hq = Branch.create({"name": "Bulletin HQ", "code": "BHQ", "branch_type": "headquarters"})
        cls.north = Branch.create(
            {
                "name": "Bulletin North",
                "code": "BN",
                "branch_type": "region",
                "parent_id": cls.hq.id,
                "user_ids": [Command.link(cls.north_manager.id)],
            }
        )
        cls.north_point = Branch.create(
            {
                "name": "Bulletin North Point",
                "code": "BNP",
                "branch_type": "service_point",
                "parent_id": cls.north.id,
                "user_ids": [Command.set((cls.north_agent | cls.north_tech).ids)],
            }
        )
        cls.south = Branch.create(
            {
                "name": "Bulletin South",
                "code": "BS",
                "branch_type": "region",
                "parent_id": cls.hq.id,
                "user_ids": [Command.link(cls.south_agent.id)],
            }
        )
        Partner = env["res.partner"]
        cls.dealer = Partner.create({"name": "Delta Dealer", "is_company": True, "aftersales_dealer": True})
        cls.other_dealer = Partner.create({"name": "Omega Dealer", "is_company": True, "aftersales_dealer": True})
        cls.service_point = Partner.create(
            {"name": "Sigma Service", "is_company": True, "aftersales_service_partner": True}
        )
        cls.customer = Partner.create({"name": "Carla Customer", "is_company": True})
        cls.dealer_user = cls._portal_user("bul_dealer", "Dina Delta", cls.dealer)
        cls.other_dealer_user = cls._portal_user("bul_other_dealer", "Otto Omega", cls.other_dealer)
        cls.service_user = cls._portal_user("bul_service", "Simon Sigma", cls.service_point)
        cls.customer_user = cls._portal_user("bul_customer", "Carl Customer", cls.customer)

    @classmethod
    def _portal_user(cls, login, name, company):
        contact = cls.env["res.partner"].create(
            {"name": name, "email": f"{login}@example.com", "parent_id": company.id}
        )
        return new_test_user(cls.env, login=login, groups="base.group_portal", partner_id=contact.id)

    def _bulletin(self, user=None, **vals):
        values = {
            "name": "Drain pump W-series",
            "category": "technical",
            "body": "<p>Replace the drain pump with part DP-2.</p>",
            "branch_ids": [Command.link(self.north.id)],
            "dealer_ids": [Command.link(self.dealer.id)],
        }
        values.update(vals)
        return self.env["aftersales.bulletin"].with_user(user or self.hq_manager).create(values)
