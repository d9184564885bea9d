from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPlaceholder(TransactionCase):
    def test_installed(self):
        self.assertTrue(self.env["ir.module.module"].search([("name", "=", "aftersales_service"), ("state", "=", "installed")]))
