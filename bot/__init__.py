"""studybot (読書会ボット): a study-group bot for Discord, Slack and the console."""

__version__ = "0.1.0"
