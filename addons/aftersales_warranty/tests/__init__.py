from . import test_warranty
from . import test_warranty_portal
from . import test_supplier_warranty
