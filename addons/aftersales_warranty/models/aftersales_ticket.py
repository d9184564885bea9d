from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

AGENT_GROUP = "aftersales_service.aftersales_service_group_user"


class AftersalesTicket(models.Model):
    _name = "aftersales.ticket"
    _inherit = ["aftersales.ticket", "aftersales.guarded.mixin"]

    warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_warranty_id",
        help="The warranty of the serial number: the one that runs, else the latest.",
    )
    warranty_state = fields.Selection(
        lambda self: self.env["aftersales.warranty"]._fields["state"].selection,
        string="Warranty Status",
        compute="_compute_warranty_id",
    )
    warranty_end_date = fields.Date(string="Warranty End", compute="_compute_warranty_id")
    visit_line_ids = fields.Many2many(
        "aftersales.visit.line",
        string="Fees and Coverage",
        compute="_compute_visit_line_ids",
        help="The billable lines of the ticket's visits, with who pays each of them.",
    )
    warranty_covered_amount = fields.Monetary(
        string="Covered by Warranty",
        compute="_compute_visit_line_ids",
        currency_field="warranty_currency_id",
        help="What the customer would have paid for the fees covered by the warranty.",
    )
    warranty_currency_id = fields.Many2one("res.currency", compute="_compute_visit_line_ids")

    contract_id = fields.Many2one(
        "aftersales.contract",
        string="Service Contract",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The running contract that covers the serial number or the service address.",
    )

    job_origin = fields.Selection(
        [("direct", "Direct"), ("manufacturer", "Manufacturer's Call Centre")],
        required=True,
        default="direct",
        tracking=True,
        help="Manufacturer's Call Centre: the manufacturer dispatched the job and pays it; its supplier claim "
        "goes to that manufacturer and the job counts in its settlement.",
    )
    manufacturer_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="The manufacturer whose call centre dispatched the job.",
    )

    @api.depends("lot_id")
    def _compute_warranty_id(self):
        # the warranties of the serial numbers the user may read only
        lots = self._readable_lots()
        warranties = (
            self.env["aftersales.warranty"].sudo().search([("lot_id", "in", lots.ids)], order="end_date desc, id desc")
        )
        for ticket in self:
            candidates = warranties.filtered(lambda w, lot=ticket.lot_id & lots: lot and w.lot_id == lot)
            running = candidates.filtered(lambda w: w.state == "active")
            warranty = (running or candidates)[:1]
            ticket.warranty_id = warranty.sudo(False)
            ticket.warranty_state = warranty.state
            ticket.warranty_end_date = warranty.end_date

    @api.depends("visit_ids.line_ids.coverage", "visit_ids.line_ids.covered_amount")
    def _compute_visit_line_ids(self):
        for ticket in self:
            lines = ticket.visit_ids.line_ids
            ticket.visit_line_ids = lines
            ticket.warranty_currency_id = lines.currency_id[:1] or ticket.company_id.currency_id
            ticket.warranty_covered_amount = sum(
                lines.filtered(lambda line: line.coverage == "warranty").mapped("covered_amount")
            )

    @api.depends("lot_id", "partner_id")
    def _compute_contract_id(self):
        todo = self.filtered(lambda t: not (t.is_closed and t.contract_id))
        if not todo.lot_id and not todo.partner_id:
            todo.contract_id = False
            return
        # one search for the whole batch, the choice per ticket in memory
        contracts = (
            self.env["aftersales.contract"]
            .sudo()
            .search(
                [
                    ("state", "in", ("running", "to_renew")),
                    "|",
                    ("lot_ids", "in", todo.lot_id.ids),
                    ("site_partner_ids", "in", todo.partner_id.ids),
                ],
                order="end_date desc, id desc",
            )
        )
        if not contracts:
            todo.contract_id = False
            return
        today = fields.Date.context_today(self)
        for ticket in todo:
            on_date = fields.Date.context_today(ticket, ticket.request_date) if ticket.request_date else today
            # the customer's own contracts, or those naming the ticket's address (see _check_contract_id)
            partner = ticket.partner_id
            own = contracts.filtered(
                lambda c, partner=partner: (
                    partner
                    and (c.commercial_partner_id == partner.commercial_partner_id or partner in c.site_partner_ids)
                )
            )
            ticket.contract_id = own._pick(ticket.lot_id, partner, on_date).sudo(False)

    @api.constrains("job_origin", "manufacturer_id")
    def _check_manufacturer_id(self):
        for ticket in self:
            if ticket.job_origin == "manufacturer" and not ticket.manufacturer_id:
                raise ValidationError(
                    _(
                        "Ticket %(ticket)s comes from a manufacturer's call centre: say which manufacturer.",
                        ticket=ticket.display_name,
                    )
                )

    @api.constrains("contract_id", "partner_id", "lot_id")
    def _check_contract_id(self):
        """A ticket's contract is one of its customer's that covers its unit (or all of them), or one
        that names its address among the covered sites."""
        for ticket in self.filtered("contract_id"):
            contract = ticket.contract_id.sudo()
            if ticket.partner_id and ticket.partner_id in contract.site_partner_ids:
                continue
            customer = ticket.partner_id.commercial_partner_id
            if contract.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "Contract %(contract)s is not a contract of %(customer)s, the customer of ticket %(ticket)s.",
                        contract=contract.name,
                        customer=customer.display_name or _("nobody"),
                        ticket=ticket.display_name,
                    )
                )
            # a contract naming neither units nor sites covers all of its customer's
            named = contract.lot_ids or contract.site_partner_ids
            if named and (not ticket.lot_id or ticket.lot_id not in contract.lot_ids):
                raise ValidationError(
                    _(
                        "Contract %(contract)s covers neither the unit nor the address of ticket %(ticket)s.",
                        contract=contract.name,
                        ticket=ticket.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.su or "contract_id" not in self._guarded_fields():
            return super().create(vals_list)
        # the contract is found for the unit and the customer: the form may send back what it
        # computed, nothing else
        asked = [vals.get("contract_id") for vals in vals_list]
        tickets = super().create(
            [{key: val for key, val in vals.items() if key != "contract_id"} for vals in vals_list]
        )
        for ticket, contract_id in zip(tickets, asked, strict=True):
            if contract_id and ticket.contract_id.id != contract_id:
                raise ticket._guard_refusal(["contract_id"])
        return tickets

    def write(self, vals):
        if (
            "contract_id" in vals
            and {"lot_id", "partner_id"} & set(vals)
            and not self.env.su
            and "contract_id" in self._guarded_fields()
        ):
            # the form sends back the contract computed for the new unit or customer: the
            # computation decides it again, and anything else is refused
            vals = dict(vals)
            contract_id = vals.pop("contract_id") or False
            result = super().write(vals)
            if any(ticket.contract_id.id != contract_id for ticket in self):
                raise self._guard_refusal(["contract_id"])
            return result
        return super().write(vals)

    @api.model
    def _guarded_fields(self):
        guarded = super()._guarded_fields()
        if not self.env.user.has_group(AGENT_GROUP):
            # technicians do not choose who pays for their work
            guarded |= {"contract_id"}
        return guarded

    @api.depends("contract_id.sla_policy_id")
    def _compute_sla_policy_id(self):
        result = super()._compute_sla_policy_id()
        for ticket in self:
            if ticket.is_closed and ticket.sla_policy_id:
                continue
            policy = ticket.contract_id.sudo().sla_policy_id
            if policy:
                ticket.sla_policy_id = policy
        return result
