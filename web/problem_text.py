"""Mapping problems in the request's language.

`mapping/` writes each problem's English text beside the template it came from and its
parameters (`text`, `fix_text`; see mapping.messages). Here the same template goes through the
page's catalogue (Flask-Babel), so a zh_Hans reader sees Chinese. Rows stored before problems
carried templates, and Amazon's own issues, keep the text they have.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import fields

from mapping.messages import Message


def localized(problem: Any) -> Any:
    """One problem (as `Problem.to_dict()` stores it) with message and fix in the request's
    language; anything without a template comes back as it is."""
    if hasattr(problem, "to_dict"):
        problem = problem.to_dict()
    if not isinstance(problem, dict):
        return problem
    shown = problem
    for plain, kept in (("message", "text"), ("fix", "fix_text")):
        message = Message.from_dict(problem.get(kept))
        if message is not None:
            if shown is problem:
                shown = dict(problem)
            shown[plain] = message.render(gettext)
    return shown


def localized_all(problems: Any) -> list:
    return [localized(p) for p in problems or []]


class ProblemList(fields.List):
    """A list of stored problems, serialised in the request's language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Raw(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return localized_all(value)
