#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys

# Commands that only read code and the schema never sign a session, token or link, so a
# developer may run them in a fresh checkout without choosing a SECRET_KEY. Everything else
# (runserver, shell, createsuperuser, the seed...) still needs SECRET_KEY or DEBUG=1.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "check", "makemessages",
                    "compilemessages", "spectacular", "help"}


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS and "--deploy" not in sys.argv:
        os.environ.setdefault("PORTAL_ALLOW_DEV_SECRET", "1")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
