from . import test_rma
from . import test_parts
from . import test_rma_portal
from . import test_rma_resolution
from . import test_rma_report
from . import test_rma_ui
from . import test_rma_dealer
from . import test_unit_history
