"""Gunicorn settings for bench/pages.py: the command line gives bind and workers; no access log
(it would cost the server time that is not the page's)."""

accesslog = None
errorlog = "-"
loglevel = "warning"
