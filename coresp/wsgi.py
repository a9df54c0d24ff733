import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coresp.settings")
application = get_wsgi_application()

from coresp.celery import announce_task_mode  # noqa: E402  (after Django is set up)

announce_task_mode()
