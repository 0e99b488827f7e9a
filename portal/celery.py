"""Celery application. Tasks live in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

PUBLISH_TIMEOUT = 0.5  # seconds a web request may wait to hand a message to a network broker
_producer: Celery | None = None


def producer() -> Celery:
    """The app the web process publishes with: the worker's configuration, but a network broker
    gets only :data:`PUBLISH_TIMEOUT` seconds to answer (a worker needs longer timeouts for its
    blocking reads). A message not handed over is picked up later by a periodic sweep."""
    global _producer
    target = app.conf.broker_write_url or app.conf.broker_url
    if _producer is None or _producer.conf.broker_write_url != target:
        publisher = Celery("portal-producer", set_as_current=False)
        publisher.config_from_object("django.conf:settings", namespace="CELERY")
        # An explicit write URL: Celery would otherwise prefer the CELERY_BROKER_URL environment
        # variable over the URL the main app is configured with (they differ only in tests).
        publisher.conf.broker_url = publisher.conf.broker_write_url = target
        publisher.conf.task_always_eager = False  # used only when the main app really publishes
        options = dict(app.conf.broker_transport_options or {})
        if not str(target).startswith("filesystem"):
            options.update(socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT, max_retries=0)
        publisher.conf.broker_transport_options = options
        _producer = publisher
    return _producer


def _patch_kombu_closed_connection() -> None:
    """kombu 5.7's Redis channel, closing after the broker dropped the connection, tries to put
    its unacknowledged messages back through a pool it has just disconnected; the connection
    details are gone by then and it raises ``AttributeError('NoneType' ... 'hostname')``, which
    Celery treats as unrecoverable: the worker exits and delivers nothing until restarted. Raising
    the connection error it really is lets Celery log it and reconnect; the messages stay in Redis's
    unacked set and are redelivered after the visibility timeout (docs/reliability.md).
    """
    try:
        from kombu.transport import redis as kombu_redis
        from redis.exceptions import ConnectionError as RedisConnectionError
    except ImportError:  # pragma: no cover - the redis client is a requirement
        return
    original = kombu_redis.Channel._connparams
    if getattr(original, "_portal_patched", False):
        return

    def _connparams(self, asynchronous=False):
        if getattr(self.connection, "client", None) is None:
            raise RedisConnectionError("the broker connection is already closed")
        return original(self, asynchronous=asynchronous)

    _connparams._portal_patched = True
    kombu_redis.Channel._connparams = _connparams


_patch_kombu_closed_connection()
