"""Follow-up: outcome scores of a course, adverse events after a session, who got a lot."""
