from . import test_warranty
from . import test_warranty_registration
from . import test_coverage
from . import test_warranty_portal
from . import test_supplier_warranty
from . import test_contract
from . import test_contract_portal
from . import test_unit_history
