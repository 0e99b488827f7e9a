"""The Redis cache, made harmless when Redis is down or hung.

Django's ``RedisCache`` raises on a connection error and waits its socket timeout on a hung
server. Everything this project keeps in the cache can be lost or skipped (throttle counters,
coalescing windows), so :class:`ResilientRedisCache` answers as an empty cache instead: a read
misses, a write is dropped, ``add`` reports success (the caller goes ahead: an extra staffing
refresh is better than none). After a failure the breaker skips Redis for a few seconds, so only
the first request in a window pays the timeout (:mod:`portal.resilience`).
"""

from __future__ import annotations

import functools

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from portal.resilience import cache_breaker

FAILURES = (RedisError, OSError)


def _guarded(fallback):
    """Run the cache call through the breaker; on failure return ``fallback(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if not cache_breaker.allow():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except FAILURES as exc:
                cache_breaker.failed(exc)
                return fallback(*args, **kwargs)
            cache_breaker.succeeded()
            return result

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


class ResilientRedisCache(RedisCache):
    get = _guarded(_default)(RedisCache.get)
    get_many = _guarded(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _guarded(lambda *a, **k: False)(RedisCache.has_key)
    set = _guarded(lambda *a, **k: None)(RedisCache.set)
    set_many = _guarded(lambda *a, **k: [])(RedisCache.set_many)
    add = _guarded(lambda *a, **k: True)(RedisCache.add)
    touch = _guarded(lambda *a, **k: False)(RedisCache.touch)
    delete = _guarded(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _guarded(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _guarded(lambda key, delta=1, version=None: delta)(RedisCache.incr)
    clear = _guarded(lambda *a, **k: False)(RedisCache.clear)
