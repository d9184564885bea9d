# Filled in by the portal and tour work.
