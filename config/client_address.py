"""The client's address, as throttles, lockout and logs should count it.

Behind TRUSTED_PROXY_COUNT proxies, each of which appends the address it received from to
X-Forwarded-For, the client is the TRUSTED_PROXY_COUNT-th entry from the right: anything left of
it was written by the client and may be forged. With 0 (no proxy), REMOTE_ADDR is the client
and the header is ignored. DRF's throttles run with NUM_PROXIES = 0 and django-axes reads
REMOTE_ADDR, so both count the address set here."""

from django.conf import settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_address(meta: dict, trusted_proxies: int) -> str:
    remote = meta.get("REMOTE_ADDR", "")
    if trusted_proxies <= 0:
        return remote
    entries = [part.strip() for part in meta.get(FORWARDED_FOR, "").split(",") if part.strip()]
    if not entries:
        return remote
    # Fewer entries than proxies: the request came past fewer proxies than configured (or
    # from inside); the leftmost is still one a trusted proxy wrote.
    return entries[-min(trusted_proxies, len(entries))]


def axes_client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE: the address ClientAddressMiddleware settled on."""
    return request.META.get("REMOTE_ADDR", "")


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_address(request.META, settings.TRUSTED_PROXY_COUNT)
        return self.get_response(request)
