"""The use cases, one function each: log a set, walk the guided session, correct the log, set
up the week, enter a race, plan, export, import runs, keep a posture check.

Each takes validated input models (``scapula.app.inputs``, with the one table of limits) and
the log's database session, applies the rules, and returns plain results or the store's rows.
The command line and the web app only parse what the runner typed or sent and render what
comes back; neither holds a rule. Errors are ``scapula.errors``: each front end turns them
into an exit code or an HTTP status.
"""
