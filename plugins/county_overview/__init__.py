"""County overview: the county, its localities and councils, side by side with the country."""
