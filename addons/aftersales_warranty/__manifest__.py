{
    "name": "After-Sales Warranty",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Warranties by serial number, coverage on tickets, service contracts",
    "author": "After-Sales for Odoo",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["aftersales_service"],
    "data": [
        "security/ir.model.access.csv",
        "security/aftersales_warranty_rules.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/aftersales_warranty_policy_views.xml",
        "views/aftersales_warranty_views.xml",
        "views/aftersales_ticket_views.xml",
        "views/aftersales_warranty_menus.xml",
    ],
    "demo": [
        "demo/aftersales_warranty_demo.xml",
    ],
}
