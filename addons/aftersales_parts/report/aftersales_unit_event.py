from odoo import api, fields, models
from odoo.tools import SQL


class AftersalesUnitEvent(models.Model):
    _inherit = "aftersales.unit.event"
    _depends = {
        "aftersales.visit.part": ["visit_id", "removed", "lot_id", "product_id"],
        "aftersales.rma.line": ["lot_id", "rma_id", "refund_line_ids"],
        "aftersales.rma": ["state", "date", "name", "partner_id", "company_id", "branch_id"],
        "stock.picking": ["aftersales_rma_id"],
        "account.move": ["state", "invoice_date", "name", "partner_id", "company_id"],
        "account.move.line": ["move_id"],
        "product.product": ["default_code", "product_tmpl_id"],
        "product.template": ["name"],
        "aftersales.carry.in": [
            "lot_id",
            "received_date",
            "collected_date",
            "state",
            "name",
            "partner_id",
            "company_id",
            "branch_id",
        ],
        "stock.warehouse": ["aftersales_carry_in_location_id"],
    }

    kind = fields.Selection(
        selection_add=[
            ("visit_done",),
            ("part_removed", "Part Removed"),
            ("part_fitted", "Part Fitted"),
            ("removed_from_unit", "Removed from a Unit"),
            ("fitted_in_unit", "Fitted in a Unit"),
            ("ticket_close",),
            ("rma_request", "Return Requested"),
            ("rma_receive", "Return Received"),
            ("rma_refund", "Return Refunded"),
            ("carry_in_received", "Received at the Service Centre"),
            ("carry_in_collected", "Collected from the Service Centre"),
        ],
        ondelete={
            "part_removed": "cascade",
            "part_fitted": "cascade",
            "removed_from_unit": "cascade",
            "fitted_in_unit": "cascade",
            "rma_request": "cascade",
            "rma_receive": "cascade",
            "rma_refund": "cascade",
            "carry_in_received": "cascade",
            "carry_in_collected": "cascade",
        },
    )

    @api.model
    def _event_branches(self):
        branches = super()._event_branches()
        branches["aftersales.rma"] = SQL("SELECT branch_id FROM aftersales_rma WHERE id = src.res_id")
        branches["aftersales.carry.in"] = SQL("SELECT branch_id FROM aftersales_carry_in WHERE id = src.res_id")
        return branches

    @api.model
    def _event_return_where(self):
        # receipts of returns are told by the return itself, those of carry-in units by their stay
        return SQL("sp.aftersales_rma_id IS NULL AND NOT %s", self._event_carry_in_location("dest"))

    @api.model
    def _event_delivery_where(self):
        # a carry-in unit going back to its owner is told by its stay
        return SQL("%s AND NOT %s", super()._event_delivery_where(), self._event_carry_in_location("src"))

    @api.model
    def _event_carry_in_location(self, alias):
        """Whether the location ``alias`` of the query is a service centre's carry-in location."""
        return SQL(
            "EXISTS (SELECT 1 FROM stock_warehouse ci_wh WHERE ci_wh.aftersales_carry_in_location_id = %s.id)",
            SQL.identifier(alias),
        )

    @api.model
    def _event_queries(self):
        queries = super()._event_queries()
        visit, rma = "aftersales.visit", "aftersales.rma"
        part_name = SQL("COALESCE(pp.default_code, pt.name->>'en_US') || COALESCE(' ' || part_lot.name, '')")
        parts = SQL(
            """
              FROM aftersales_visit_part vp
              JOIN aftersales_visit v ON v.id = vp.visit_id
              JOIN aftersales_ticket t ON t.id = v.ticket_id
              JOIN product_product pp ON pp.id = vp.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN stock_lot part_lot ON part_lot.id = vp.lot_id
              LEFT JOIN stock_lot unit_lot ON unit_lot.id = t.lot_id
             WHERE v.state = 'done'
            """
        )
        queries += [
            (
                40,
                "part_removed",
                SQL(
                    """
                    SELECT vp.id, COALESCE(v.check_out, v.scheduled_end), t.lot_id, %(part)s, %(visit)s, v.id,
                           v.partner_id, v.company_id
                      %(parts)s AND vp.removed AND t.lot_id IS NOT NULL
                    """,
                    part=part_name,
                    visit=visit,
                    parts=parts,
                ),
            ),
            (
                41,
                "part_fitted",
                SQL(
                    """
                    SELECT vp.id, COALESCE(v.check_out, v.scheduled_end), t.lot_id, %(part)s, %(visit)s, v.id,
                           v.partner_id, v.company_id
                      %(parts)s AND NOT COALESCE(vp.removed, FALSE) AND t.lot_id IS NOT NULL
                    """,
                    part=part_name,
                    visit=visit,
                    parts=parts,
                ),
            ),
            (
                42,
                "removed_from_unit",
                SQL(
                    """
                    SELECT vp.id, COALESCE(v.check_out, v.scheduled_end), vp.lot_id,
                           COALESCE(unit_lot.name, t.reference), %(visit)s, v.id, v.partner_id, v.company_id
                      %(parts)s AND vp.removed AND vp.lot_id IS NOT NULL
                    """,
                    visit=visit,
                    parts=parts,
                ),
            ),
            (
                43,
                "fitted_in_unit",
                SQL(
                    """
                    SELECT vp.id, COALESCE(v.check_out, v.scheduled_end), vp.lot_id,
                           COALESCE(unit_lot.name, t.reference), %(visit)s, v.id, v.partner_id, v.company_id
                      %(parts)s AND NOT COALESCE(vp.removed, FALSE) AND vp.lot_id IS NOT NULL
                    """,
                    visit=visit,
                    parts=parts,
                ),
            ),
            (
                44,
                "rma_request",
                SQL(
                    """
                    SELECT rl.id, r.date + r.create_date::time, rl.lot_id, r.name, %(rma)s, r.id,
                           r.partner_id, r.company_id
                      FROM aftersales_rma_line rl
                      JOIN aftersales_rma r ON r.id = rl.rma_id
                     WHERE rl.lot_id IS NOT NULL AND r.state != 'cancelled'
                    """,
                    rma=rma,
                ),
            ),
            (
                45,
                "rma_receive",
                SQL(
                    """
                    SELECT sml.id, sml.date, sml.lot_id, r.name || ' / ' || sp.name, %(rma)s, r.id,
                           r.partner_id, sml.company_id
                      FROM stock_move_line sml
                      JOIN stock_picking sp ON sp.id = sml.picking_id
                      JOIN aftersales_rma r ON r.id = sp.aftersales_rma_id
                      JOIN stock_location src ON src.id = sml.location_id
                     WHERE sml.lot_id IS NOT NULL AND sml.state = 'done' AND src.usage = 'customer'
                    """,
                    rma=rma,
                ),
            ),
            (
                46,
                "rma_refund",
                SQL(
                    """
                    SELECT aml.id, am.invoice_date + am.create_date::time, rl.lot_id, am.name, %(move)s, am.id,
                           am.partner_id, am.company_id
                      FROM aftersales_rma_line rl
                      JOIN aftersales_rma_line_refund_rel rel ON rel.rma_line_id = rl.id
                      JOIN account_move_line aml ON aml.id = rel.move_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE rl.lot_id IS NOT NULL AND am.state = 'posted'
                    """,
                    move="account.move",
                ),
            ),
            (
                50,
                "carry_in_received",
                SQL(
                    """
                    SELECT ci.id, ci.received_date, ci.lot_id, ci.name, %(carry_in)s, ci.id, ci.partner_id,
                           ci.company_id
                      FROM aftersales_carry_in ci
                     WHERE ci.lot_id IS NOT NULL AND ci.received_date IS NOT NULL
                    """,
                    carry_in="aftersales.carry.in",
                ),
            ),
            (
                51,
                "carry_in_collected",
                SQL(
                    """
                    SELECT ci.id, ci.collected_date, ci.lot_id, ci.name, %(carry_in)s, ci.id, ci.partner_id,
                           ci.company_id
                      FROM aftersales_carry_in ci
                     WHERE ci.lot_id IS NOT NULL AND ci.collected_date IS NOT NULL AND ci.state = 'collected'
                    """,
                    carry_in="aftersales.carry.in",
                ),
            ),
        ]
        return queries
