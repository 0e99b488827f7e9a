"""The REST API of attendance (``/api/v1/``): ``presence`` (check-in/out, day statuses,
corrections), ``exports`` (report export jobs) and ``staffing`` (the daily staffing dataset)."""
