"""The one error of plan loading."""


class PlanError(ValueError):
    """The wiring map is malformed or a worker class cannot be loaded."""
