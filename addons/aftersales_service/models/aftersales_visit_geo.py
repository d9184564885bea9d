"""Where a visit takes place: whether its address is located, and its map."""

from urllib.parse import urlencode

from odoo import api, fields, models

from ..tools.dispatch import partner_point

OSM_URL = "https://www.openstreetmap.org/"


class AftersalesVisitGeo(models.Model):
    _inherit = "aftersales.visit"  # pylint: disable=consider-merging-classes-inherited

    has_coordinates = fields.Boolean(
        string="Located",
        compute="_compute_has_coordinates",
        search="_search_has_coordinates",
        help="Whether the service address has coordinates. Without them the planner counts every trip to it as "
        "100 km: locate the address on the contact (Partner Assignment tab).",
    )
    map_url = fields.Char(
        string="Map",
        compute="_compute_map_url",
        help="The service address on OpenStreetMap: at its coordinates, else searched by its address.",
    )

    @api.depends("partner_id.partner_latitude", "partner_id.partner_longitude")
    def _compute_has_coordinates(self):
        for visit in self:
            visit.has_coordinates = bool(partner_point(visit.partner_id))

    def _search_has_coordinates(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        located = ["|", ("partner_id.partner_latitude", "!=", 0.0), ("partner_id.partner_longitude", "!=", 0.0)]
        if (operator == "=") == bool(value):
            return located
        return [
            ("partner_id.partner_latitude", "in", (0.0, False)),
            ("partner_id.partner_longitude", "in", (0.0, False)),
        ]

    @api.depends("partner_id.partner_latitude", "partner_id.partner_longitude", "partner_id.contact_address")
    def _compute_map_url(self):
        for visit in self:
            point = partner_point(visit.partner_id)
            if point:
                latitude, longitude = point
                visit.map_url = (
                    f"{OSM_URL}?{urlencode({'mlat': latitude, 'mlon': longitude})}#map=17/{latitude}/{longitude}"
                )
            elif visit.partner_id:
                address = ", ".join(
                    part
                    for part in (
                        visit.partner_id.street,
                        visit.partner_id.zip,
                        visit.partner_id.city,
                        visit.partner_id.country_id.name,
                    )
                    if part
                )
                visit.map_url = f"{OSM_URL}search?{urlencode({'query': address})}" if address else False
            else:
                visit.map_url = False
