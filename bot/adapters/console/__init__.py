"""The console adapter: the bot in a terminal, one pretend channel, and our test adapter."""

from bot.adapters.console.adapter import CONSOLE_WORKSPACE, ConsoleAdapter, ConsoleTransport

__all__ = ["CONSOLE_WORKSPACE", "ConsoleAdapter", "ConsoleTransport"]
