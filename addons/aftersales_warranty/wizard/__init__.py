from . import aftersales_warranty_transfer
