import io
from datetime import date

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .test_coverage import VISIT_START, CoverageCommon

ACCOUNTANT = "aftersales_service.aftersales_service_group_accountant"


@tagged("post_install", "-at_install")
class TestWarrantyRoles(CoverageCommon):
    """Warranties and contracts for each role: agents keep them, accountants read them and settle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login="as_role_w_acc", name="Abe Accounts", groups=ACCOUNTANT)
        cls.maker = cls.env["res.partner"].create({"name": "Motor Works", "is_company": True})
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.maker.id,
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "aftersales_warranty_partner_id": cls.maker.id,
            }
        )

    def test_accountant_runs_the_settlement(self):
        self._running_warranty()
        self._do_visit(self._visit(), lines=[{"line_type": "labour"}])
        wizard = (
            self.env["aftersales.report.export"]
            .with_user(self.accountant)
            .create({"report_kind": "settlement", "date_from": date(2026, 6, 1), "date_to": date(2026, 6, 30)})
        )
        action = wizard.action_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw), data_only=True)
        rows = list(book["Settlement"].iter_rows(values_only=True))
        self.assertEqual(rows[3][:2], ("Motor Works", 1))

    def test_accountant_reads_warranties_and_contracts(self):
        warranty = self._running_warranty().with_user(self.accountant)
        self.assertEqual(warranty.lot_id, self.lot)
        with self.assertRaises(AccessError):
            warranty.write({"purchase_date": date(2026, 1, 2)})
        for model, operation in (
            ("aftersales.warranty", "create"),
            ("aftersales.warranty.policy", "write"),
            ("aftersales.contract", "create"),
            ("aftersales.contract", "write"),
            ("aftersales.warranty.extension", "write"),
            ("aftersales.supplier.claim", "create"),
            ("aftersales.warranty.transfer", "create"),
        ):
            with self.subTest(model=model, operation=operation), self.assertRaises(AccessError):
                self.env[model].with_user(self.accountant).check_access(operation)
        for model in ("aftersales.warranty", "aftersales.contract", "aftersales.warranty.extension"):
            self.env[model].with_user(self.accountant).check_access("read")

    def test_accountant_changes_no_supplier_claim(self):
        """Accountants read the supplier claims; neither their fields nor their status are theirs to change."""
        claim = self.env["aftersales.supplier.claim"].create(
            {"partner_id": self.maker.id, "lot_id": self.lot.id, "reason": "Motor burnt"}
        )
        as_accountant = claim.with_user(self.accountant)
        self.assertEqual(as_accountant.reason, "Motor burnt")
        with self.assertRaises(AccessError):
            as_accountant.write({"answer": "Accepted by phone"})
        for action in ("action_send", "action_cancel"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(as_accountant, action)()
        claim.action_send()
        for action in ("action_accept", "action_reject"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(as_accountant, action)()
        self.assertEqual(claim.state, "sent")
        self.assertFalse(claim.answer)

    def test_agent_and_technician(self):
        """Agents keep the warranties and contracts; technicians only read them; neither sets the policies."""
        self._assert_rights(self.agent, "aftersales.warranty", allowed=("read", "write", "create"), refused=("unlink",))
        self._assert_rights(self.agent, "aftersales.contract", allowed=("read", "write", "create"), refused=("unlink",))
        self._assert_rights(self.agent, "aftersales.warranty.policy", allowed=("read",), refused=("write", "create"))
        technician = self.tech_a.user_id
        self._assert_rights(technician, "aftersales.warranty", allowed=("read",), refused=("write", "create"))
        self._assert_rights(technician, "aftersales.contract", allowed=("read",), refused=("write", "create"))
        self._assert_rights(self.manager, "aftersales.warranty.policy", allowed=("write", "create", "unlink"))

    def test_technician_reads_the_warranty_on_his_visit(self):
        """On site, the technician's screen says whether the unit is under warranty, and until when."""
        warranty = self._running_warranty()
        visit = self._visit()
        visit.write({"technician_id": self.tech_a.id, "scheduled_start": VISIT_START})
        form = Form(
            visit.with_user(self.tech_a.user_id), view="aftersales_service.aftersales_visit_view_form_technician"
        )
        self.assertEqual(form.warranty_state, "active")
        self.assertEqual(form.warranty_end_date, str(warranty.end_date))
        self.assertEqual(form.lot_id, self.lot)

    def _assert_rights(self, user, model, allowed=(), refused=()):
        for operation in allowed:
            with self.subTest(user=user.login, model=model, operation=operation):
                self.env[model].with_user(user).check_access(operation)
        for operation in refused:
            with self.subTest(user=user.login, model=model, operation=operation), self.assertRaises(AccessError):
                self.env[model].with_user(user).check_access(operation)
