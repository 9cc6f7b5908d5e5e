"""The world: equations, mechanisms, structural causal models, interventions, scenarios.

Everything here describes a simulated world and samples from it; nothing fits
a model. Modules, bottom up: :mod:`~lib.world.expressions` (the safe equation
compiler), :mod:`~lib.world.mechanisms`, :mod:`~lib.world.interventions`,
:mod:`~lib.world.scm`, :mod:`~lib.world.causal` (what the graph says),
:mod:`~lib.world.environments`, :mod:`~lib.world.toml_io` (TOML read, with its
errors), :mod:`~lib.world.scenarios` (worlds with a story, read from TOML) and
:mod:`~lib.world.builder` (worlds typed in a table).
"""
