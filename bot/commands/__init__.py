"""One module per `cassbot` command, each with `run(args, settings) -> int` (an `Exit` code).

`bot.cli` imports a command's module only when that command runs, so each module imports
what its command needs and nothing more.
"""
