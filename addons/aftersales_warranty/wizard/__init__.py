from . import aftersales_warranty_reject
