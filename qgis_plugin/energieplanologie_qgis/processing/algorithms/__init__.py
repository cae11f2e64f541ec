"""One algorithm per file; :data:`ALGORITHMS` is what the provider registers."""

from .validate_layer import ValidateLayerAlgorithm

__all__ = ["ALGORITHMS", "ValidateLayerAlgorithm"]

ALGORITHMS = (ValidateLayerAlgorithm,)
