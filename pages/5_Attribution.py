"""Attribution: equal prediction, different explanations."""

from lib.ui import attribution_views as av
from lib.ui.state import init_page
from lib.ui.widgets import page_header

lab = init_page("Attribution")
page_header(
    "Attribution",
    "Prediction is the forward problem, explanation the inverse one. When two inputs move "
    "together, many models predict equally well, yet what they credit to each input swings "
    "from one sample to the next. An experiment settles what the data cannot.",
)

view = av.world_section(lab)  # 1 · two neurons, one grip
av.prediction_section(view)  # 2 · as the correlation rises
av.credit_section(view)  # 3 · same data, different credit
av.condition_section(view)  # 4 · why: inverting a correlation
av.rashomon_section(view)  # 5 · many models, equally good
av.settle_section(view)  # 6 · the experiment that settles it
av.real_data_section(lab)  # 7 · on real data
