from odoo import _, api, fields, models
from odoo.exceptions import UserError

CARD_STATES = [
    ("draft", "Draft"),
    ("returned", "Returned"),
    ("confirmed", "Confirmed"),
]


class AftersalesInstallationCard(models.Model):
    _name = "aftersales.installation.card"
    _description = "Installation Card"
    _inherit = ["mail.thread", "mail.activity.mixin", "aftersales.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    visit_id = fields.Many2one(
        "aftersales.visit", string="Installation Visit", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="visit_id.company_id", store=True, index=True, precompute=True)
    ticket_id = fields.Many2one(related="visit_id.ticket_id", tracking=False)
    partner_id = fields.Many2one(related="visit_id.partner_id", string="Service Address")
    product_id = fields.Many2one(related="visit_id.ticket_id.product_id", tracking=False)
    state = fields.Selection(CARD_STATES, required=True, default="draft", tracking=True, index=True, copy=False)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        index=True,
        tracking=True,
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
        compute="_compute_lot_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    installed_date = fields.Datetime(
        string="Installed on",
        tracking=True,
        compute="_compute_installed_date",
        store=True,
        readonly=False,
        help="Filled in when the technician starts the visit; can be corrected.",
    )
    installed_by_id = fields.Many2one(
        "aftersales.technician",
        string="Installed by",
        tracking=True,
        check_company=True,
        compute="_compute_installed_by_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    location = fields.Char(help="Where the unit stands at the customer: building, floor, room.")
    notes = fields.Text(help="Connections made, settings, anything the next technician should know.")
    customer_name = fields.Char(
        string="Confirmed by", tracking=True, help="The customer who accepted the installation."
    )
    customer_confirmed_on = fields.Datetime(string="Confirmed on", readonly=True, copy=False, tracking=True)

    _sql_constraints = [
        ("visit_uniq", "unique (visit_id)", "A visit has only one installation card."),
    ]

    @api.depends("visit_id")
    def _compute_display_name(self):
        for card in self:
            card.display_name = _("Installation Card %(visit)s", visit=card.visit_id.name or "")

    @api.depends("visit_id.ticket_id.lot_id")
    def _compute_lot_id(self):
        for card in self:
            if not card.lot_id:
                card.lot_id = card.visit_id.ticket_id.lot_id

    @api.depends("visit_id.check_in")
    def _compute_installed_date(self):
        for card in self:
            if not card.installed_date:
                card.installed_date = card.visit_id.check_in

    @api.depends("visit_id.technician_id")
    def _compute_installed_by_id(self):
        for card in self:
            if card.state == "draft":
                card.installed_by_id = card.visit_id.technician_id

    @api.model
    def _guarded_fields(self):
        # handed in and confirmed by the actions, which check the card is complete
        return super()._guarded_fields() | {"state", "customer_confirmed_on"}

    @api.ondelete(at_uninstall=False)
    def _unlink_except_returned(self):
        if any(card.state != "draft" for card in self):
            raise UserError(_("Installation cards handed in or confirmed by the customer cannot be deleted."))

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda card: card.state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "%(action)s is not possible for %(cards)s in their current state.",
                    action=action,
                    cards=", ".join(wrong.mapped("display_name")),
                )
            )

    def action_return(self):
        """The technician hands in the filled card."""
        self._check_state(("draft",), _("Handing in"))
        incomplete = self.filtered(lambda card: not card.installed_date or not card.installed_by_id)
        if incomplete:
            raise UserError(
                _(
                    "Fill in when and by whom the unit was installed on %(cards)s.",
                    cards=", ".join(incomplete.mapped("display_name")),
                )
            )
        with self._unguard("state"):
            self.write({"state": "returned"})

    def action_confirm(self):
        """The customer confirms the installation."""
        self._check_state(("returned",), _("Confirming"))
        unnamed = self.filtered(lambda card: not card.customer_name)
        if unnamed:
            raise UserError(
                _(
                    "Write the name of the customer who confirms %(cards)s.",
                    cards=", ".join(unnamed.mapped("display_name")),
                )
            )
        with self._unguard("state", "customer_confirmed_on"):
            self.write({"state": "confirmed", "customer_confirmed_on": fields.Datetime.now()})

    def action_reset_draft(self):
        """Take a handed-in card back to correct it; a confirmed card is final."""
        self._check_state(("returned",), _("Resetting"))
        with self._unguard("state"):
            self.write({"state": "draft"})
