"""The lab's style sheets: the few CSS rules every page adds, and the presenter view's.

:func:`style` is drawn by every page (larger lead text and captions, the kind
colours of metrics, causal graphs at a readable size, columns that stack on a
narrow screen, print rules); :func:`presenter_style` by the presenter view
(no sidebar or toolbar, type readable from the back of a lecture hall).
"""

from __future__ import annotations

import streamlit as st

from lib.figures.graph import EDGE_FONT_SIZE as GRAPH_EDGE_PT
from lib.figures.graph import NODE_FONT_SIZE as GRAPH_NODE_PT
from lib.figures.style import CAUSAL_COLOR, FONT_FAMILY, PREDICTIVE_COLOR

__all__ = ["PRESENTER_BODY_PX", "WORKING", "WORKING_AFTER_S", "presenter_style", "style"]

#: What the top of the screen says while a run takes longer than :data:`WORKING_AFTER_S`.
WORKING = "Working…"
#: Seconds a run goes on before the screen says it is working.
WORKING_AFTER_S = 0.5

_CSS = f"""
<style>
.lab-class-code {{ font-size: 3.2rem; font-weight: 700; letter-spacing: 0.12em;
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; line-height: 1.2; }}
.lab-lead {{ font-size: 1.2rem; line-height: 1.5; color: #333; max-width: 60rem; margin-bottom: 0.5rem; }}
.lab-kind {{ font-weight: 700; white-space: nowrap; }}
.lab-dot {{ display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
           margin-right: 0.35em; vertical-align: -0.05em; }}
.lab-kind-heading {{ font-size: 1.45rem; font-weight: 600; border-left: 6px solid;
                    padding: 0.1rem 0 0.1rem 0.7rem; margin: 0.2rem 0 0.6rem 0; }}
.lab-kind-rest {{ color: #222; }}
.lab-swatch {{ display: inline-block; width: 1.6em; height: 1em; border-radius: 0.3em;
              vertical-align: -0.12em; margin-right: 0.35em; box-sizing: border-box; }}
[class*="st-key-lab_legend"] p {{ font-size: 0.95rem; margin-bottom: 0.5rem; }}
.lab-edge {{ display: inline-block; min-width: 1.6em; margin-right: 0.35em; font-weight: 700;
            text-align: center; white-space: nowrap; }}
[data-testid="stCaptionContainer"] {{ font-size: 0.95rem; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 2.5rem; }}
[data-testid="stMain"] [data-testid="stPageLink"] p {{ font-size: 1.15rem; font-weight: 600; }}
/* Page links in the page (not the sidebar) wrap instead of being cut with "…". */
[data-testid="stMain"] [data-testid="stPageLink"] a span,
[data-testid="stMain"] [data-testid="stPageLink"] p {{
  white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.35; }}
[data-testid="stMetricValue"] {{ font-size: 2rem; }}
[class*="st-key-kind_"] [data-testid="stMetricLabel"] p::before {{
  content: "●"; margin-right: 0.35em; font-size: 1.15em; line-height: 1; }}
[class*="st-key-kind_predictive"] [data-testid="stMetricLabel"] p::before {{ color: {PREDICTIVE_COLOR}; }}
[class*="st-key-kind_causal"] [data-testid="stMetricLabel"] p::before {{ color: {CAUSAL_COLOR}; }}
/* A causal graph never grows past the size where its type reads like body text. */
[class*="st-key-lab_graph"] svg {{ max-width: 46rem; max-height: 32rem; margin: 0 auto; display: block; }}
/* A graph of a few nodes (the Builder's first rows) stays at a readable, modest size. */
[class*="st-key-lab_graph"][class*="_small"] svg {{ max-width: 26rem; max-height: 14rem; }}
/* A causal graph's labels at the size its DOT source gives them (lib.figures.graph:
   nodes 20, a cut arrow's × 26) and in the typeface it measured them in (so its lines
   never run into each other), not the small type Streamlit sets on every graph. */
[data-testid="stGraphVizChart"] svg text {{ font-family: {FONT_FAMILY}; }}
[data-testid="stGraphVizChart"] svg g.node text {{ font-size: {GRAPH_NODE_PT}px; }}
[data-testid="stGraphVizChart"] svg g.edge text {{ font-size: {GRAPH_EDGE_PT}px; }}
/* One thing drawn two ways (lib.ui.widgets.wide_and_narrow): the wide way on a wide
   screen, the narrow way on a phone. */
[class*="st-key-lab_narrow_"] {{ display: none; }}
@media (max-width: 640px) {{
  [class*="st-key-lab_wide_"] {{ display: none; }}
  [class*="st-key-lab_narrow_"] {{ display: flex; }}
}}
/* The chart toolbar (zoom, download) on a desktop only: on a phone it covers a chart's
   legend and labels, and a finger cannot use it. */
@media (max-width: 640px), (pointer: coarse) {{
  [data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
}}
/* Working: while the server runs the page for more than half a second, a label at the top
   of the screen says so, where the reader looks (the header's own indicator is not always
   on screen, and the presenter view hides the header). */
@keyframes lab-working-show {{ from {{ visibility: hidden; }} to {{ visibility: visible; }} }}
[data-testid="stApp"][data-test-script-state="running"]::after {{
  content: "{WORKING}"; position: fixed; top: 0; left: 50%; transform: translateX(-50%);
  z-index: 999995; pointer-events: none; padding: 0.25rem 1rem; border-radius: 0 0 0.6rem 0.6rem;
  background: #2563eb; color: #fff; font-size: 1rem; font-weight: 600;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.2); visibility: hidden;
  animation: lab-working-show 0s linear {WORKING_AFTER_S}s forwards; }}
/* The words a section uses (lib.ui.glossary_views.words_line): each shows its definition
   on hover, and on tap or click (a focused word keeps it open), in a box as wide as the
   line below it, so it never leaves a phone's screen. */
.lab-words {{ position: relative; margin: 0 0 0.8rem; font-size: 0.9rem; color: #555; line-height: 2.2; }}
.lab-words-label {{ margin-right: 0.45rem; }}
.lab-term {{ display: inline-block; line-height: 1.5; padding: 0.15rem 0.65rem; margin: 0.1rem 0.35rem 0.1rem 0;
  border: 1px dashed #8a8a8a; border-radius: 1rem; color: #222; background: #fafafa; cursor: help;
  white-space: nowrap; }}
/* A finger needs a larger target than a mouse. */
@media (pointer: coarse) {{ .lab-term {{ padding: 0.4rem 0.8rem; margin: 0.2rem 0.4rem 0.2rem 0; }} }}
.lab-term:hover, .lab-term:focus {{ background: #eaf1fb; border: 1px solid #3b6aa8; outline: none; }}
.lab-term:focus-visible {{ outline: 2px solid #3b6aa8; outline-offset: 1px; }}
.lab-def {{ display: none; position: absolute; left: 0; right: 0; top: 100%; z-index: 1000;
  max-width: 46rem; white-space: normal; line-height: 1.5; font-size: 1rem; color: #222;
  background: #fff; border: 1px solid #3b6aa8; border-radius: 0.5rem; padding: 0.6rem 0.85rem;
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); cursor: auto; }}
.lab-term:hover .lab-def, .lab-term:focus .lab-def {{ display: block; }}
/* Hovering one word while another is open shows the hovered one only. */
.lab-words:hover .lab-term:focus:not(:hover) .lab-def {{ display: none; }}
.lab-glossary dt {{ font-weight: 700; margin-top: 0.8rem; }}
.lab-glossary dd {{ margin: 0.1rem 0 0; }}
.lab-glossary-where {{ color: #666; font-size: 0.9rem; }}
/* Projector widths (1024-1280 px): less white space beside the page. */
@media (max-width: 1300px) {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 2rem; padding-right: 2rem; }}
}}
/* Columns that stack when the main area is narrow (lib.ui.widgets.stacking_columns). */
[class*="st-key-stack_"] {{ container-type: inline-size; container-name: labstack; }}
@container labstack (max-width: 760px) {{
  [class*="st-key-stack_"] > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] {{
    row-gap: 1.25rem; }}
  [class*="st-key-stack_"] > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]
    > [data-testid="stColumn"] {{ flex: 1 1 100%; min-width: 100%; width: 100%; }}
}}
/* Printing a page of the lab: the content only, at the paper's width, without the
   sidebar, the header's toolbar, widgets or buttons (a handout is the better print). */
@media print {{
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stBottom"],
  [data-testid="stSlider"], [data-testid="stRadio"], [data-testid="stSelectbox"],
  [data-testid="stNumberInput"], [data-testid="stTextInput"], [data-testid="stButtonGroup"],
  [data-testid="stCheckbox"], [data-testid="stToggle"], [data-testid="stButton"],
  [data-testid="stDownloadButton"], [data-testid="stPopover"], [data-testid="stPageLink"],
  [data-testid="stFileUploader"], [data-testid="stElementToolbar"], .modebar-container,
  [class*="st-key-lab_handout"], .lab-def, button {{ display: none !important; }}
  [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
    position: static !important; overflow: visible !important; height: auto !important; }}
  [data-testid="stMain"] {{ margin-left: 0 !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: 100% !important; }}
  [data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"], [data-testid="stMetric"],
  [data-testid="stTable"] {{ break-inside: avoid; }}
  h2, h3 {{ break-after: avoid; }}
}}
</style>
"""


