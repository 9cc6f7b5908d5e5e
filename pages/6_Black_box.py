"""Inside the black box: a neuroscientist's tools on a network we know completely."""

from lib.ui import blackbox_views as bv
from lib.ui import circuit_views as cv
from lib.ui.state import init_page
from lib.ui.widgets import page_header

lab = init_page("Black box")
page_header(
    "Inside the black box",
    "Lesions, single-unit tuning and dimensionality reduction, applied to a small network "
    "whose every weight we can read. Each tool finds something, and each finding invites a story "
    "the network does not bear out; then a circuit whose model does predict what a lesion will "
    "do, and features that share neurons.",
)

view = bv.network_section(lab)  # 1 · a small network, trained here
bv.lesion_section(view)  # 2 · lesion every unit
bv.barrier_section(view)  # 3 · the exponential barrier
bv.pca_section(view)  # 4 · the dimensionality-reduction illusion
bv.patch_section(view)  # 5 · the subspace-patching illusion
bv.surrogate_section(view)  # 6 · a second black box
cv.attractor_section()  # 7 · when explanation works: the line attractor
cv.superposition_section()  # 8 · features that share neurons: superposition
