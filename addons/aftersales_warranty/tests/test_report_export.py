import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.tests import tagged

from .test_coverage import CoverageCommon


@tagged("post_install", "-at_install")
class TestWarrantyReports(CoverageCommon):
    """The warranty reports of the Excel wizard and the warranty cost of the KPI overview."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Spin Factory", "is_company": True})
        cls.maker = cls.env["res.partner"].create({"name": "Motor Works", "is_company": True})
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.vendor.id,
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "aftersales_warranty_partner_id": cls.maker.id,
            }
        )

    def _export(self, kind, **values):
        wizard = (
            self.env["aftersales.report.export"]
            .with_user(self.manager)
            .create({"report_kind": kind, "date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30), **values})
        )
        action = wizard.action_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        return openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True)

    def _covered_visit(self):
        self._running_warranty()
        return self._do_visit(self._visit(), lines=[{"line_type": "labour"}, {"line_type": "travel_zone"}])

    def test_settlement_per_manufacturer(self):
        self._covered_visit()
        # claims count in the period they were made in, with what they claim
        self.env["aftersales.supplier.claim"].create(
            {
                "partner_id": self.maker.id,
                "lot_id": self.lot.id,
                "date": date(2026, 6, 10),
                "line_ids": [Command.create({"line_type": "labour", "name": "Labour", "price_unit": 60.0})],
            }
        )
        book = self._export("settlement")
        self.assertEqual(book.sheetnames, ["Settlement", "Covered Repairs", "Supplier Claims"])
        rows = list(book["Settlement"].iter_rows(values_only=True))
        # the manufacturer is who claims go to on the product's main vendor line
        self.assertEqual(rows[3], ("Motor Works", 1, 45.0, 120.0, 1, 0, 60.0, 0.0, 60.0))
        self.assertEqual(rows[-1], ("Total", 1, 45.0, 120.0, 1, 0, 60.0, 0.0, 60.0))
        repairs = list(book["Covered Repairs"].iter_rows(values_only=True))
        self.assertEqual(len(repairs), 3, "header, the covered labour line (travel is billed), totals")
        self.assertEqual(repairs[1][0], "Motor Works")
        self.assertEqual(repairs[1][6], "Labour")
        self.assertEqual(repairs[-1][9:], (45.0, 120.0))
        claims = list(book["Supplier Claims"].iter_rows(values_only=True))
        self.assertEqual(claims[1][0], "Motor Works")
        self.assertEqual(claims[-1][7], 1)
        self.assertEqual(claims[1][8:], (60.0, 0.0, 60.0, "To Claim"))

    def test_settlement_of_another_period_is_empty(self):
        self._covered_visit()
        book = self._export("settlement", date_from=date(2026, 7, 1), date_to=date(2026, 7, 31))
        rows = list(book["Settlement"].iter_rows(values_only=True))
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(len(rows), 4, "title, blank, header, totals")

    def test_warranties_report(self):
        warranty = self._running_warranty()
        rows = list(self._export("warranties")["Warranties"].iter_rows(values_only=True))
        data, totals = rows[3:-1], rows[-1]
        [row] = [row for row in data if row[0] == warranty.name]
        self.assertEqual(row[3], "WM7-0001")
        self.assertEqual(row[6].date(), date(2026, 1, 1))
        self.assertEqual(totals[0], f"Total: {len(data)} warranties")
        self.assertEqual(totals[9], sum(row[9] for row in data))

    def test_overview_warranty_cost(self):
        self._covered_visit()
        overview = (
            self.env["aftersales.kpi.overview"]
            .with_user(self.manager)
            .create({"date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)})
        )
        self.assertEqual((overview.warranty_cost, overview.warranty_covered_amount), (45.0, 120.0))
        action = overview.action_open_warranty_cost()
        self.assertEqual(self.env["aftersales.visit.line"].search_count(action["domain"]), 1)
