"""The plan: the running week, where the upper-back sessions go, and how the load progresses."""
