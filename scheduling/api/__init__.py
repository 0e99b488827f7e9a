"""The REST API of scheduling (``/api/v1/``): ``requests`` (request days, decisions, history),
``coverage`` (coverage, inbox, team calendar), ``policies`` (coverage policies, FWA windows) and
``serializers`` (the shapes of request days)."""
