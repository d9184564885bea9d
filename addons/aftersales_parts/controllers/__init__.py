from . import rma_portal
