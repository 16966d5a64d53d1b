"""Printable documents: the course plan, the signed consent, the aftercare handout and the signed session record.

The documents are rendered with WeasyPrint from templates that include the same partials as the
pages. This app sits at the top of the web apps: it reads other apps' selectors and is imported
by none of them.
"""
