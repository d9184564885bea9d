from . import aftersales_visit_plan
