"""Fielding: an instrument written in the formats of the survey tools respondents already use."""
