"""Errors a user can act on: each names the file, column or config key and what was expected."""


class ScorecardError(Exception):
    """Base of every error the toolkit raises on purpose; the CLI prints it as one line."""


class ConfigError(ScorecardError):
    """A config file is missing, malformed, or holds a value outside what is allowed."""


class DataError(ScorecardError):
    """Input data is missing, malformed or inconsistent with its declared schema."""


class ModelError(ScorecardError):
    """Training cannot produce a sound model from the data and settings given."""


class BundleError(ScorecardError):
    """A serving bundle is missing, tampered with, or of an unsupported format."""


class GateFailed(ScorecardError):
    """A promotion gate failed; the registry is left unchanged."""
