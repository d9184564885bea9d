"""Returns received before the inspection decisions: their lines count their units from their moves,
and the decisions already applied become inspection decisions on the units received."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    # the decisions first: linking the moves recomputes whether the lines are inspected
    _convert_applied_decisions(env)
    _link_return_moves(env)
    env["stock.warehouse"]._aftersales_install_inspection_locations()


def _link_return_moves(env):
    """The moves of Odoo's returns of a delivery receive the line of their returned move, when one line
    of the return returns it (the units of several lines on one move stay counted as they were)."""
    rmas = env["aftersales.rma"].search([("direction", "=", "customer"), ("return_picking_ids", "!=", False)])
    for rma in rmas:
        moves = rma.return_picking_ids.move_ids.filtered(
            lambda m: not m.aftersales_rma_line_id and m.origin_returned_move_id
        )
        for move in moves:
            lines = rma.line_ids.filtered(lambda line, move=move: line.move_id == move.origin_returned_move_id)
            if len(lines) == 1:
                move.aftersales_rma_line_id = lines


def _convert_applied_decisions(env):
    lines = env["aftersales.rma.line"].search(
        [
            ("rma_id.direction", "=", "customer"),
            ("decision_applied", "=", True),
            ("decision", "!=", False),
            ("inspection_ids", "=", False),
            ("qty_received", ">", 0),
        ]
    )
    env["aftersales.rma.inspection"].create(
        [
            {
                "rma_line_id": line.id,
                "quantity": line.qty_received,
                "lot_id": line.lot_id.id,
                "condition": line.condition,
                "decision": line.decision,
                "applied": True,
                "scrap_id": line.scrap_id.id,
                "repair_order_id": line.repair_order_id.id,
                "repair_ticket_id": line.repair_ticket_id.id,
                "picking_id": line.out_picking_ids.filtered(lambda p: p.state != "cancel")[:1].id
                if line.decision == "customer"
                else False,
            }
            for line in lines
        ]
    )
