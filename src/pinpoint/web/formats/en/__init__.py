"""Display formats: ISO dates and 24-hour times, unambiguous in every country."""
