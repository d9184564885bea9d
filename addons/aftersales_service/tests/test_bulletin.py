from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common_bulletin import BulletinFixtures


@tagged("post_install", "-at_install")
class TestBulletin(BulletinFixtures, TransactionCase):
    """Headquarters publishes bulletins to the network; each recipient's reading is recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_network()

    def _published(self, **vals):
        bulletin = self._bulletin(**vals)
        bulletin.action_publish()
        return bulletin

    def test_publish_to_north_and_dealer(self):
        """The North's users (the region and the service point below it) and the dealer's portal user
        receive the bulletin, and are notified in one message; the South and the other dealer are not."""
        bulletin = self._bulletin()
        self.assertEqual(bulletin.state, "draft")
        self.assertEqual(bulletin.author_id, self.hq_manager)
        bulletin.action_publish()
        self.assertEqual(bulletin.state, "published")
        self.assertTrue(bulletin.published_date)
        expected = self.north_manager | self.north_agent | self.north_tech | self.dealer_user
        self.assertEqual(bulletin.recipient_ids, expected)
        notice = (
            self.env["mail.message"]
            .search([("model", "=", "aftersales.bulletin"), ("res_id", "=", bulletin.id)])
            .filtered(lambda message: message.message_type == "user_notification")
        )
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, expected.partner_id)
        self.assertEqual(notice.notification_ids.res_partner_id, expected.partner_id)
        # the portal user is e-mailed, with a link to the portal page
        self.assertEqual(bulletin.access_url, f"/my/bulletins/{bulletin.id}")
        dealer_mail = notice.notification_ids.filtered(
            lambda notif: notif.res_partner_id == self.dealer_user.partner_id
        )
        self.assertEqual(dealer_mail.notification_type, "email")

    def test_north_agent_reads_in_backend(self):
        """A North service-point agent finds the bulletin unread, marks it read; a South agent sees nothing
        and cannot record a reading; the read log shows exactly who read and who did not."""
        bulletin = self._published()
        Bulletin = self.env["aftersales.bulletin"]
        as_agent = Bulletin.with_user(self.north_agent)
        self.assertEqual(as_agent.search([("is_read", "=", False)]), bulletin)
        self.assertFalse(as_agent.search([("is_read", "=", True)]))
        mine = as_agent.browse(bulletin.id)
        self.assertTrue(mine.is_recipient)
        self.assertFalse(mine.is_read)
        mine.action_mark_read()
        mine.action_mark_read()  # once only
        self.assertTrue(mine.is_read)
        self.assertFalse(as_agent.search([("is_read", "=", False)]))
        # the South sees neither the bulletin nor its read log
        as_south = Bulletin.with_user(self.south_agent)
        self.assertFalse(as_south.search([]))
        with self.assertRaises(AccessError):
            as_south.browse(bulletin.id).read(["name"])
        with self.assertRaises(AccessError):
            as_south.browse(bulletin.id).action_mark_read()
        self.assertFalse(self.env["aftersales.bulletin.read"].with_user(self.south_agent).search([]))
        # headquarters sees who read and who did not
        as_hq = bulletin.with_user(self.hq_manager)
        self.assertEqual(as_hq.read_ids.user_id, self.north_agent)
        self.assertEqual(as_hq.read_ids.partner_id, self.north_agent.partner_id)
        self.assertTrue(as_hq.read_ids.read_on)
        self.assertEqual(as_hq.unread_recipient_ids, self.north_manager | self.north_tech | self.dealer_user)
        self.assertEqual((as_hq.read_count, as_hq.recipient_count), (1, 4))
        # the technician of the service point reads it too; the agent only sees their own reading
        bulletin.with_user(self.north_tech).action_mark_read()
        self.assertEqual(as_hq.read_ids.user_id, self.north_agent | self.north_tech)
        self.assertEqual(
            self.env["aftersales.bulletin.read"].with_user(self.north_agent).search([]).user_id, self.north_agent
        )

    def test_regional_manager_is_recipient_not_publisher(self):
        """The North's regional manager reads the bulletins of the North, but only headquarters publishes."""
        bulletin = self._published()
        self.assertEqual(self.env["aftersales.bulletin"].with_user(self.north_manager).search([]), bulletin)
        with self.assertRaises(AccessError):
            self._bulletin(user=self.north_manager, name="Regional note")
        draft = self._bulletin(name="Draft from HQ")
        with self.assertRaises(AccessError):
            draft.with_user(self.north_manager).action_publish()
        with self.assertRaises(AccessError):
            self._bulletin(user=self.north_agent, name="Agent's note")
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.recipient_ids)

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_forged_reads_refused(self):
        """Nobody records another user's reading, nor changes the recipients, state or read log directly."""
        bulletin = self._published()
        Read = self.env["aftersales.bulletin.read"]
        forged = {
            "bulletin_id": bulletin.id,
            "user_id": self.north_tech.id,
            "partner_id": self.north_tech.partner_id.id,
        }
        for user in (self.north_agent, self.hq_manager, self.dealer_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Read.with_user(user).create(forged)
        with self.assertRaises(AccessError):
            bulletin.with_user(self.north_agent).write({"read_ids": [Command.create(forged)]})
        as_hq = bulletin.with_user(self.hq_manager)
        for vals in (
            {"read_ids": [Command.create(forged)]},
            {"recipient_ids": [Command.link(self.south_agent.id)]},
            {"state": "draft"},
            {"branch_ids": [Command.link(self.south.id)]},
            {"name": "Changed after publishing"},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                as_hq.write(vals)
        bulletin.with_user(self.north_agent).action_mark_read()
        reading = Read.search([("bulletin_id", "=", bulletin.id)])
        with self.assertRaises(AccessError):
            reading.with_user(self.north_agent).write({"user_id": self.north_tech.id})
        with self.assertRaises(AccessError):
            reading.with_user(self.hq_manager).unlink()
        # a new bulletin created with recipients or already published is refused
        with self.assertRaises(AccessError):
            self._bulletin(name="Forged", state="published")
        with self.assertRaises(AccessError):
            self._bulletin(name="Forged", recipient_ids=[Command.link(self.south_agent.id)])
        with self.assertRaises(UserError):
            as_hq.unlink()
        self.assertEqual(bulletin.state, "published")
        self.assertEqual(bulletin.name, "Drain pump W-series")
        self.assertNotIn(self.south_agent, bulletin.recipient_ids)
        self.assertEqual(bulletin.read_ids.user_id, self.north_agent)

    def test_wrong_actions_refused(self):
        """Each wrong action is refused with a clear error and changes nothing."""
        empty = self._bulletin(name="Nobody", branch_ids=False, dealer_ids=False)
        with self.assertRaisesRegex(UserError, "Choose who receives"):
            empty.action_publish()
        with self.assertRaisesRegex(UserError, "publishing date"):
            empty.action_schedule()
        lonely = self.env["aftersales.branch"].create({"name": "Empty Point", "code": "BEP", "parent_id": self.hq.id})
        nobody = self._bulletin(name="Empty branch", branch_ids=[Command.set(lonely.ids)], dealer_ids=False)
        with self.assertRaisesRegex(UserError, "Nobody would receive"):
            nobody.action_publish()
        self.assertEqual((empty | nobody).mapped("state"), ["draft", "draft"])
        bulletin = self._published()
        with self.assertRaisesRegex(UserError, "already published"):
            bulletin.action_publish()
        with self.assertRaises(UserError):
            bulletin.action_reset_draft()
        # a draft is deleted; a bulletin not addressed to the user is not read
        empty.unlink()
        with self.assertRaises(AccessError):
            bulletin.with_user(self.other_dealer_user).action_mark_read()

    def test_whole_network(self):
        """Addressed to the whole network: every after-sales user of the company and the portal users of
        every service partner and dealer, not the customers."""
        bulletin = self._published(audience="network", branch_ids=False, dealer_ids=False, category="price")
        recipients = bulletin.recipient_ids
        for user in (
            self.north_manager,
            self.north_agent,
            self.north_tech,
            self.south_agent,
            self.hq_manager,
            self.dealer_user,
            self.other_dealer_user,
            self.service_user,
        ):
            self.assertIn(user, recipients, user.login)
        self.assertNotIn(self.customer_user, recipients)
        self.assertEqual(self.env["aftersales.bulletin"].with_user(self.south_agent).search([]), bulletin)

    def test_cron_publishes_on_date(self):
        """The scheduled bulletin is published by the cron on its date, and archived after its end date."""
        bulletin = self._bulletin(planned_date=date(2031, 3, 10), end_date=date(2031, 3, 31))
        bulletin.action_schedule()
        self.assertEqual(bulletin.state, "scheduled")
        # scheduled bulletins are not shown to the recipients yet
        self.assertFalse(self.env["aftersales.bulletin"].with_user(self.north_agent).search([]))
        cron = self.env.ref("aftersales_service.ir_cron_aftersales_bulletin_publish")
        with freeze_time("2031-03-09 12:00:00"):
            cron.method_direct_trigger()
        self.assertEqual(bulletin.state, "scheduled")
        with freeze_time("2031-03-10 06:00:00"):
            cron.method_direct_trigger()
        self.assertEqual(bulletin.state, "published")
        self.assertEqual(
            bulletin.recipient_ids, self.north_manager | self.north_agent | self.north_tech | self.dealer_user
        )
        self.assertEqual(self.env["aftersales.bulletin"].with_user(self.north_agent).search([]), bulletin)
        with freeze_time("2031-04-01 06:00:00"):
            cron.method_direct_trigger()
        self.assertEqual(bulletin.state, "archived")
        self.assertFalse(self.env["aftersales.bulletin"].with_user(self.north_agent).search([]))

    def test_publish_queries_do_not_grow_with_recipients(self):
        """Publishing computes and notifies the recipients in the same number of queries for 4 or 14."""
        for index in range(10):
            self.env["res.users"].create(
                {
                    "name": f"Point user {index}",
                    "login": f"bul_point_{index}",
                    "email": f"bul_point_{index}@example.com",
                    "groups_id": [Command.set([self.env.ref("aftersales_service.aftersales_service_group_user").id])],
                    "aftersales_branch_ids": [Command.link(self.south.id)],
                }
            )
        small = self._bulletin(name="Small")
        big = self._bulletin(name="Big", branch_ids=[Command.set((self.north | self.south).ids)])
        counts = []
        for bulletin in (small, big):
            bulletin.with_user(self.hq_manager).invalidate_recordset()
            before = self.cr.sql_log_count
            bulletin.with_user(self.hq_manager).action_publish()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual((len(small.recipient_ids), len(big.recipient_ids)), (4, 15))
        self.assertLessEqual(counts[1], counts[0] + 3, counts)
