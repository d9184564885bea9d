from odoo import _, api, fields, models
from odoo.tools import SQL, float_compare


class AftersalesBatchAlert(models.Model):
    """A batch whose failure rate reached the company's alert rate.

    One alert per product, batch and rate: a batch is never reported twice at
    the same rate, while raising the rate later reports it again.
    """

    _name = "aftersales.batch.alert"
    _description = "Batch Failure Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_name = "batch"
    _check_company_auto = True

    batch = fields.Char(required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", required=True, readonly=True, index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Date(string="Raised on", required=True, readonly=True, default=fields.Date.context_today)
    threshold = fields.Float(string="Alert Rate (%)", required=True, readonly=True)
    failed_units = fields.Integer(readonly=True)
    delivered_units = fields.Integer(readonly=True)
    failure_rate = fields.Float(string="Failure Rate (%)", readonly=True, aggregator="avg")
    user_id = fields.Many2one("res.users", string="Quality Manager", readonly=True, tracking=True)
    note = fields.Html()

    _sql_constraints = [
        (
            "batch_threshold_uniq",
            "unique (company_id, product_id, batch, threshold)",
            "This batch was already reported at this failure rate.",
        ),
    ]

    @api.depends("batch", "product_id")
    def _compute_display_name(self):
        for alert in self:
            alert.display_name = f"{alert.product_id.display_name or ''} / {alert.batch or ''}"

    @api.model
    def _batch_stats(self, company):
        """Failed and delivered units of each batch of ``company``, by ``(product_id, batch)``.

        A serial-tracked unit counts once however many times it failed or was
        delivered; a lot-tracked product counts its tickets and the quantities delivered.
        """
        report = self.env["aftersales.failure.report"]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH failed AS (
                    SELECT r.product_id, r.batch,
                           COUNT(DISTINCT r.lot_id) FILTER (WHERE pt.tracking = 'serial')
                           + COUNT(r.id) FILTER (WHERE pt.tracking != 'serial') AS units
                      FROM aftersales_failure_report r
                      JOIN product_template pt ON pt.id = r.product_tmpl_id
                     WHERE r.company_id = %(company)s AND r.batch IS NOT NULL
                     GROUP BY r.product_id, r.batch
                ), delivered AS (
                    SELECT sml.product_id, %(batch)s AS batch,
                           COUNT(DISTINCT sml.lot_id) FILTER (WHERE pt.tracking = 'serial')
                           + COALESCE(SUM(sml.quantity_product_uom) FILTER (WHERE pt.tracking != 'serial'), 0)
                           AS units
                      FROM stock_move_line sml
                      JOIN stock_lot lot ON lot.id = sml.lot_id
                      JOIN stock_location dest ON dest.id = sml.location_dest_id
                      JOIN stock_location src ON src.id = sml.location_id
                      JOIN product_product pp ON pp.id = sml.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE sml.state = 'done' AND sml.company_id = %(company)s
                       AND dest.usage = 'customer' AND src.usage != 'customer'
                     GROUP BY sml.product_id, 2
                )
                SELECT failed.product_id, failed.batch, failed.units, COALESCE(delivered.units, 0)
                  FROM failed
                  LEFT JOIN delivered ON delivered.product_id = failed.product_id AND delivered.batch = failed.batch
                 ORDER BY failed.product_id, failed.batch
                """,
                company=company.id,
                batch=report._batch_sql("lot", "pt"),
            )
        )
        return {
            (product_id, batch): (int(failed), int(delivered))
            for product_id, batch, failed, delivered in self.env.cr.fetchall()
        }

    @api.model
    def _check_batches(self, companies=None):
        """Raise an alert for each batch whose failure rate reached its company's alert rate."""
        alerts = self.browse()
        for company in companies or self.env["res.company"].search([("aftersales_batch_alert_rate", ">", 0)]):
            threshold = company.aftersales_batch_alert_rate
            if threshold <= 0:
                continue
            minimum = max(company.aftersales_batch_alert_min_units, 1)
            stats = self._batch_stats(company)
            known = {
                (alert.product_id.id, alert.batch)
                for alert in self.search([("company_id", "=", company.id), ("threshold", "=", threshold)])
            }
            vals_list = []
            for (product_id, batch), (failed, delivered) in stats.items():
                if delivered < minimum or (product_id, batch) in known:
                    continue
                rate = 100.0 * failed / delivered
                if float_compare(rate, threshold, precision_digits=4) < 0:
                    continue
                vals_list.append(
                    self._prepare_batch_alert_vals(company, product_id, batch, failed, delivered, rate, threshold)
                )
            if vals_list:
                new_alerts = self.create(vals_list)
                new_alerts._schedule_activity()
                alerts |= new_alerts
        return alerts

    @api.model
    def _prepare_batch_alert_vals(self, company, product_id, batch, failed, delivered, rate, threshold):
        return {
            "company_id": company.id,
            "product_id": product_id,
            "batch": batch,
            "failed_units": failed,
            "delivered_units": delivered,
            "failure_rate": rate,
            "threshold": threshold,
            "user_id": company.aftersales_quality_user_id.id,
        }

    def _schedule_activity(self):
        """The company's quality manager takes the alert, else an after-sales manager of the company; with
        nobody, the alert's chatter says so."""
        for alert in self:
            user = alert.company_id._aftersales_responsible_user(assignee=alert.user_id)
            if not user:
                alert._message_log(
                    body=_(
                        "Nobody could be asked to look at this batch: the company has no quality manager and no "
                        "after-sales manager."
                    )
                )
                continue
            alert.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=_(
                    "Batch %(batch)s of %(product)s: %(rate)s%% of its units failed",
                    batch=alert.batch,
                    product=alert.product_id.display_name,
                    rate=round(alert.failure_rate, 1),
                ),
                note=_(
                    "%(failed)s of the %(delivered)s delivered units of batch %(batch)s failed, "
                    "reaching the alert rate of %(threshold)s%%.",
                    failed=alert.failed_units,
                    delivered=alert.delivered_units,
                    batch=alert.batch,
                    threshold=alert.threshold,
                ),
            )

    @api.model
    def _cron_check_batch_failure_rates(self):
        self._check_batches()

    def action_view_failures(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_failure_report_action")
        action["domain"] = [
            ("company_id", "=", self.company_id.id),
            ("product_id", "=", self.product_id.id),
            ("batch", "=", self.batch),
        ]
        action["context"] = {}
        return action
