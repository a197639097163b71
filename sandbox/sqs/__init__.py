"""A minimal Amazon SQS emulator (AWS JSON 1.0 protocol), where SP-API notifications arrive."""

from .app import create_sqs

__all__ = ["create_sqs"]
