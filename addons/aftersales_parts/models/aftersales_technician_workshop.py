from odoo import fields, models


class AftersalesTechnician(models.Model):
    _inherit = "aftersales.technician"  # pylint: disable=consider-merging-classes-inherited

    workshop = fields.Boolean(
        string="Works at the Service Centre",
        tracking=True,
        help="A workshop technician repairs the units customers bring to the service centre: the workshop jobs "
        "go to him by skill and load, and the field dispatch never sends him on the road.",
    )

    def _open_workshop_jobs(self):
        """The number of open workshop jobs of each technician: ``{technician id: count}``."""
        if not self:
            return {}
        # sudo: the load of every candidate counts, whoever may read his jobs
        groups = (
            self.env["aftersales.visit"]
            .sudo()
            ._read_group(
                [
                    ("technician_id", "in", self.ids),
                    ("workshop", "=", True),
                    ("state", "not in", ("done", "cancel")),
                ],
                ["technician_id"],
                ["__count"],
            )
        )
        return {technician.id: count for technician, count in groups}
