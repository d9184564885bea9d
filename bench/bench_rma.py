"""Benchmark of return authorizations beside Odoo's own return and refund; runs inside Odoo.

``bench/run rma`` starts this script with Odoo's Python on a database where
``aftersales_parts`` is installed without demo data. It sells, delivers and invoices
``--rmas`` orders of 5 units (with a 15% tax), committed once. Then, as the
administrator (access rights and record rules apply), for each batch size, on the same
orders and rolled back after each measure:

* **core**: what a user does with Odoo alone: the return wizard of each delivery for 2
  units (``to_refund``), the return receipts validated together, the reversal wizard on
  the invoices, and the credit notes' quantities set to the 2 returned units;
* **rma**: the same returns through ``aftersales.rma``: create the RMAs (one line of 2
  units each), approve them (the return receipts), validate the receipts together,
  refund them (credit notes reversing the invoice lines for the received quantities).

Both paths take turns. Results as JSON to ``--output``: seconds, queries, per RMA, and
the ratio of the RMA path to the core path.
"""

import argparse
import json
import sys
import time

import odoo
import odoo.service.server
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tools import config

from bench_tickets import log

TARGET_RATIO = 1.5
# queries per return "constant in the batch size": what each more return costs (the slope
# between consecutive batch sizes) varies by at most this share
TARGET_SLOPE_SPREAD = 0.02


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-arg", action="append", default=[], help="passed to Odoo's config")
    parser.add_argument(
        "--rmas", type=int, default=1000, help="orders, hence RMAs of the largest batch"
    )
    parser.add_argument("--batches", default="1,10,100")
    parser.add_argument("--output", required=True)
    return parser.parse_args(argv)


