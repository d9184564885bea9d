from . import test_warranty
from . import test_warranty_registration
from . import test_coverage
