from odoo import api, fields, models


class AftersalesContractVisit(models.Model):
    _name = "aftersales.contract.visit"
    _description = "Planned Contract Visit"
    _inherit = ["aftersales.guarded.mixin"]
    _order = "planned_date, id"
    _check_company_auto = True

    contract_id = fields.Many2one("aftersales.contract", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    planned_date = fields.Date(required=True, index=True)
    ticket_id = fields.Many2one("aftersales.ticket", readonly=True, check_company=True, index="btree_not_null")
    visit_id = fields.Many2one("aftersales.visit", readonly=True, check_company=True, index="btree_not_null")
    visit_state = fields.Selection(related="visit_id.state", string="Visit Status")
    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", readonly=True, check_company=True, index="btree_not_null"
    )
    site_partner_id = fields.Many2one("res.partner", string="Site", readonly=True, index="btree_not_null")

    _sql_constraints = [
        (
            "contract_date_uniq",
            "UNIQUE NULLS NOT DISTINCT (contract_id, planned_date, lot_id, site_partner_id)",
            "A contract plans one maintenance visit per date, serial number and site.",
        ),
    ]

    @api.depends("contract_id", "planned_date")
    def _compute_display_name(self):
        for occurrence in self:
            unit = occurrence.lot_id.name or occurrence.site_partner_id.display_name
            name = f"{occurrence.contract_id.name} - {occurrence.planned_date}"
            occurrence.display_name = f"{name} - {unit}" if unit else name

    @api.model
    def _guarded_fields(self):
        # the ticket and visit opened for the date, and the contract, serial and site that planned it
        return super()._guarded_fields() | {"ticket_id", "visit_id", "contract_id", "lot_id", "site_partner_id"}

    def _open(self):
        """Open the ticket and draft visit of these planned dates."""
        Ticket = self.env["aftersales.ticket"].sudo()
        Visit = self.env["aftersales.visit"].sudo()
        tickets = Ticket.create(
            [
                occurrence.contract_id._prepare_maintenance_ticket_vals(
                    occurrence.planned_date, occurrence.lot_id, occurrence.site_partner_id
                )
                for occurrence in self
            ]
        )
        visits = Visit.create(
            [
                occurrence.contract_id._prepare_maintenance_visit_vals(ticket, occurrence.planned_date)
                for occurrence, ticket in zip(self, tickets, strict=True)
            ]
        )
        for occurrence, ticket, visit in zip(self, tickets, visits, strict=True):
            with occurrence._unguard("ticket_id", "visit_id"):
                occurrence.write({"ticket_id": ticket.id, "visit_id": visit.id})
