"""ipywidgets for the lessons: one module per widget.

Each widget is a thin shell over a plain function that computes what it shows; the function is
what the tests call (headless), the widget only wires sliders and buttons to it.
"""
