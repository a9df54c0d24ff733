"""Docker's health check for the web container: exit 0 when /healthz on this host says "ok".

The request names one of ALLOWED_HOSTS (Django rejects other hosts) and says it came through the
TLS proxy, as real requests do when BEHIND_PROXY=1; a redirect is reported, not followed.
"""

import http.client
import os
import sys


def main() -> int:
    hosts = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    # ".example.org" allows every subdomain and the domain itself; "*" allows anything.
    host = next((h.lstrip(".") for h in hosts if h and h != "*"), "localhost")
    port = int(os.environ.get("PORT", "8000"))
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read(500).decode(errors="replace")
    except OSError as exc:
        print(f"healthz: no answer on port {port}: {exc}")
        return 1
    print(f"healthz: {response.status} {body}")
    if response.status in {301, 302, 307, 308}:
        print("healthz: redirected to HTTPS; behind a TLS proxy set BEHIND_PROXY=1")
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