def style() -> None:
    """The lab's few style rules (larger lead text and captions, kind colours)."""
    st.html(_CSS)


#: Type sizes of the presenter view, readable from the back of a lecture hall.
PRESENTER_BODY_PX = 28
_PRESENTER_CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 0.6rem 2.5rem 0.4rem; max-width: 100%; }}
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] button p,
[data-testid="stMain"] .lab-lead,
[data-testid="stMain"] [data-testid="stMetricLabel"] p {{
  font-size: {PRESENTER_BODY_PX}px; line-height: 1.3; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{ font-size: 22px; }}
[data-testid="stMain"] h1 {{ font-size: 48px; padding: 0 0 0.3rem; }}
[data-testid="stMain"] h2, [data-testid="stMain"] h3 {{ font-size: 38px; padding: 0.1rem 0; }}
[data-testid="stMain"] [data-testid="stMetricValue"],
[data-testid="stMain"] [data-testid="stMetricValue"] div,
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {{
  font-size: 56px; line-height: 1.1; }}
[data-testid="stMain"] [data-testid="stMetricLabel"] {{ min-height: 0; height: auto; }}
[data-testid="stMain"] [data-testid="stMetricDelta"] div {{ font-size: {PRESENTER_BODY_PX}px; }}
[data-testid="stMain"] input {{ font-size: {PRESENTER_BODY_PX}px; }}
[data-testid="stMain"] button {{ min-height: 3rem; }}
[class*="st-key-lab_graph"] svg {{ max-height: 55vh; }}
/* No chart toolbar on a projector: it covers legends, and the speaker does not zoom. */
[data-testid="stPlotlyChart"] .modebar-container {{ display: none !important; }}
[data-testid="stApp"][data-test-script-state="running"]::after {{ font-size: 24px; }}
/* Tables and a slider's values readable from the back of the hall (at least 22 px). */
[data-testid="stMain"] [data-testid="stTable"] th,
[data-testid="stMain"] [data-testid="stTable"] td {{ font-size: 22px; }}
[data-testid="stMain"] [data-testid="stSliderThumbValue"],
[data-testid="stMain"] [data-testid="stSliderTickBarMin"],
[data-testid="stMain"] [data-testid="stSliderTickBarMax"] {{ font-size: 22px; }}
[data-testid="stMain"] [data-testid="stSliderThumbValue"] {{ padding-bottom: 0.5rem; }}
[data-testid="stMain"] .lab-class-code {{ font-size: 6rem; }}
/* A slide's bar (lib.ui.slides): where the speaker is, Back and Next, clear of the way out. */
.st-key-slide_bar {{ padding-right: 3.6rem; border-bottom: 1px solid #ddd; padding-bottom: 0.3rem; }}
[data-testid="stMain"] .st-key-slide_bar h1 {{ font-size: 34px; line-height: 1.2; padding: 0; }}
.st-key-leave_present {{ position: fixed; top: 0.6rem; right: 0.8rem; z-index: 999990; width: auto; }}
</style>
"""


def presenter_style() -> None:
    """The presenter view's rules: no sidebar or toolbar, large type (body 28 px)."""
    st.html(_PRESENTER_CSS)
