import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: incidents' models and settings are read at import.
from incidents.wsgi import refusing_known_senders  # noqa: E402

# A storm of incident reports from senders already refused is answered before Django.
application = refusing_known_senders(django_application)

# What is loaded now (Django, the apps, the URLs' modules) lives as long as the web process: keep
# it out of the cycle collector. Each full collection walked all of it, 37-48 ms with the request
# waiting (gunicorn workers, bench/incidents.py's storm), a few times a minute under load.
gc.collect()
gc.freeze()
