"""The package version: the release shared with the daemon and the TypeScript client."""

__version__ = "0.1.0"


def get_version() -> str:
    """The package version string."""
    return __version__
