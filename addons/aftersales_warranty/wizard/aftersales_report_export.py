from collections import defaultdict

from odoo import _, api, fields, models

from odoo.addons.aftersales_service.tools.xlsx_export import XlsxColumn


class AftersalesReportExport(models.TransientModel):
    _inherit = "aftersales.report.export"

    report_kind = fields.Selection(
        selection_add=[("warranties", "Warranties"), ("settlement", "Settlement per Manufacturer")],
        ondelete={"warranties": "set default", "settlement": "set default"},
    )

    @api.model
    def _export_kind_by_model(self):
        return {**super()._export_kind_by_model(), "aftersales.warranty": "warranties"}

    # warranties -------------------------------------------------------

    def _warranties_domain(self):
        """The warranties running during the period (started before its end, not ended before its start)."""
        return [
            ("start_date", "<=", self.date_to),
            "|",
            ("covered_until", "=", False),
            ("covered_until", ">=", self.date_from),
            *self._company_domain(),
        ]

    def _export_warranties(self, report, domain):
        report.write_sheet(
            _("Warranties"),
            [
                XlsxColumn(_("Reference"), width=14),
                XlsxColumn(_("Customer"), width=28),
                XlsxColumn(_("Product"), width=26),
                XlsxColumn(_("Serial Number"), width=16),
                XlsxColumn(_("Policy"), width=24),
                XlsxColumn(_("Status"), width=14),
                XlsxColumn(_("Start"), "date"),
                XlsxColumn(_("End"), "date"),
                XlsxColumn(_("Covered Until"), "date"),
                XlsxColumn(_("Quantity"), "float", total=True),
            ],
            self._warranty_rows(domain),
            title=_("Warranties"),
            total_label=lambda count: self.env._("Total: %(count)s warranties", count=count),
        )

    def _warranty_rows(self, domain):
        states = self._selection_labels("aftersales.warranty", "state")
        field_names = ["name", "partner_id", "product_id", "lot_name", "policy_id", "state", "start_date"]
        field_names += ["end_date", "covered_until", "quantity"]
        for warranties in self._iter_chunks("aftersales.warranty", domain, field_names):
            for warranty in warranties:
                yield [
                    warranty.name,
                    warranty.partner_id.display_name,
                    warranty.product_id.display_name,
                    warranty.lot_name,
                    warranty.policy_id.name,
                    states.get(warranty.state),
                    warranty.start_date,
                    warranty.end_date,
                    warranty.covered_until,
                    warranty.quantity,
                ]

    # settlement -------------------------------------------------------

    def _settlement_domain(self):
        """The lines paid by the warranty on visits of the period."""
        domain = [
            ("coverage", "=", "warranty"),
            ("visit_date", ">=", self.date_from),
            ("visit_date", "<=", self.date_to),
            ("visit_id.state", "!=", "cancel"),
            *self._company_domain(),
        ]
        if self.team_id:
            domain.append(("visit_id.ticket_id.team_id", "=", self.team_id.id))
        if self.technician_id:
            domain.append(("visit_id.technician_id", "=", self.technician_id.id))
        return domain

    def _claims_domain(self):
        """The claims made during the period (by their claim date)."""
        return [
            ("date", ">=", self.date_from),
            ("date", "<=", self.date_to),
            ("state", "!=", "cancelled"),
            *self._company_domain(),
        ]

    @api.model
    def _manufacturers(self, products):
        """The manufacturer of each product: who warranty claims go to on its main vendor line
        (the first of its vendors, by sequence), else that vendor; an empty partner without vendors."""
        manufacturers = {}
        for product in products:
            infos = product.seller_ids.filtered(lambda info, p=product: not info.product_id or info.product_id == p)
            info = infos[:1]
            manufacturers[product] = info.aftersales_warranty_partner_id or info.partner_id
        return manufacturers

    def _export_settlement(self, report, domain):
        """A summary per manufacturer, the covered lines, and the claims sent to suppliers in the period."""
        Line = self.env["aftersales.visit.line"]
        Claim = self.env["aftersales.supplier.claim"]
        no_manufacturer = _("No vendor")
        groups = Line._read_group(
            domain, ["unit_product_id"], ["__count", "quantity:sum", "cost_amount:sum", "covered_amount:sum"]
        )
        manufacturers = self._manufacturers(self.env["product.product"].browse([g[0].id for g in groups if g[0]]))
        summary = defaultdict(lambda: [0, 0.0, 0.0, 0, 0, 0.0, 0.0, 0.0])
        for product, count, _quantity, cost, covered in groups:
            name = manufacturers.get(product) and manufacturers[product].display_name or no_manufacturer
            summary[name][0] += count
            summary[name][1] += cost
            summary[name][2] += covered
        claim_domain = self._claims_domain()
        groups = Claim._read_group(
            claim_domain,
            ["partner_id", "state"],
            ["__count", "amount_claimed:sum", "amount_credited:sum", "amount_due:sum"],
        )
        for supplier, state, count, claimed, credited, due in groups:
            row = summary[supplier.display_name]
            row[3] += count
            if state == "accepted":
                row[4] += count
            row[5] += claimed
            row[6] += credited
            row[7] += due

        report.write_sheet(
            _("Settlement"),
            [
                XlsxColumn(_("Manufacturer"), width=30),
                XlsxColumn(_("Covered Lines"), "integer", total=True),
                XlsxColumn(_("Cost"), "monetary", total=True),
                XlsxColumn(_("Covered Amount"), "monetary", total=True),
                XlsxColumn(_("Claims"), "integer", total=True),
                XlsxColumn(_("Claims Accepted"), "integer", total=True),
                XlsxColumn(_("Claimed"), "monetary", total=True),
                XlsxColumn(_("Credited"), "monetary", total=True),
                XlsxColumn(_("Due"), "monetary", total=True),
            ],
            ([name, *summary[name]] for name in sorted(summary)),
            title=_("Warranty settlement from %(start)s to %(end)s", start=self.date_from, end=self.date_to),
            total_label=_("Total"),
        )
        report.write_sheet(
            _("Covered Repairs"),
            [
                XlsxColumn(_("Manufacturer"), width=26),
                XlsxColumn(_("Visit Date"), "date"),
                XlsxColumn(_("Visit"), width=14),
                XlsxColumn(_("Ticket"), width=30),
                XlsxColumn(_("Serial Number"), width=16),
                XlsxColumn(_("Unit"), width=24),
                XlsxColumn(_("Type"), width=12),
                XlsxColumn(_("Product"), width=24),
                XlsxColumn(_("Quantity"), "float", total=True),
                XlsxColumn(_("Cost"), "monetary", total=True),
                XlsxColumn(_("Covered Amount"), "monetary", total=True),
            ],
            self._covered_line_rows(domain, no_manufacturer),
            total_label=_("Total"),
        )
        report.write_sheet(
            _("Supplier Claims"),
            [
                XlsxColumn(_("Supplier"), width=26),
                XlsxColumn(_("Claim"), width=14),
                XlsxColumn(_("Status"), width=12),
                XlsxColumn(_("Serial Number"), width=16),
                XlsxColumn(_("Product"), width=24),
                XlsxColumn(_("Ticket"), width=30),
                XlsxColumn(_("Covered Until"), "date"),
                XlsxColumn(_("Claims"), "integer", total=True),
                XlsxColumn(_("Claimed"), "monetary", total=True),
                XlsxColumn(_("Credited"), "monetary", total=True),
                XlsxColumn(_("Due"), "monetary", total=True),
                XlsxColumn(_("Credit Status"), width=18),
            ],
            self._claim_rows(claim_domain),
            total_label=_("Total"),
        )

    def _covered_line_rows(self, domain, no_manufacturer):
        line_types = self._selection_labels("aftersales.visit.line", "line_type")
        field_names = ["visit_id", "visit_date", "lot_id", "unit_product_id", "line_type", "product_id", "quantity"]
        field_names += ["cost_amount", "covered_amount"]
        for lines in self._iter_chunks("aftersales.visit.line", domain, field_names):
            manufacturers = self._manufacturers(lines.unit_product_id)
            for line in lines:
                manufacturer = manufacturers.get(line.unit_product_id)
                yield [
                    manufacturer.display_name if manufacturer else no_manufacturer,
                    line.visit_date,
                    line.visit_id.name,
                    line.visit_id.ticket_id.display_name,
                    line.lot_id.name,
                    line.unit_product_id.display_name,
                    line_types.get(line.line_type),
                    line.product_id.display_name,
                    line.quantity,
                    line.cost_amount,
                    line.covered_amount,
                ]

    def _claim_rows(self, claim_domain):
        claim_states = self._selection_labels("aftersales.supplier.claim", "state")
        credit_states = self._selection_labels("aftersales.supplier.claim", "credit_state")
        field_names = ["partner_id", "name", "state", "lot_id", "product_id", "ticket_id", "supplier_warranty_end"]
        field_names += ["amount_claimed", "amount_credited", "amount_due", "credit_state"]
        for claims in self._iter_chunks("aftersales.supplier.claim", claim_domain, field_names):
            for claim in claims:
                yield [
                    claim.partner_id.display_name,
                    claim.name,
                    claim_states.get(claim.state),
                    claim.lot_id.name,
                    claim.product_id.display_name,
                    claim.ticket_id.display_name,
                    claim.supplier_warranty_end,
                    1,
                    claim.amount_claimed,
                    claim.amount_credited,
                    claim.amount_due,
                    credit_states.get(claim.credit_state),
                ]
