"""The synthesis report: one document (HTML for the screen, a PDF printed from it) that a
journalist or an elected official reads in ten minutes, in any offered language."""
