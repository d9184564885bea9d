{
    "name": "After-Sales Service",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Service tickets with SLA deadlines, knowledge base, e-mail and portal",
    "author": "After-Sales for Odoo",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["mail", "portal", "resource", "sale_stock"],
    "data": [],
    "demo": [],
    "application": True,
}
