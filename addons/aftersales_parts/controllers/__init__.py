from . import rma_portal
from . import partner_portal
