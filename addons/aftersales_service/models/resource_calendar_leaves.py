from odoo import models


class ResourceCalendarLeaves(models.Model):
    # the work intervals of the calendars are kept in the registry's cache (see
    # resource.calendar._aftersales_work_intervals)
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "aftersales.cached.mixin"]
