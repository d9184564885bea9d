from . import aftersales_warranty_policy
from . import aftersales_warranty
from . import product_category
from . import product_template
from . import product_product
from . import aftersales_ticket
