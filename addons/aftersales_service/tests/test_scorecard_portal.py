from odoo.tests import HttpCase, new_test_user, tagged

from .common_scorecard import AftersalesScorecardCommon


@tagged("post_install", "-at_install")
class TestScorecardPortal(AftersalesScorecardCommon, HttpCase):
    """A service partner reads its own locked scorecards on the portal, and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        contact = cls.env["res.partner"].create({"name": "Felix Fixit", "parent_id": cls.fixit.id})
        cls.fixit_user = new_test_user(
            cls.env, login="sc_portal_felix", groups="base.group_portal", partner_id=contact.id
        )
        other_contact = cls.env["res.partner"].create({"name": "Olga Other", "parent_id": cls.other_point.id})
        cls.other_user = new_test_user(
            cls.env, login="sc_portal_olga", groups="base.group_portal", partner_id=other_contact.id
        )
        # the other point did a job too: it has a line of its own
        cls._scorecard_visits([(cls.tickets[4], None, 9, 10, None, True, cls.other_point)])
        cls.env["aftersales.ticket"]._fill_kpi_columns(cls.tickets.ids)
        cls._rate_tickets()
        cls.scorecard.with_user(cls.manager).action_compute()
        cls.fixit_line = cls._line_of(cls.fixit)
        cls.other_line = cls._line_of(cls.other_point)

    @classmethod
    def _line_of(cls, partner):
        return cls.scorecard.line_ids.filtered(lambda line: line.service_partner_id == partner)

    def test_draft_month_not_shown(self):
        self.authenticate(self.fixit_user.login, self.fixit_user.login)
        self.assertEqual(self.url_open(f"/my/scorecards/{self.fixit_line.id}").status_code, 404)
        self.assertNotIn(f"/my/scorecards/{self.fixit_line.id}", self.url_open("/my/scorecards").text)

    def test_partner_sees_own_scorecard(self):
        self.scorecard.with_user(self.manager).action_lock()
        self.assertTrue(self.other_line)
        self.authenticate(self.fixit_user.login, self.fixit_user.login)
        page = self.url_open("/my/scorecards")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/scorecards/{self.fixit_line.id}", page.text)
        self.assertNotIn(f"/my/scorecards/{self.other_line.id}", page.text)
        detail = self.url_open(f"/my/scorecards/{self.fixit_line.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("2025-06", detail.text)
        self.assertIn(f"{self.fixit_line.score:.1f}", detail.text)
        # another partner's line, a branch's line: not found
        for line in (self.other_line, self.scorecard.line_ids.filtered(lambda line: line.kind == "branch")[0]):
            self.assertEqual(self.url_open(f"/my/scorecards/{line.id}").status_code, 404)
        # the rules hide them from the user's own queries as well
        Line = self.env["aftersales.scorecard.line"].with_user(self.fixit_user)
        self.assertEqual(Line.search([]), self.fixit_line)
        # the other partner sees only its own
        self.authenticate(self.other_user.login, self.other_user.login)
        self.assertEqual(self.url_open(f"/my/scorecards/{self.fixit_line.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/scorecards/{self.other_line.id}").status_code, 200)

    def test_internal_user_without_partner_line(self):
        self.scorecard.with_user(self.manager).action_lock()
        self.authenticate(self.agent.login, self.agent.login)
        self.assertEqual(self.url_open(f"/my/scorecards/{self.fixit_line.id}").status_code, 404)
