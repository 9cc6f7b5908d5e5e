"""Fitting and evaluation: the models, and how they are scored on data they never saw.

:mod:`~lib.fitting.models` holds the estimators (each limits its own threads);
:mod:`~lib.fitting.experiments` fits them on a world's sample and scores them
on fresh samples, before and after interventions.
"""
