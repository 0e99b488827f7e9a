"""The version of the rule facts (portal.facts): one row whose token changes with every change to
the tables the rules are read from. Database triggers change it (migrations portal/0008 and
scheduling/0010), so no write is missed: a service, the admin, a bulk update, raw SQL or a
migration's data step alike."""

from django.db import models


class RuleFactsVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "rule facts version"
        default_permissions = ()

    def __str__(self) -> str:
        return self.token
