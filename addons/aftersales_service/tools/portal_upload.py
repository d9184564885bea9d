"""Files sent from the portal: read within a size limit, typed by their content, within an hourly cap."""

from datetime import timedelta

from odoo import _, fields
from odoo.tools.mimetypes import guess_mimetype

IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
DOCUMENT_MIMETYPES = (*IMAGE_MIMETYPES, "application/pdf")
MAX_UPLOAD_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_COUNT = 10
# files a portal user may send in an hour, over all the portal forms
MAX_UPLOADS_PER_HOUR = 50


def read_portal_uploads(
    uploads,
    allowed_mimetypes=DOCUMENT_MIMETYPES,
    max_size=MAX_UPLOAD_SIZE,
    max_count=MAX_UPLOAD_COUNT,
    env=None,
    max_per_hour=MAX_UPLOADS_PER_HOUR,
):
    """Read the files of a portal form.

    ``uploads`` is a list of werkzeug ``FileStorage`` (``request.httprequest.files.getlist(name)``).
    The type is guessed from the content, never from the name or the browser's header. A file is
    never read past ``max_size + 1`` bytes. Returns ``(files, errors)``: ``files`` is a list of
    ``(filename, content, mimetype)`` for the accepted files, ``errors`` a list of messages for
    the customer, one per refused file.

    With ``env`` (the request's, as the portal user), the files the user stored in the last hour
    count against ``max_per_hour``: over the cap, no file is accepted.
    """
    files, errors = [], []
    for upload in uploads:
        if not upload or not upload.filename:
            continue
        if len(files) >= max_count:
            errors.append(_("Send at most %(count)s files at once.", count=max_count))
            break
        content = upload.stream.read(max_size + 1)
        if len(content) > max_size:
            errors.append(
                _(
                    "The file %(name)s is larger than %(size)s MB.",
                    name=upload.filename,
                    size=max_size // (1024 * 1024),
                )
            )
            continue
        if not content:
            errors.append(_("The file %(name)s is empty.", name=upload.filename))
            continue
        mimetype = guess_mimetype(content, default="application/octet-stream")
        if mimetype not in allowed_mimetypes:
            errors.append(
                _(
                    "The file %(name)s is not accepted: send a picture or a PDF document.",
                    name=upload.filename,
                )
                if "application/pdf" in allowed_mimetypes
                else _("The file %(name)s is not accepted: send a picture.", name=upload.filename)
            )
            continue
        files.append((upload.filename, content, mimetype))
    if files and env is not None:
        quota_error = check_upload_quota(env, len(files), max_per_hour)
        if quota_error:
            return [], errors + [quota_error]
    return files, errors


def check_upload_quota(env, count, max_per_hour=MAX_UPLOADS_PER_HOUR):
    """A message for the user when ``count`` more files would pass the hourly cap, else ``None``.

    Counted from the attachments the user created in the last hour (the portal routes create
    them as superuser, with the user as their author).
    """
    since = fields.Datetime.now() - timedelta(hours=1)
    sent = (
        env["ir.attachment"]
        .sudo()
        .search_count([("create_uid", "=", env.uid), ("create_date", ">=", since)], limit=max_per_hour + 1)
    )
    if sent + count <= max_per_hour:
        return None
    return _(
        "You have sent %(sent)s files in the last hour; at most %(max)s files an hour are accepted. "
        "Send the others a little later.",
        sent=sent,
        max=max_per_hour,
    )


def attach_uploads(record, files):
    """Attach the checked ``files`` (``(name, content, mimetype)`` from :func:`read_portal_uploads`) to
    ``record``, a document the portal route already checked the user's access to. Returns the attachments."""
    # sudo: portal users create no attachments by themselves; the route checked the document and the files
    return (
        record.env["ir.attachment"]
        .sudo()
        .create(
            [
                {"name": name, "raw": content, "mimetype": mimetype, "res_model": record._name, "res_id": record.id}
                for name, content, mimetype in files
            ]
        )
    )