def create_fixtures(env, count):
    """``count`` orders of 5 units, delivered and invoiced (one invoice per order)."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    tax = env["account.tax"].create(
        {"name": "Bench 15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "sale"}
    )
    product = env["product.product"].create(
        {
            "name": "Bench returnable box",
            "is_storable": True,
            "list_price": 100.0,
            "invoice_policy": "delivery",
            "taxes_id": [Command.set(tax.ids)],
        }
    )
    env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5.0 * count)
    customer = env["res.partner"].create({"name": "Bench Returns Customer", "is_company": True})
    reason = env.ref("aftersales_parts.rma_reason_defective")
    orders = env["sale.order"]
    for start in range(0, count, 200):
        batch = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 5.0})
                    ],
                }
                for _index in range(min(200, count - start))
            ]
        )
        batch.action_confirm()
        pickings = batch.picking_ids
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.with_context(skip_sms=True).button_validate()
        invoices = batch._create_invoices(grouped=True)
        invoices.action_post()
        orders |= batch
        env.cr.commit()
        log(f"  {len(orders)} orders sold, delivered and invoiced")
    return orders.ids, reason.id


def core_path(env, orders):
    """Odoo alone: return wizard, receipts validated, reversal wizard, quantities set."""
    receipts = env["stock.picking"]
    for order in orders:
        delivery = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        wizard = (
            env["stock.return.picking"]
            .with_context(
                active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
            )
            .create({})
        )
        wizard.product_return_moves.write({"quantity": 2.0, "to_refund": True})
        action = wizard.action_create_returns()
        receipts |= env["stock.picking"].browse(action["res_id"])
    receipts.move_ids.picked = True
    receipts.with_context(skip_sms=True, cancel_backorder=True).button_validate()
    invoices = orders.invoice_ids
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoices.ids)
        .create({"journal_id": invoices[0].journal_id.id, "reason": "Returned"})
    )
    reversal.refund_moves()
    refunds = invoices.reversal_move_ids
    for refund in refunds:
        refund.invoice_line_ids.filtered(lambda line: line.display_type == "product").quantity = 2.0
    return len(refunds)


def rma_path(env, orders, reason_id):
    """The same returns through aftersales.rma."""
    vals_list = []
    for order in orders:
        move = order.order_line.move_ids.filtered(lambda m: m.picking_code == "outgoing")
        vals_list.append(
            {
                "partner_id": order.partner_id.id,
                "sale_order_id": order.id,
                "picking_id": move.picking_id.id,
                "invoice_id": order.invoice_ids.id,
                "line_ids": [
                    Command.create(
                        {
                            "product_id": move.product_id.id,
                            "move_id": move.id,
                            "invoice_line_id": move.sale_line_id.invoice_lines[:1].id,
                            "quantity": 2.0,
                            "reason_id": reason_id,
                            "resolution": "refund",
                        }
                    )
                ],
            }
        )
    rmas = env["aftersales.rma"].create(vals_list)
    rmas.action_approve()
    receipts = rmas.return_picking_ids
    receipts.move_ids.picked = True
    receipts.with_context(skip_sms=True, cancel_backorder=True).button_validate()
    # refunded on receipt, before the inspection: the reason the refund window asks for
    rmas.with_context(aftersales_refund_reason="Refunded on receipt").action_refund()
    return len(rmas.refund_ids)


def measure(registry, uid, path, order_ids, reason_id):
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})
        orders = env["sale.order"].browse(order_ids)
        env.invalidate_all()
        queries_before = cr.sql_log_count
        started = time.perf_counter()
        refunds = core_path(env, orders) if path == "core" else rma_path(env, orders, reason_id)
        env.flush_all()
        cr.precommit.run()
        seconds = time.perf_counter() - started
        queries = cr.sql_log_count - queries_before
        cr.rollback()
    return {"seconds": seconds, "queries": queries, "refunds": refunds}


def main(argv):
    args = parse_args(argv)
    batches = [int(size) for size in args.batches.split(",") if size.strip()]
    config.parse_config(["--database", args.db, *args.odoo_arg], setup_logging=True)
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)
    count = max(max(batches), args.rmas)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        uid = env.ref("base.user_admin").id
        log(f"fixtures: {count} orders of 5 units")
        order_ids, reason_id = create_fixtures(api.Environment(cr, uid, {}), count)
        cr.commit()
    results = {
        "database": args.db,
        "odoo_version": odoo.release.version,
        "python": sys.version.split()[0],
        "rows": [],
    }
    # warm up both paths
    for path in ("core", "rma"):
        measure(registry, uid, path, order_ids[:2], reason_id)
    for size in batches:
        done = {"core": [], "rma": []}
        for start in range(0, min(args.rmas, len(order_ids)), size):
            chunk = order_ids[start : start + size]
            if len(chunk) < size:
                break
            for path in ("core", "rma"):
                done[path].append(measure(registry, uid, path, chunk, reason_id))
            if size == 1 and len(done["rma"]) >= 100:
                break  # one at a time: 100 are enough to measure
        for path, rows in done.items():
            returns = size * len(rows)
            seconds = sum(row["seconds"] for row in rows)
            queries = sum(row["queries"] for row in rows)
            results["rows"].append(
                {
                    "path": path,
                    "batch_size": size,
                    "returns": returns,
                    "seconds": seconds,
                    "queries": queries,
                    "ms_per_return": seconds / returns * 1000,
                    "queries_per_return": queries / returns,
                    "refunds": sum(row["refunds"] for row in rows),
                }
            )
            log(
                f"  batch {size}, {path}: {returns} returns, {seconds:.1f} s, "
                f"{queries / returns:.1f} q/return"
            )
    by_key = {(row["path"], row["batch_size"]): row for row in results["rows"]}
    results["ratios"] = {
        size: by_key["rma", size]["seconds"] / by_key["core", size]["seconds"] for size in batches
    }
    batch_queries = [by_key["rma", size]["queries_per_return"] * size for size in batches]
    slopes = [
        (batch_queries[index + 1] - batch_queries[index]) / (batches[index + 1] - batches[index])
        for index in range(len(batches) - 1)
    ]
    results["marginal_queries_per_return"] = slopes
    spread = (max(slopes) - min(slopes)) / max(slopes) if slopes else 0.0
    results["targets"] = {
        "ratio": {
            "target": TARGET_RATIO,
            "value": max(results["ratios"].values()),
            "met": max(results["ratios"].values()) <= TARGET_RATIO,
        },
        "marginal_queries_spread": {
            "target": TARGET_SLOPE_SPREAD,
            "value": spread,
            "met": spread <= TARGET_SLOPE_SPREAD,
        },
    }
    results["all_targets_met"] = all(target["met"] for target in results["targets"].values())
    with open(args.output, "w", encoding="utf-8") as output:
        json.dump(results, output, indent=2, default=str)
    odoo.sql_db.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
