import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.production import require_safe_settings  # noqa: E402  (settings must be loaded first)

require_safe_settings()
