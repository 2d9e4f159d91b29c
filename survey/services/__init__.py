"""The app's logic without streamlit: access policy, the assessment a respondent walks through,
invitation links, a firm's results, cohorts, psychometrics, single sign-on and downloads.

Above storage, ingest and exports; below presentation, the CLI and the app pages. Everything
here is importable and tested without a browser.
"""
