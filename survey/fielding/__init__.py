"""Fielding an instrument where respondents already are: the instrument written as a form for
other survey platforms (an XLSForm for KoboToolbox and ODK). See ``docs/fielding.md``."""

from survey.fielding.xlsform import XLSForm, convert_xlsform, write_xlsform, xlsform_sheets

__all__ = ["XLSForm", "convert_xlsform", "write_xlsform", "xlsform_sheets"]
