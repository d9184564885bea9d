from odoo import models


class ResourceCalendarAttendance(models.Model):
    # the work intervals of the calendars are kept in the registry's cache (see
    # resource.calendar._aftersales_work_intervals)
    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "aftersales.cached.mixin"]
