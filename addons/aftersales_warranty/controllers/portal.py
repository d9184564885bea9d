# The customer portal of units and their warranties, and the registration of units bought elsewhere.
from werkzeug.exceptions import NotFound

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.aftersales_service.tools.portal_upload import read_portal_uploads
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

WARRANTY_HISTORY_KEY = "my_aftersales_warranties_history"


class AftersalesWarrantyPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "warranty_count" in counters:
            Warranty = request.env["aftersales.warranty"]
            values["warranty_count"] = (
                Warranty.search_count(self._aftersales_warranty_domain(), limit=1) if Warranty.has_access("read") else 0
            )
        return values

    def _aftersales_warranty_domain(self):
        """Units shown on the portal: the record rules choose the customer's; void ones are hidden,
        except rejected registrations, so that the customer sees why."""
        return ["|", ("state", "!=", "void"), ("registration_state", "=", "rejected")]

    @http.route(["/my/products", "/my/products/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_aftersales_products(self, page=1, **kw):
        Warranty = request.env["aftersales.warranty"]
        values = self._prepare_portal_layout_values()
        domain = self._aftersales_warranty_domain()
        count = Warranty.search_count(domain) if Warranty.has_access("read") else 0
        pager = portal_pager(url="/my/products", total=count, page=page, step=self._items_per_page)
        warranties = (
            Warranty.search(domain, order="end_date desc, id desc", limit=self._items_per_page, offset=pager["offset"])
            if count
            else Warranty
        )
        request.session[WARRANTY_HISTORY_KEY] = warranties.ids[:100]
        values.update(
            {
                # the record rules already filtered them: sudo only to read products and lots
                "warranties": warranties.sudo(),
                "page_name": "aftersales_warranty",
                "default_url": "/my/products",
                "pager": pager,
                "registered": kw.get("registered"),
            }
        )
        return request.render("aftersales_warranty.portal_my_aftersales_products", values)

    @http.route(["/my/warranties/<int:warranty_id>"], type="http", auth="public", website=True)
    def portal_my_aftersales_warranty(self, warranty_id, access_token=None, **kw):
        try:
            warranty_sudo = self._document_check_access("aftersales.warranty", warranty_id, access_token=access_token)
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        values = {
            "aftersales_warranty": warranty_sudo,
            "page_name": "aftersales_warranty",
            "registered": kw.get("registered"),
            "proofs": self._aftersales_customer_attachments(warranty_sudo),
        }
        values = self._get_page_view_values(warranty_sudo, access_token, values, WARRANTY_HISTORY_KEY, False, **kw)
        return request.render("aftersales_warranty.portal_my_aftersales_warranty", values)

    def _aftersales_customer_attachments(self, warranty_sudo):
        """The files of the warranty the customer may see: the public ones and those of the messages
        shown to the customer (not internal notes), never the files the service team keeps to itself.

        Called once the access to the warranty is checked.
        """
        messages = (
            request.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", warranty_sudo._name),
                    ("res_id", "=", warranty_sudo.id),
                    ("is_internal", "=", False),
                    ("subtype_id", "!=", False),
                    ("subtype_id.internal", "=", False),
                ]
            )
        )
        return (
            request.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", warranty_sudo._name),
                    ("res_id", "=", warranty_sudo.id),
                    "|",
                    ("public", "=", True),
                    ("id", "in", messages.attachment_ids.ids),
                ]
            )
        )

    # ------------------------------------------------------------------
    # Registration
    # ------------------------------------------------------------------

    def _aftersales_registrable_products(self):
        """Products whose warranty customers may register: saleable goods with a policy of their own
        or from their category (or a parent category)."""
        categories = request.env["product.category"].sudo().search([("aftersales_warranty_policy_id", "!=", False)])
        products = (
            request.env["product.product"]
            .sudo()
            .search(
                [
                    ("sale_ok", "=", True),
                    ("type", "=", "consu"),
                    ("company_id", "in", [False, request.env.company.id]),
                    "|",
                    ("aftersales_warranty_policy_id", "!=", False),
                    ("categ_id", "child_of", categories.ids),
                ],
                order="name, id",
            )
        )
        return products.filtered(lambda product: product._aftersales_warranty_policy())

    def _aftersales_registration_values(self, **extra):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "aftersales_warranty_register",
                "products": self._aftersales_registrable_products(),
                "errors": [],
                "form": {},
                "today": fields.Date.context_today(request.env.user),
            }
        )
        values.update(extra)
        return values

    def _aftersales_registration_validate(self, post):
        """Check the posted form; return (product, serial, purchase date, proofs, errors)."""
        errors = []
        try:
            product_id = int(post.get("product_id") or 0)
        except ValueError:
            product_id = -1
        product = self._aftersales_registrable_products().filtered(lambda p: p.id == product_id)
        if not product:
            errors.append(_("Choose the product among the ones we give a warranty for."))
        serial = (post.get("serial") or "").strip()
        if not serial:
            errors.append(_("Give the serial number found on the label of the unit."))
        try:
            purchase_date = fields.Date.to_date(post.get("purchase_date") or None)
        except ValueError:
            purchase_date = None
        if not purchase_date:
            errors.append(_("Give the date you bought the unit."))
        files, upload_errors = read_portal_uploads(request.httprequest.files.getlist("proof"), env=request.env)
        errors.extend(upload_errors)
        # the type found in the content goes with the file: never the one its name suggests
        proofs = list(files)
        if not proofs:
            errors.append(_("Attach your proof of purchase (invoice or receipt)."))
        return product, serial, purchase_date, proofs, errors

    @http.route(["/my/products/register"], type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_register_aftersales_product(self, **post):
        if request.httprequest.method != "POST":
            return request.render(
                "aftersales_warranty.portal_register_aftersales_product", self._aftersales_registration_values()
            )
        product, serial, purchase_date, proofs, errors = self._aftersales_registration_validate(post)
        if not errors:
            partner = request.env.user.partner_id
            try:
                warranty = (
                    request.env["aftersales.warranty"]
                    .sudo()
                    ._register_unit(partner, product, serial, purchase_date, attachments=proofs)
                )
            except UserError as error:
                errors.append(error.args[0])
            else:
                return request.redirect(f"{warranty.access_url}?registered=1")
        values = self._aftersales_registration_values(errors=errors, form=post)
        return request.render("aftersales_warranty.portal_register_aftersales_product", values)
