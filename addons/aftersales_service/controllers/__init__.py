from . import portal
from . import partner_portal
from . import knowledge_portal
from . import care
from . import bulletin_portal
from . import scorecard_portal
from . import partner_dispute
