"""Sample files shipped with the package, copied out by ``cocreate samples DIR``.

``answers.csv``: twelve synthetic respondents (``respondent_id``) answering every item of
``cocreation-readiness@1.0.0`` (two answers left blank), for the first look in README.md.
"""
