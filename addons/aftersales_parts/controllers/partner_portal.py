# The parts of the service partners' jobs on the portal: parts used and parts requested.
import math

from odoo import Command, _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import float_compare

from odoo.addons.aftersales_service.controllers.partner_portal import AftersalesPartnerPortal

# the most a service partner records or requests of a part at a time
MAX_PORTAL_PART_QUANTITY = 100


class AftersalesPartnerPartsPortal(AftersalesPartnerPortal):
    def _aftersales_job_messages(self):
        messages = super()._aftersales_job_messages()
        messages.update(
            {
                "part_added": ("success", _("The part is recorded on the job.")),
                "parts_requested": ("success", _("Your parts request is sent: our warehouse confirms it.")),
            }
        )
        return messages

    def _aftersales_job_parts_products(self, visit_sudo):
        """The parts the partner may record or request: those of its consignment location and the usual
        parts of the unit."""
        location = visit_sudo.service_partner_id.aftersales_partner_location_id
        products = request.env["product.product"].sudo()
        if location:
            products = (
                request.env["stock.quant"]
                .sudo()
                .search([("location_id", "child_of", location.id), ("quantity", ">", 0)])
                .product_id
            )
        return (products | visit_sudo.suggested_part_ids).sorted("display_name")

    def _aftersales_job_page_values(self, visit_sudo, **kw):
        values = super()._aftersales_job_page_values(visit_sudo, **kw)
        values.update(
            {
                "job_parts": visit_sudo.part_ids.filtered(lambda part: not part.removed),
                "job_part_products": self._aftersales_job_parts_products(visit_sudo),
                "job_part_requests": visit_sudo.parts_request_ids,
                "job_consignment": visit_sudo.service_partner_id.aftersales_partner_location_id,
            }
        )
        return values

    def _aftersales_job_part_input(self, visit_sudo, post):
        """The product and quantity posted, checked; (product, quantity, errors)."""
        errors = []
        if visit_sudo.partner_job_state != "accepted" or visit_sudo.state in ("done", "cancel"):
            errors.append(_("Parts are recorded on accepted jobs that are not done yet."))
        product_id = self._aftersales_int(post.get("product_id"))
        product = self._aftersales_job_parts_products(visit_sudo).filtered(lambda p: p.id == product_id)
        if not product:
            errors.append(_("Choose one of the parts of the list."))
        try:
            quantity = float((post.get("quantity") or "1").replace(",", "."))
        except ValueError:
            quantity = 0.0
        if not math.isfinite(quantity) or float_compare(quantity, 0.0, precision_digits=6) <= 0:
            errors.append(_("Give a positive quantity."))
        elif quantity > MAX_PORTAL_PART_QUANTITY:
            errors.append(_("Give at most %(quantity)s units of a part at a time.", quantity=MAX_PORTAL_PART_QUANTITY))
        return product, quantity, errors

    @staticmethod
    def _aftersales_int(value):
        try:
            return int(value or 0)
        except (TypeError, ValueError):
            return -1

    def _aftersales_job_part_lot(self, visit_sudo, product, lot_name, own_stock):
        """The serial number of a tracked part: one of the consignment location, or for the partner's own
        part, the serial it gives (recorded when new). Returns (lot, errors)."""
        Lot = request.env["stock.lot"].sudo()
        if product.tracking == "none":
            return Lot, []
        lot_name = (lot_name or "").strip()
        if not lot_name:
            return Lot, [_("Give the serial number of %(part)s.", part=product.display_name)]
        lot = Lot.search(
            [
                ("product_id", "=", product.id),
                ("name", "=", lot_name),
                ("company_id", "in", [False, visit_sudo.company_id.id]),
            ],
            limit=1,
        )
        if own_stock:
            if not lot:
                lot = Lot.create({"product_id": product.id, "name": lot_name, "company_id": visit_sudo.company_id.id})
            return lot, []
        location = visit_sudo.service_partner_id.aftersales_partner_location_id
        in_stock = lot and request.env["stock.quant"].sudo().search_count(
            [("lot_id", "=", lot.id), ("location_id", "child_of", location.id), ("quantity", ">", 0)]
        )
        if not in_stock:
            return Lot, [
                _(
                    "Serial number %(serial)s of %(part)s is not in your consignment stock.",
                    serial=lot_name,
                    part=product.display_name,
                )
            ]
        return lot, []

    @http.route(["/my/jobs/<int:job_id>/parts"], type="http", auth="user", methods=["POST"], website=True)
    def portal_add_aftersales_job_part(self, job_id, **post):
        visit_sudo = self._aftersales_job_sudo(job_id)
        product, quantity, errors = self._aftersales_job_part_input(visit_sudo, post)
        own_stock = post.get("source") == "own"
        if not own_stock and not visit_sudo.service_partner_id.aftersales_partner_location_id:
            errors.append(_("You hold no consignment stock of ours: record the part as one of your own."))
        if errors:
            return self._aftersales_render_job(visit_sudo, errors=errors, form=post)
        try:
            with request.env.cr.savepoint():
                lot, errors = self._aftersales_job_part_lot(visit_sudo, product, post.get("lot_name"), own_stock)
                if errors:
                    raise UserError(errors[0])
                request.env["aftersales.visit.part"].sudo().create(
                    {
                        "visit_id": visit_sudo.id,
                        "product_id": product.id,
                        "quantity": quantity,
                        "lot_id": lot.id,
                        "partner_supplied": own_stock,
                    }
                )
        except (UserError, ValidationError) as error:
            request.env.invalidate_all()
            return self._aftersales_render_job(visit_sudo, errors=[error.args[0]], form=post)
        return self._aftersales_job_redirect(visit_sudo, "part_added")

    @http.route(["/my/jobs/<int:job_id>/parts/request"], type="http", auth="user", methods=["POST"], website=True)
    def portal_request_aftersales_job_parts(self, job_id, **post):
        visit_sudo = self._aftersales_job_sudo(job_id)
        product, quantity, errors = self._aftersales_job_part_input(visit_sudo, post)
        if product and not product.is_storable:
            errors.append(_("%(part)s is not kept in stock: it cannot be requested.", part=product.display_name))
        if errors:
            return self._aftersales_render_job(visit_sudo, errors=errors, form=post)
        try:
            with request.env.cr.savepoint():
                parts_request = (
                    request.env["aftersales.parts.request"]
                    .sudo()
                    .with_company(visit_sudo.company_id)
                    .create(
                        {
                            "visit_id": visit_sudo.id,
                            "company_id": visit_sudo.company_id.id,
                            "line_ids": [Command.create({"product_id": product.id, "quantity": quantity})],
                        }
                    )
                )
                # our stock is reserved only once a dispatcher or a parts clerk sends the request
                parts_request._ask_approval()
        except (UserError, ValidationError) as error:
            request.env.invalidate_all()
            return self._aftersales_render_job(visit_sudo, errors=[error.args[0]], form=post)
        return self._aftersales_job_redirect(visit_sudo, "parts_requested")
