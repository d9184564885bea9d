from . import rma_portal
from . import partner_portal
from . import carry_in_portal
from . import dealer_stock_portal
from . import rma_dealer_portal
