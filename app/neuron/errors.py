"""The one error the core raises for a bad request, carrying the field it concerns."""


class NeuronError(ValueError):
    """A request the neuron cannot honour; `field` names the config field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
