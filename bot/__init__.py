"""Boundary Bot's platform-neutral core.

Nothing in this package imports a chat SDK, aiohttp or ``adapters``: adapters translate
their platform into the events in :mod:`bot.events`, and render the views in
:mod:`bot.views` back into their platform's widgets.
"""
