"""Fielding an instrument where respondents already are: the instrument written in the formats
of other survey platforms, every language included. :mod:`survey.fielding.xlsform` writes an
XLSForm for KoboToolbox and ODK (``docs/fielding.md``), :mod:`survey.fielding.limesurvey` a
LimeSurvey survey structure (``docs/fielding-limesurvey.md``); :mod:`survey.fielding.targets`
names them for ``cocreate instruments export --to``."""

from survey.fielding.xlsform import XLSForm, convert_xlsform, write_xlsform, xlsform_sheets

__all__ = ["XLSForm", "convert_xlsform", "write_xlsform", "xlsform_sheets"]
