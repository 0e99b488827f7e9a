"""Page-number pagination for every list endpoint.

Answers ``{"count", "next", "previous", "results"}``; ``?page=N`` (from 1) and
``?page_size=N`` (default ``REST_FRAMEWORK["PAGE_SIZE"]``, at most 500). A page past
the end is a 404 in the standard error envelope.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = _("Halaman tidak ditemukan.")
