from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    aftersales_consignment_location_id = fields.Many2one(
        "stock.location",
        string="Dealer Consignment Location",
        copy=False,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', False)]",
        help="Our products kept at the dealer in consignment, in an internal location of ours outside our "
        "warehouses: what it receives and holds comes from our stock moves and quants there, what it sells "
        "from the moves out of it to customers. Such a dealer reports no stock.",
    )
    aftersales_stock_report_count = fields.Integer(
        string="Stock Reports", compute="_compute_aftersales_stock_report_count"
    )

    def _compute_aftersales_stock_report_count(self):
        Report = self.env["aftersales.dealer.stock.report"]
        counts = dict(Report._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.aftersales_stock_report_count = counts.get(partner, 0)

    @api.model
    def _guarded_fields(self):
        # the location decides where the dealer's figures come from: set by its action
        return super()._guarded_fields() | {"aftersales_consignment_location_id"}

    @api.constrains("aftersales_consignment_location_id")
    def _check_aftersales_consignment_location(self):
        for partner in self.filtered("aftersales_consignment_location_id"):
            location = partner.aftersales_consignment_location_id.sudo()
            if location.usage != "internal" or location.warehouse_id:
                raise ValidationError(
                    _(
                        "The consignment location of %(dealer)s must be an internal location outside our "
                        "warehouses, not %(location)s.",
                        dealer=partner.display_name,
                        location=location.display_name,
                    )
                )

    def action_aftersales_create_consignment_location(self):
        """Give the dealer an internal location of ours at its premises, for the company of the user."""
        self.ensure_one()
        user = self.env.user
        if not (
            user.has_group("aftersales_service.aftersales_service_group_manager")
            or user.has_group("aftersales_parts.aftersales_parts_group_clerk")
        ):
            raise UserError(_("Only after-sales managers and parts clerks put stock in consignment at a dealer."))
        if not self.aftersales_dealer or self.commercial_partner_id != self:
            raise UserError(_("Only a dealer company holds our products in consignment."))
        if self.aftersales_consignment_location_id:
            raise UserError(
                _(
                    "%(dealer)s already has its consignment location %(location)s.",
                    dealer=self.display_name,
                    location=self.aftersales_consignment_location_id.display_name,
                )
            )
        if self.env["aftersales.dealer.stock.report"].search_count(
            [("partner_id", "=", self.id), ("state", "in", ("draft", "submitted", "refused"))], limit=1
        ):
            raise UserError(
                _("%(dealer)s has stock reports still open: validate them first.", dealer=self.display_name)
            )
        company = self.env.company
        location = self.env["stock.location"].sudo().create(self._aftersales_prepare_consignment_location_vals(company))
        # sudo: the partner is changed by this action only, whoever may edit contacts
        self.sudo().aftersales_consignment_location_id = location
        return True

    def _aftersales_prepare_consignment_location_vals(self, company):
        self.ensure_one()
        return {
            "name": _("Consignment %(dealer)s", dealer=self.name),
            "usage": "internal",
            "location_id": self.env.ref("stock.stock_location_locations").id,
            "company_id": company.id,
        }

    def action_view_aftersales_stock_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_parts.aftersales_dealer_stock_report_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
