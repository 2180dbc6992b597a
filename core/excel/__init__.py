"""Shared Excel helpers: reading town-hall spreadsheets, writing exports, import results."""
