"""The local web chat: try the bot in a browser as one of the demo organisation's people."""

from adapters.web.chat import setup_web_chat

__all__ = ["setup_web_chat"]
