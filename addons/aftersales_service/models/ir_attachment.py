import base64

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype

from ..tools.portal_upload import check_upload_quota


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _aftersales_portal_uploader(self):
        """Whether the files are sent by a portal user (not a visitor, not an employee): also under
        sudo, as the portal routes create them."""
        user = self.env.user
        return user.share and not user._is_public()

    def _check_contents(self, values):
        # a portal user's file is typed by what it holds, never by the name or type it was sent with;
        # the markup safeguards of the standard check apply after
        if self._aftersales_portal_uploader() and (values.get("raw") or values.get("datas")):
            raw = values.get("raw") or base64.b64decode(values["datas"])
            if isinstance(raw, str):
                raw = raw.encode()
            values["mimetype"] = guess_mimetype(raw, default="application/octet-stream")
        return super()._check_contents(values)

    @api.model_create_multi
    def create(self, vals_list):
        if self._aftersales_portal_uploader():
            self._aftersales_check_portal_quota(vals_list)
        return super().create(vals_list)

    @api.model
    def _aftersales_check_portal_quota(self, vals_list):
        """A portal user sends at most so many files an hour on the after-sales documents, whatever the
        route (our forms, the chatter of the portal), counted from the files they created."""
        count = sum(
            1
            for vals in vals_list
            if not vals.get("res_field")
            and (
                (vals.get("res_model") or "").startswith("aftersales.")
                or vals.get("res_model") == "mail.compose.message"
            )
        )
        if count:
            error = check_upload_quota(self.env, count)
            if error:
                raise UserError(error)
