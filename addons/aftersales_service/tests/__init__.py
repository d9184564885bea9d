from . import test_ticket
from . import test_sla
from . import test_mail_gateway
from . import test_knowledge
from . import test_visit
from . import test_portal
from . import test_installation
from . import test_ui
