"""The REST API (django-ninja) and the personal API tokens that open it."""
