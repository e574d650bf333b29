"""ASGI entry point. Not used for serving: measured here, Django views under an ASGI server are 5–8× slower
than under gunicorn sync workers (docs/decisions/0002-serving.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
application = get_asgi_application()
