from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_carry_in import CarryInCommon


@tagged("post_install", "-at_install")
class TestCarryInNotCollected(CarryInCommon):
    def _waiting(self, days, count=1):
        """``count`` units ready ``days`` days ago (the stages before are not needed by the cron)."""
        carry_ins = self.env["aftersales.carry.in"]
        for _index in range(count):
            carry_in = self._carry_in()
            carry_in._set_stage("ready", ready_date=fields.Datetime.now() - timedelta(days=days, hours=1))
            carry_ins |= carry_in
        return carry_ins

    def _activities(self, carry_ins):
        activity_type = self.env.ref("aftersales_parts.mail_activity_carry_in_not_collected")
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "aftersales.carry.in"),
                ("res_id", "in", carry_ins.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )

    def test_flagged_once_after_the_delay(self):
        late, recent = self._waiting(31), self._waiting(29)
        self.env["aftersales.carry.in"]._cron_flag_not_collected()
        self.assertTrue(late.not_collected)
        self.assertFalse(recent.not_collected)
        activity = self._activities(late)
        self.assertEqual(activity.user_id, self.agent)
        self.assertIn("Not collected", late.message_ids[0].body)
        self.env["aftersales.carry.in"]._cron_flag_not_collected()
        self.assertEqual(self._activities(late), activity, "flagged once")
        self.company.aftersales_collect_days = 10
        self.env["aftersales.carry.in"]._cron_flag_not_collected()
        self.assertTrue(recent.not_collected, "the company's delay decides")

    def test_collected_clears_the_flag(self):
        carry_in = self._ready_carry_in()
        with carry_in._unguard("ready_date"):
            carry_in.ready_date = fields.Datetime.now() - timedelta(days=40)
        self.env["aftersales.carry.in"]._cron_flag_not_collected()
        self.assertTrue(carry_in.not_collected)
        self.assertEqual(carry_in.color, 1)
        self._sign_handover(carry_in)
        carry_in.with_user(self.agent).action_hand_over()
        self.assertFalse(carry_in.not_collected)
        self.assertFalse(self._activities(carry_in), "the call is no longer needed")

    def test_cron_queries_do_not_grow_with_the_units(self):
        Carry = self.env["aftersales.carry.in"]

        def run(count):
            self._waiting(31, count)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            flagged = Carry._cron_flag_not_collected()
            self.env.flush_all()
            self.assertEqual(len(flagged), count)
            return self.cr.sql_log_count - before

        run(1)  # warm the caches
        two = run(2)
        eight = run(8)
        self.assertEqual(eight, two)

    def test_call_goes_to_a_real_person(self):
        """A unit without a counter agent: the call goes to the team leader or a manager, never to the
        user the scheduled action runs as."""
        late = self._waiting(31)
        late.user_id = False
        self.env["aftersales.carry.in"].with_user(self.env.ref("base.user_root"))._cron_flag_not_collected()
        self.assertTrue(late.not_collected)
        activity = self._activities(late)
        expected = late.company_id._aftersales_responsible_user(team=late.ticket_id.team_id, branch=late.branch_id)
        self.assertEqual(activity.user_id, expected)
        self.assertNotEqual(activity.user_id, self.env.ref("base.user_root"))
