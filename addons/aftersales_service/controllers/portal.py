# The customer portal of service tickets.
