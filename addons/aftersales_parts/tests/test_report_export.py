import io

import openpyxl

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RmaCommon


@tagged("post_install", "-at_install")
class TestRmaReportExport(RmaCommon):
    """Returns in the Excel wizard and the return rate of the KPI overview."""

    def _receive(self, rma):
        rma.with_user(self.rma_user).action_approve()
        self._validate(rma.sudo().return_picking_ids.with_user(self.stock_user))
        return rma

    def _today_values(self):
        today = fields.Date.context_today(self.env["aftersales.rma"])
        return {"date_from": today.replace(day=1), "date_to": today}

    def test_returns_report(self):
        rma = self._receive(self._rma([(self.box_move, 2.0, {}), (self.kettle_move, 1.0, {})]))
        wizard = (
            self.env["aftersales.report.export"]
            .with_user(self.rma_user)
            .create({"report_kind": "rmas", **self._today_values()})
        )
        action = wizard.action_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        rows = list(
            openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True)["Returns"].iter_rows(values_only=True)
        )
        ours = [row for row in rows[3:-1] if row[0] == rma.name]
        self.assertEqual(len(ours), 2)
        self.assertEqual(sorted(row[9] for row in ours), [1.0, 2.0])
        self.assertEqual(sorted(row[10] for row in ours), [1.0, 2.0], "received")
        totals = rows[-1]
        self.assertEqual(totals[0], "Total")
        self.assertEqual(totals[9], sum(row[9] for row in rows[3:-1]))

    def test_selected_returns(self):
        rma = self._rma([(self.box_move, 1.0, {})])
        Export = self.env["aftersales.report.export"].with_user(self.rma_user)
        action = Export._export_records(rma)
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        rows = list(openpyxl.load_workbook(io.BytesIO(attachment.raw))["Returns"].iter_rows(values_only=True))
        self.assertEqual([row[0] for row in rows[3:-1]], [rma.name])
        with self.assertRaises(UserError):
            Export._export_records(self.env["aftersales.rma"])

    def test_overview_return_rate(self):
        manager = self.env.ref("base.user_admin")

        def overview():
            return self.env["aftersales.kpi.overview"].with_user(manager).create(self._today_values())

        before = overview().returned_qty
        self._receive(self._rma([(self.box_move, 2.0, {})]))
        self.env.flush_all()
        after = overview()
        self.assertEqual(after.returned_qty, before + 2.0)
        [(delivered, returned)] = self.env["aftersales.rma.report"]._read_group(
            after._return_domain(), aggregates=["delivered_qty:sum", "returned_qty:sum"]
        )
        self.assertAlmostEqual(after.return_rate, 100.0 * returned / delivered)
