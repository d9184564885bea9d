from . import aftersales_warranty_transfer
from . import aftersales_warranty_reject
from . import aftersales_report_export
from . import aftersales_kpi_overview
from . import aftersales_audit_reason
from . import aftersales_warranty_extend
from . import aftersales_campaign_line_outcome
from . import aftersales_warranty_policy_apply
