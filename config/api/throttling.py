"""Throttles that fail open: when the cache (Redis) is unreachable, a request is let through
with one warning in the log instead of failing with a 500. Signing in must keep working while
Redis is down; the lockout (django-axes, in the database) still limits guessing."""

import logging

from rest_framework.throttling import ScopedRateThrottle

logger = logging.getLogger(__name__)


class FailOpenScopedRateThrottle(ScopedRateThrottle):
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:  # any cache client error: the throttle is a guard, not a gate
            logger.warning(
                "Throttle %r not applied: the cache is unavailable (%s: %s)",
                getattr(view, "throttle_scope", None),
                type(error).__name__,
                error,
            )
            return True
