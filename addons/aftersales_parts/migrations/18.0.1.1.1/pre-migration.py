"""Fields added to our own models lose the ``aftersales_`` prefix: their data is kept."""

from odoo.addons.aftersales_service.tools.migration import rename_fields


def migrate(cr, version):
    if not version:
        return
    rename_fields(
        cr,
        "aftersales_parts",
        "aftersales.supplier.claim",
        {"aftersales_rma_line_ids": "rma_line_ids", "aftersales_rma_id": "rma_id"},
    )
    rename_fields(
        cr,
        "aftersales_parts",
        "aftersales.technician",
        {
            "aftersales_workshop": "workshop",
            "aftersales_van_location_id": "van_location_id",
            "aftersales_warehouse_id": "warehouse_id",
        },
    )
    rename_fields(
        cr,
        "aftersales_parts",
        "aftersales.visit",
        {
            "aftersales_carry_in_ids": "carry_in_ids",
            "aftersales_carry_in_id": "carry_in_id",
            "aftersales_workshop": "workshop",
            "aftersales_part_ids": "part_ids",
            "aftersales_parts_request_ids": "parts_request_ids",
            "aftersales_picking_ids": "picking_ids",
            "aftersales_picking_count": "picking_count",
            "aftersales_suggested_part_ids": "suggested_part_ids",
        },
    )
    rename_fields(cr, "aftersales_parts", "aftersales.visit.line", {"aftersales_part_ids": "part_ids"})
    rename_fields(
        cr,
        "aftersales_parts",
        "aftersales.ticket",
        {"aftersales_rma_ids": "rma_ids", "aftersales_rma_count": "rma_count"},
    )
