"""gunicorn settings of the web process (Procfile: `gunicorn --config gunicorn.conf.py ...`).

The access log names the path without its query string, and not the Referer: a query can carry
a store's one-time credential (Shopify's id_token, the plugin's wc_token, a page handoff code,
an OAuth code, state or hmac), and a Referer repeats a page's URL with its query.
"""

# remote address, time, method, path (no query), protocol, status, bytes, seconds, user agent
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
