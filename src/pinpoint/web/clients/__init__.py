"""Clients, their dated medical-history questionnaires, and the screening verdict from core."""
