"""The review app's routes, one module per area; shared helpers live in ``_common``."""
