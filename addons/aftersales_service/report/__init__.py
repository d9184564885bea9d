from . import aftersales_ticket_kpi
from . import aftersales_technician_kpi
from . import aftersales_unit_event
from . import aftersales_failure_report
from . import report_ticket
from . import report_visit_slip
