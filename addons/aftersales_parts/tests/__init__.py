from . import test_rma
from . import test_parts
