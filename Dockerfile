# Odoo 18.0 Community with the after-sales addons (used by docker-compose.yml: `build: .`).
#
#   docker compose build        # after every change of the addons
#
# The addons go where odoo.conf's addons_path looks first, /mnt/extra-addons; the Python
# packages their manifests declare (external_dependencies) are installed with pip. Odoo itself
# and its own Python packages come with the official image.
FROM odoo:18.0

USER root

COPY --chown=odoo:odoo addons /mnt/extra-addons

# One list of Python packages: the manifests'. The image's Debian packages already satisfy
# most of them (xlsxwriter), and pip then leaves them as they are.
RUN set -eu; \
    deps="$(python3 -c 'import ast, glob; print(" ".join(sorted({d for m in glob.glob("/mnt/extra-addons/*/__manifest__.py") for d in ast.literal_eval(open(m).read()).get("external_dependencies", {}).get("python", [])})))')"; \
    if [ -n "$deps" ]; then pip3 install --no-cache-dir --break-system-packages $deps; fi; \
    find /mnt/extra-addons -name __pycache__ -prune -exec rm -rf {} +

USER odoo
