"""``{{ file.name|basename }}``: a stored file's own name, without its folder."""

from django import template

register = template.Library()


@register.filter
def basename(path) -> str:
    return str(path or "").rsplit("/", 1)[-1]
