"""Fields added to our own models lose the ``aftersales_`` prefix: their data is kept."""

from odoo.addons.aftersales_service.tools.migration import rename_fields


def migrate(cr, version):
    if not version:
        return
    rename_fields(
        cr,
        "aftersales_warranty",
        "aftersales.ticket",
        {
            "aftersales_campaign_id": "campaign_id",
            "aftersales_open_campaign_ids": "open_campaign_ids",
            "aftersales_campaign_notice": "campaign_notice",
            "aftersales_job_origin": "job_origin",
            "aftersales_manufacturer_id": "manufacturer_id",
        },
    )
    rename_fields(cr, "aftersales_warranty", "aftersales.warranty", {"aftersales_open_campaign_id": "open_campaign_id"})
    rename_fields(cr, "aftersales_warranty", "aftersales.visit", {"aftersales_campaign_line_ids": "campaign_line_ids"})
