"""The CP-SAT model: variables, constraints and objective in separate modules (docs/model.md)."""

from .builder import RolloutModel, build_model

__all__ = ["RolloutModel", "build_model"]
