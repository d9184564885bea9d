from . import test_warranty
from . import test_contract
