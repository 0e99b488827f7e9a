"""Reads of attendance, each answered once for the pages, the API and the workers:
``presence`` (day statuses, punches and corrections as each actor may see them), ``reports``
(the report row generators behind every table and file) and ``staffing`` (the daily staffing
dataset and its roll-ups)."""
