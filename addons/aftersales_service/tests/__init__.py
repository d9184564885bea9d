from . import test_placeholder
