from . import aftersales_sell_through_report
