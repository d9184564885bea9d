from . import portal
from . import partner_portal
from . import knowledge_portal
from . import care
from . import partner_dispute
