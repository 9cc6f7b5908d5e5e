"""Inside the black box: a small trained network and the neuroscientist's tools on it.

A network small enough to inspect (:mod:`lib.blackbox.network`) is lesioned unit
by unit and pair by pair (:mod:`lib.blackbox.lesions`), as Jonas and Kording
lesioned the transistors of a 6502 chip: which behaviours each lesion breaks,
the pairs that single lesions miss, and the 2^N experiments an exhaustive map
would take.

Two tools that look convincing and mislead (:mod:`lib.blackbox.illusions`): a
PCA of activity recorded under a narrow set of stimuli, whose readout fails on
new inputs, and activation patching along a direction that the network never
uses but that changes a behaviour all the same (the subspace-patching illusion
of Makelov, Lange and Nanda). A second black box (:mod:`lib.blackbox.surrogate`):
boosted trees that copy the network from its inputs and outputs, hold far more
leaves than it has parameters, fail outside its training square, and say about
its inputs only what the inputs and outputs already said.

And a case where a circuit explanation works (:mod:`lib.blackbox.attractor`):
Seung's oculomotor integrator, a linear network whose feedback is tuned to hold
the eyes on a line of fixed points between saccades. Its closed forms predict,
before any experiment, how fast a mistuned network drifts (τ / (1 − w)), and
how far the eye jumps, how fast it then drifts and how much the gain falls when
units are lesioned; the simulations check each prediction.

And features that share neurons: the toy model of superposition
(:mod:`lib.blackbox.superposition`, Elhage et al. 2022), five sparse features
packed into two dimensions as a pentagon, where each dimension carries several
features and a lesion of one damages several.
"""
