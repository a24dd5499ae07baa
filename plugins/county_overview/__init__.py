"""County overview: the county, its localities and councils, side by side with the country."""

NAME = "county_overview"
"""The plugin's name (its pages, its enablement, the key of its snapshot summaries)."""
