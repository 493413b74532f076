"""Rehearsing a role-play, without Qt: the flow of one answer from question to rating.

Above ``core``, ``scoring`` and ``speech``, below ``ui`` and ``cli``: the GUI page and
``parley score`` both score and record answers through ``session.score_and_record``.
"""
