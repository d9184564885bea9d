from . import aftersales_rma_report
from . import aftersales_sell_through_report

# last: the unit history's view reads the tables of the models
from . import aftersales_unit_event
