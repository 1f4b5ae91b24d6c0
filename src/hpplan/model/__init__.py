"""The CP-SAT model: variables, constraints and objective in separate modules (docs/model.md)."""

from .builder import BuildStopped, RolloutModel, build_model

__all__ = ["BuildStopped", "RolloutModel", "build_model"]
