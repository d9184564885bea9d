"""Files sent from the portal: read within a size limit, typed by their content."""

from odoo import _
from odoo.tools.mimetypes import guess_mimetype

IMAGE_MIMETYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
DOCUMENT_MIMETYPES = (*IMAGE_MIMETYPES, "application/pdf")
MAX_UPLOAD_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_COUNT = 10


def read_portal_uploads(
    uploads, allowed_mimetypes=DOCUMENT_MIMETYPES, max_size=MAX_UPLOAD_SIZE, max_count=MAX_UPLOAD_COUNT
):
    """Read the files of a portal form.

    ``uploads`` is a list of werkzeug ``FileStorage`` (``request.httprequest.files.getlist(name)``).
    The type is guessed from the content, never from the name or the browser's header. A file is
    never read past ``max_size + 1`` bytes. Returns ``(files, errors)``: ``files`` is a list of
    ``(filename, content, mimetype)`` for the accepted files, ``errors`` a list of messages for
    the customer, one per refused file.
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
    return files, errors
