from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AftersalesWarrantyTransfer(models.TransientModel):
    _name = "aftersales.warranty.transfer"
    _description = "Warranty Ownership Transfer"

    warranty_ids = fields.Many2many("aftersales.warranty", string="Warranties", required=True)
    partner_id = fields.Many2one("res.partner", string="New Customer", required=True)
    transfer_date = fields.Date(string="Date", required=True, default=fields.Date.context_today)
    note = fields.Text(help="Why the unit changed hands, e.g. sold with the house.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "warranty_ids" in fields_list
            and self.env.context.get("active_model") == "aftersales.warranty"
            and self.env.context.get("active_ids")
        ):
            values["warranty_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return values

    def action_transfer(self):
        self.ensure_one()
        self.warranty_ids.check_access("write")
        ended = self.warranty_ids.filtered(lambda w: w.state in ("void", "expired"))
        if ended:
            raise UserError(
                _(
                    "Only running warranties can change hands; %(warranties)s are void or expired.",
                    warranties=", ".join(ended.mapped("name")),
                )
            )
        already = self.warranty_ids.filtered(lambda w: w.partner_id == self.partner_id)
        if already:
            raise UserError(
                _(
                    "Warranties %(warranties)s already belong to %(customer)s.",
                    warranties=", ".join(already.mapped("name")),
                    customer=self.partner_id.display_name,
                )
            )
        for warranty in self.warranty_ids:
            body = Markup("<p>%s</p>") % _(
                "Ownership transferred from %(old)s to %(new)s on %(date)s.",
                old=warranty.partner_id.display_name,
                new=self.partner_id.display_name,
                date=fields.Date.to_string(self.transfer_date),
            )
            if self.note:
                body += Markup("<p>%s</p>") % self.note
            warranty.message_post(body=body, subtype_xmlid="mail.mt_note")
        with self.warranty_ids._unguard("partner_id"):
            self.warranty_ids.write({"partner_id": self.partner_id.id})
        return {"type": "ir.actions.act_window_close"}
