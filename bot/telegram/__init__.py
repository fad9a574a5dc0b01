"""The Telegram adapter: the PTB Application, its handlers and keyboards, the runner and the console.

Never name a module `telegram.py`: it would shadow the python-telegram-bot library.
"""
