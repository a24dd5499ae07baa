"""Funded projects (PIN 2/2008 and alike): budget, activities, results and performance indicators."""
