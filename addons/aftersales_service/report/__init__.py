from . import report_ticket
from . import report_visit_slip
