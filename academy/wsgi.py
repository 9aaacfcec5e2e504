import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
application = get_wsgi_application()

# What is loaded now (Django, the apps, the URLs' modules) lives as long as the web process: keep
# it out of the cycle collector. Each full collection walked all of it, 37-48 ms with the request
# waiting (gunicorn workers, bench/incidents.py's storm), a few times a minute under load.
gc.collect()
gc.freeze()
