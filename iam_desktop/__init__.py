"""IAM Desktop: see AWS IAM access and ask it questions."""

__version__ = "0.1.0"
