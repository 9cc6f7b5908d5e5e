"""The sentences the pages show, written from the lab's numbers.

A layer above the world and the fitting: :mod:`~lib.words.narration` writes
what happened to each model under an intervention, and why;
:mod:`~lib.words.attribution` and :mod:`~lib.words.blackbox` the Attribution
and Black box pages' sentences. Escaping names and formatting numbers is
:mod:`lib.text`'s, below every layer.
"""
