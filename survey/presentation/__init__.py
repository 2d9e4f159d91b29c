"""What people look at: charts as Altair/Vega-Lite specifications and the firm report (HTML and
PDF). The app and the report draw the same charts from here. Above :mod:`survey.services`."""
