from odoo import api, fields, models

SIGN_PHASES = [
    ("intake", "Intake"),
    ("handover", "Hand-over"),
]


class AftersalesCarryInSign(models.TransientModel):
    """The customer signs the intake of their unit at the counter, or its hand-over at the pick-up."""

    _name = "aftersales.carry.in.sign"
    _description = "Customer Signature of a Carry-in Repair"

    carry_in_id = fields.Many2one(
        "aftersales.carry.in", string="Carry-in Repair", required=True, readonly=True, ondelete="cascade"
    )
    phase = fields.Selection(SIGN_PHASES, required=True, default="intake", readonly=True)
    signature = fields.Image(max_width=1024, max_height=1024, required=True)
    signed_by = fields.Char(
        compute="_compute_signed_by",
        store=True,
        readonly=False,
        required=True,
        help="The name of whoever signs for the customer.",
    )

    @api.depends("carry_in_id")
    def _compute_signed_by(self):
        for wizard in self:
            wizard.signed_by = wizard.signed_by or wizard.carry_in_id.partner_id.name

    def action_sign(self):
        self.ensure_one()
        self.carry_in_id._record_signature(self.phase, self.signature, self.signed_by)
        return {"type": "ir.actions.act_window_close"}
