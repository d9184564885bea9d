{
    "name": "After-Sales Parts and RMA",
    "version": "18.0.1.0.0",
    "category": "Services/After-Sales",
    "summary": "Spare parts for technicians, defective parts and return authorizations",
    "author": "After-Sales for Odoo",
    "website": "https://github.com/aftersales-odoo/aftersales",
    "license": "LGPL-3",
    "depends": ["aftersales_warranty"],
    "data": [],
}
