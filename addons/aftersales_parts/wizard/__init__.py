from . import aftersales_rma_reject
from . import aftersales_report_export
from . import aftersales_kpi_overview
from . import aftersales_audit_reason
from . import stock_return_picking
from . import stock_return_picking_line
from . import aftersales_carry_in_refuse
from . import aftersales_visit_plan
