from . import aftersales_supplier_settlement_report

# the campaigns' tables come before the history view that reads them
from . import aftersales_unit_event
from . import aftersales_unit_event_campaign
