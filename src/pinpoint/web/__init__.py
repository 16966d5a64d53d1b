"""The Pinpoint web app: a Django project for clinics and for people treating themselves at home.

Views collect input and present results; every clinical rule is in :mod:`pinpoint.core`.
"""
