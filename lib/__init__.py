"""Predict or Explain: the engine (plain Python, no Streamlit outside ``lib.ui``)."""
