from . import aftersales_warranty_transfer
from . import aftersales_warranty_reject
