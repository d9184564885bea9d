{
    "name": "After-Sales Warranty",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Warranties by serial number, coverage on tickets, service contracts",
    "author": "After-Sales for Odoo",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["aftersales_service"],
    "data": [],
}
