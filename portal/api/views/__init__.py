"""API views: ``auth`` (token, me) and ``org`` (units, employees)."""
