"""Photos: standard views per zone, taken in a session or kept as a diary; validated, stripped, served privately."""
