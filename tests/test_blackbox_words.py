"""The Black box page's sentences at the settings where they could go wrong."""

from __future__ import annotations

import math

from lib.words import blackbox as words


def test_durations_keep_their_mantissa() -> None:
    assert words.duration(math.log10(2**32 / 365.25)) == "11.8 million years"
    assert words.duration(math.log10(2**64 / 365.25)) == "5.1 × 10^16 years"
    assert words.duration(math.log10(256 / 365.25)) == "256 days"
    assert words.big_count(2**32) == "4.3 billion"


def test_the_lesion_counts_add_up() -> None:
    counts = {"none": 4, "only wave": 5, "only product": 2, "only bowl": 2, "two": 12, "all": 7}
    told = words.lesion_sentence(counts, 32, (27, "wave"))
    assert "4 units can be silenced" in told and "7 break all three, 12 break two" in told
    assert "9 break only one (5 only wave, 2 only product and 2 only bowl)" in told
    assert "No unit breaks exactly one" in words.lesion_sentence({**counts, "only wave": 0,
        "only product": 0, "only bowl": 0}, 32, None)  # fmt: skip


def test_a_pca_readout_that_convinces_nobody_says_so() -> None:
    poor = words.pca_sentence(
        3, 0.985, 0.98, {"w": 0.67, "p": 0.0}, {"w": 0.68, "p": 0.0}, "a", "b"
    )
    assert "not a convincing summary even on the recording" in poor
    fails = words.pca_sentence(3, 0.997, -0.4, {"w": 0.96}, {"w": -11.9}, "a", "b")
    assert "explain none of the activity" in fails and "-11.90" in fails
    holds = words.pca_sentence(8, 1.0, 1.0, {"w": 1.0}, {"w": 1.0}, "a", "b")
    assert "the summary still holds" in holds


def test_the_patch_sentence_claims_the_illusion_only_when_the_numbers_show_it() -> None:
    shown = words.patch_sentence("bowl", 3.3, 0.012, 0.0, 0.002, 0.0003, 0.92)
    assert "dormant pathway" in shown and "0 SD" in shown
    layer = words.patch_sentence("wave", 1.0, 0.5, 0.0, 0.01, 0.0003, 0.92)
    assert "swapping the whole layer moves it too" in layer and "wakes up" not in layer
    awake = words.patch_sentence("product", 1.0, 0.01, 0.0, 0.01, 0.2, 0.9)
    assert "u is not dormant here" in awake
    assert "no illusion" in words.patch_sentence("wave", 0.05, 0.01, 0.0, 0.0, 0.0, 0.9)


def test_the_attractor_sentence_follows_the_sign_and_the_orbit() -> None:
    leak = words.attractor_sentence(0.1, 0.99, 0.99, 10.0, 10.0, (), 0.0, 15.0, -6.0, 5.9, 0.1 / 20)
    assert "back to the centre" in leak and "a time constant of 10.00 s" in leak
    runaway = words.attractor_sentence(
        0.1, 1.01, 1.005, -20.0, -20.0, (3,), 0.005, 15.0, 4, 4, 0.1 / 20
    )
    assert "away from the centre" in runaway
    assert "needs w within 0.5% of 1" in leak
    held = words.attractor_sentence(
        0.1, 1.0, 1.0, math.inf, math.inf, (), 0.0, 15.0, 1e-12, 5.9, 0.1 / 20
    )
    assert "did not move (less than 0.001°)" in held
    off = words.attractor_sentence(
        0.005, 1.01, 0.87, 0.037, 0.037, (1,), 0.14, 8.4e7, -1, 4.1, 0.005 / 20
    )
    assert "past the edge of the orbit" in off


def test_superposition_shapes_are_named_for_what_they_are() -> None:
    pentagon = words.superposition_sentence(0.95, 5, 5, 2, [73, 72, 72, 71, 72], 0.31, 1.13,
                                            [5, 4], 5, 0, 0.25, 4)  # fmt: skip
    assert "a regular pentagon" in pentagon and "not 2/5" in pentagon
    assert "dimension 0 answers to 5 features and dimension 1 answers to 4" in pentagon
    assert "fewer than 4 features" in pentagon
    pairs = words.superposition_sentence(0.7, 4, 5, 2, [90, 90, 90, 90], 0.49, 1.0, [2, 2], 2,
                                         0, 0.25)  # fmt: skip
    assert "two opposite pairs" in pairs and "not 2/4" not in pairs
    dense = words.superposition_sentence(0.0, 2, 5, 2, [], 1.0, 1.0, [1, 1], 1, 0, 0.25)
    assert "at right angles, and drops the rest" in dense and "can hold" in dense
