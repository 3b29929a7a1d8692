"""The one error the core raises for a bad request, carrying the field it concerns."""

from __future__ import annotations

from typing import Any


class NeuronError(ValueError):
    """A request the neuron cannot honour; `field` names the config field at fault. `code` and
    `params` (optional) say the same thing to a program, so the page can say it in its own
    language (the message stays English, for scripts)."""

    def __init__(self, field: str, message: str, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:  # fmt: skip
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.params = params or {}

    def detail(self, where: str = "body") -> dict[str, Any]:
        """One item of a 422 detail, shaped like FastAPI's own, plus the code when there is one."""
        item: dict[str, Any] = {"loc": [where, self.field], "msg": self.message, "type": "value_error"}
        if self.code:
            item.update(code=self.code, ctx=self.params)
        return item
