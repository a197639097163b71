"""Seller-facing texts as message templates plus parameters, rendered in any language later.

`mapping/` speaks English and knows nothing of Flask: a problem keeps its English text for logs
and old readers, and also the template it was made from with the parameters (attribute,
marketplace, limit...). The page renders the same template through its translation catalogue
(`Message.render(gettext)`). Templates are marked with `N_()`, a no-op that pybabel extracts
(`pybabel extract -F babel.cfg -k N_ ...`); they use `%(name)s` placeholders (python-format).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(template: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message template for extraction; translation happens where it is shown."""
    return template


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """A template and its parameters; a parameter may itself be a Message (a phrase)."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _same) -> str:
        """The text in the language `translate` gives (English by default)."""
        text = translate(self.template)
        if not self.params:
            return text
        values = {
            k: v.render(translate) if isinstance(v, Message) else v for k, v in self.params.items()
        }
        try:
            return text % values
        except (KeyError, ValueError, TypeError):  # a broken translation: fall back to English
            return self.template % values

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict:
        """JSON form, as stored with a listing's problems."""
        return {
            "template": self.template,
            "params": {
                k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Message | None:
        """The message back from its JSON form; None for anything else (rows stored before
        problems carried templates)."""
        if not isinstance(data, dict) or not isinstance(data.get("template"), str):
            return None
        params = data.get("params") if isinstance(data.get("params"), dict) else {}
        return cls(
            data["template"],
            {k: cls.from_dict(v) or v if isinstance(v, dict) else v for k, v in params.items()},
        )


def say(template: str, **params: Any) -> Message:
    """A message from a template marked with N_() and its parameters."""
    return Message(template, params)


def text_of(value: str | Message) -> str:
    """English text of a message or of a plain string."""
    return value.render() if isinstance(value, Message) else value
