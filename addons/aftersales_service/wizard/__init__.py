from . import aftersales_visit_plan
from . import aftersales_kpi_overview
from . import aftersales_report_export
from . import aftersales_audit_reason
from . import aftersales_visit_correct
from . import aftersales_visit_cancel
from . import aftersales_visit_correct_step
from . import aftersales_quality_draw
