from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .aftersales_warranty import OPEN_STATES


class AftersalesWarranty(models.Model):
    _inherit = "aftersales.warranty"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Registrations of units bought elsewhere
    # ------------------------------------------------------------------

    @api.model
    def _check_registration(self, product, serial, purchase_date):
        """Refuse a registration the service team could not approve; return the policy."""
        serial = (serial or "").strip()
        policy = product and product._aftersales_warranty_policy()
        if not product or not policy:
            raise UserError(_("This product has no warranty that can be registered."))
        if not serial:
            raise UserError(_("Give the serial number found on the label of the unit."))
        if not purchase_date:
            raise UserError(_("Give the date you bought the unit."))
        if purchase_date > fields.Date.context_today(self):
            raise UserError(_("The purchase date %(date)s is in the future.", date=purchase_date))
        running = self.sudo().search_count(
            [
                ("product_id", "=", product.id),
                ("state", "in", OPEN_STATES),
                "|",
                ("lot_name", "=", serial),
                ("registration_serial", "=", serial),
            ],
            limit=1,
        )
        if running:
            raise UserError(
                _(
                    "Serial number %(serial)s of %(product)s already has a warranty that runs or waits for "
                    "approval: there is nothing to register.",
                    serial=serial,
                    product=product.display_name,
                )
            )
        return policy

    @api.model
    def _register_unit(self, partner, product, serial, purchase_date, attachments=None):
        """Record a customer's registration of a unit, waiting for the approval of the service team.

        ``attachments`` is a list of (file name, raw content[, mimetype]) for the proof of purchase; the
        mimetype, when given, is the one found in the content (see ``read_portal_uploads``).
        """
        serial = (serial or "").strip()
        policy = self._check_registration(product, serial, purchase_date)
        with self._unguard("origin", "registration_state", "registration_serial"):
            warranty = self.create(
                {
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "policy_id": policy.id,
                    "origin": "registration",
                    "registration_state": "to_approve",
                    "registration_serial": serial,
                    "purchase_date": purchase_date,
                }
            )
        warranty.message_subscribe(partner_ids=partner.ids)
        attachment_records = self.env["ir.attachment"].create(
            [
                {
                    "name": attachment[0],
                    "raw": attachment[1],
                    "res_model": self._name,
                    "res_id": warranty.id,
                    **({"mimetype": attachment[2]} if len(attachment) > 2 else {}),
                }
                for attachment in attachments or []
            ]
        )
        # the customer's own proof, shown back to the customer on the portal
        warranty.message_post(
            body=_("Registration of serial number %(serial)s, bought on %(date)s.", serial=serial, date=purchase_date),
            attachment_ids=attachment_records.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return warranty

    def _registration_lot(self):
        """The lot of the registered serial number, created if the unit is unknown to us."""
        self.ensure_one()
        Lot = self.env["stock.lot"].sudo()
        lot = Lot.search(
            [
                ("product_id", "=", self.product_id.id),
                ("name", "=", self.registration_serial),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        return lot or Lot.create(
            {"name": self.registration_serial, "product_id": self.product_id.id, "company_id": self.company_id.id}
        )

    def _check_to_approve(self):
        wrong = self.filtered(lambda w: w.registration_state != "to_approve" or w.state != "draft")
        if wrong:
            raise UserError(
                _(
                    "Warranties %(warranties)s are not registrations waiting for approval.",
                    warranties=", ".join(wrong.mapped("name")),
                )
            )

    def action_approve_registration(self):
        """Start the registered warranties at their purchase date, on the unit's lot."""
        self._check_to_approve()
        self.check_access("write")
        for warranty in self:
            with warranty._unguard("lot_id", "registration_state"):
                warranty.write({"lot_id": warranty._registration_lot().id, "registration_state": "approved"})
            warranty._start(warranty.purchase_date)
            warranty.message_post(
                body=_(
                    "Your registration is approved: %(product)s %(serial)s is covered until %(end)s.",
                    product=warranty.product_id.display_name,
                    serial=warranty.lot_id.name,
                    end=warranty.end_date,
                )
                if warranty.state == "active"
                else _(
                    "Your registration is approved, but the warranty of %(product)s %(serial)s ended on %(end)s.",
                    product=warranty.product_id.display_name,
                    serial=warranty.lot_id.name,
                    end=warranty.end_date,
                ),
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_reject_registration(self, reason=None):
        """Refuse the registrations: they are voided with ``reason``, told to the customer."""
        self._check_to_approve()
        self.check_access("write")
        reason = (reason or "").strip() or self.env._("Registration rejected")
        with self._unguard("registration_state"):
            self.write({"registration_state": "rejected"})
        # rejecting a registration is the reviewing agent's decision, not a void by hand of a manager
        self._void(reason)
        for warranty in self:
            warranty.message_post(
                body=_("Your registration is rejected: %(reason)s", reason=reason),
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_open_reject_wizard(self):
        self._check_to_approve()
        return {
            "type": "ir.actions.act_window",
            "name": _("Reject Registration"),
            "res_model": "aftersales.warranty.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_warranty_ids": self.ids},
        }
