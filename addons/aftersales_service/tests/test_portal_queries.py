from odoo.tests import HttpCase, tagged

from .test_portal import AftersalesPortalCommon


@tagged("post_install", "-at_install")
class TestPortalQueries(AftersalesPortalCommon, HttpCase):
    """The customer's ticket pages read in a number of queries that does not grow with their tickets,
    and no more than Odoo's own order pages read for an order."""

    def _more_tickets(self, count):
        """Tickets of the customer on both of its products: a page reading each row on its own would
        read more for them."""
        products = self.product | self.other_product
        tickets = self.env["aftersales.ticket"].create(
            [
                {
                    "name": f"Extra ticket {index}",
                    "partner_id": self.customer_contact.id,
                    "team_id": self.team.id,
                    "product_id": products[index % 2].id,
                }
                for index in range(count)
            ]
        )
        tickets.flush_recordset()
        return tickets

    def _queries(self, url):
        """Queries of one request of ``url``, in the state of a server that already served it
        (templates compiled, caches filled)."""
        for _warm in range(2):
            self.url_open(url)
        self.env.flush_all()
        before = self.cr.sql_log_count
        response = self.url_open(url)
        queries = self.cr.sql_log_count - before
        self.assertEqual(response.status_code, 200, url)
        return queries

    def test_pages_do_not_grow_with_tickets(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._more_tickets(4)
        self.assertEqual(self.env["aftersales.ticket"].with_user(self.portal_user).search_count([]), 5)
        page = f"/my/tickets/{self.ticket.id}"
        with_five = {url: self._queries(url) for url in ("/my/tickets", page)}
        self._more_tickets(15)
        self.assertEqual(self.env["aftersales.ticket"].with_user(self.portal_user).search_count([]), 20)
        with_twenty = {url: self._queries(url) for url in ("/my/tickets", page)}
        self.assertEqual(with_twenty, with_five, "the same queries with 20 tickets as with 5")

    def test_pages_read_no_more_than_odoo_order_pages(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._more_tickets(4)
        self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": self.other_product.id})]}
        ).action_confirm()
        ours = {url: self._queries(url) for url in ("/my/tickets", f"/my/tickets/{self.ticket.id}")}
        odoo = {url: self._queries(url) for url in ("/my/orders", f"/my/orders/{self.sale_order.id}")}
        self.assertLessEqual(ours["/my/tickets"], odoo["/my/orders"], (ours, odoo))
        self.assertLessEqual(
            ours[f"/my/tickets/{self.ticket.id}"], odoo[f"/my/orders/{self.sale_order.id}"], (ours, odoo)
        )
