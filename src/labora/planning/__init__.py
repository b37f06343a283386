"""Planning: the scheduling engine (``planning.engine``) and the MS Project XML reader/writer (``planning.mspdi``).

Both are pure Python over dataclasses and NumPy, with no Django import; the Django app that stores
dependencies, calendars and baselines loads data into them and writes results back.
"""
