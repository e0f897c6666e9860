"""Form widgets written in Python, for pages that render many of them at once.

Django renders a <select> through a template per option (and one more for each option's
attributes): on the queue page, whose filter form has six of them, that was a quarter of the
page's template time.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A Select whose HTML is built in Python: the same markup as Django's template, without
    optgroups (a flat list of choices)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option["value"]), flatatt(option["attrs"]), option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )
