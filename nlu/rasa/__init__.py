"""The "rasa" NLU backend: a Rasa 3.6 server in its own venv, and the HTTP client of the bot.

``python -m nlu.rasa install | train | serve | stop | status | test`` manages the server;
``nlu.rasa.backend.RasaInterpreter`` is the client that ``nlu.interpreter.make_interpreter`` builds.
"""
