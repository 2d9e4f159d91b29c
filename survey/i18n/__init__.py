"""The app's and the report's own words in every language: message catalogues kept as YAML in
``survey/i18n/locales`` and the functions that look a text up. Content, not logic: no other
project module is imported here."""
