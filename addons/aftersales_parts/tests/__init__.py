from . import test_parts
