"""Inside the black box: a small trained network and the neuroscientist's tools on it.

A network small enough to inspect (:mod:`lib.blackbox.network`) is lesioned unit
by unit and pair by pair (:mod:`lib.blackbox.lesions`), as Jonas and Kording
lesioned the transistors of a 6502 chip: which behaviours each lesion breaks,
the pairs that single lesions miss, and the 2^N experiments an exhaustive map
would take.
"""
