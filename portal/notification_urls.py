"""The notification centre, included by portal/urls.py under /notifikasi/."""

from django.urls import path

from portal.views import notifications

app_name = "notifications"
urlpatterns = [
    path("", notifications.notification_list, name="list"),
    path("baca-semua/", notifications.notification_read_all, name="read-all"),
    path("<int:pk>/baca/", notifications.notification_read, name="read"),
    path("<int:pk>/buka/", notifications.notification_open, name="open"),
]
