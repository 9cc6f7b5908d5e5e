"""Teaching, made from the lab: lessons, handouts and scripts.

``lessons`` reads the lesson files and computes their answers from the lab's
numbers; ``handout`` builds a view (or a lesson) as one self-contained web page
that opens offline and prints well; ``reproduce`` writes a Python script that
reproduces a page's numbers with the engine; ``markdown`` renders the lab's
Markdown safely for both. Plain Python: no Streamlit.
"""
