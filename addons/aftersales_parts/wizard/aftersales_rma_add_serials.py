from markupsafe import Markup

from odoo import Command, _, fields, models

from ..models.aftersales_rma_dealer import DEALER_REASONS


class AftersalesRmaAddSerials(models.TransientModel):
    _name = "aftersales.rma.add.serials"
    _description = "Add Serial Numbers to a Dealer Return"

    rma_id = fields.Many2one("aftersales.rma", string="Return", required=True, ondelete="cascade")
    partner_id = fields.Many2one(related="rma_id.partner_id", string="Dealer")
    serials = fields.Text(
        string="Serial Numbers",
        help="Paste or scan the serial numbers of the units the dealer sends back, one a line.",
    )
    dealer_reason = fields.Selection(DEALER_REASONS, string="Dealer's Reason", required=True, default="customer_unit")
    reason_id = fields.Many2one(
        "aftersales.rma.reason",
        required=True,
        default=lambda self: self.env["aftersales.rma.reason"].search([], limit=1),
    )
    resolution = fields.Selection(
        selection=lambda self: self.env["aftersales.rma.line"]._fields["resolution"].selection,
        string="Requested Resolution",
        required=True,
        default="refund",
    )
    state = fields.Selection([("input", "Input"), ("done", "Checked")], default="input", required=True)
    accepted_count = fields.Integer(string="Added", readonly=True)
    refusal_ids = fields.One2many("aftersales.rma.add.serials.refusal", "wizard_id", string="Refused", readonly=True)

    def action_add(self):
        self.ensure_one()
        before = len(self.rma_id.line_ids)
        refused = self.rma_id.action_add_dealer_serials(
            self.serials, self.dealer_reason, self.reason_id, self.resolution
        )
        added = len(self.rma_id.line_ids) - before
        if refused:
            self.rma_id.message_post(
                body=Markup("%s %s")
                % (
                    _("%(added)s units added by serial number; refused:", added=added),
                    self.rma_id._refusals_html(refused),
                ),
                subtype_xmlid="mail.mt_note",
            )
        if not refused:
            return {"type": "ir.actions.act_window_close"}
        self.write(
            {
                "state": "done",
                "accepted_count": added,
                "refusal_ids": [Command.clear()]
                + [Command.create({"serial": name, "reason": why}) for name, why in refused],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Add Serials"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
