# The CO-RESP image: one image for the web server (gunicorn), the Celery worker and beat.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    PRIVATE_MEDIA_ROOT=/data/private

# WeasyPrint's libraries and the fonts the PDF reports use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The runtime dependencies from pyproject.toml at the versions pinned in requirements.lock; the dev
# group (pytest, playwright, mypy, ruff) stays out of the image.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.in \
    && pip install -r /tmp/requirements.in -c requirements.lock \
    && rm /tmp/requirements.in

# A home directory, because gunicorn keeps its control socket in ~/.gunicorn.
RUN useradd --create-home --uid 10001 --user-group coresp

# The code belongs to root and is read-only for the app; only these folders are writable. A named
# volume mounted on /data/private starts with this ownership.
COPY . .
RUN mkdir -p /app/var /app/staticfiles /data/private \
    && chown coresp:coresp /app/var /app/staticfiles /data/private

USER coresp

# The key only lets the settings load; nothing is signed at build time.
RUN SECRET_KEY=collectstatic-build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "coresp.wsgi", "-c", "gunicorn.conf.py"]
