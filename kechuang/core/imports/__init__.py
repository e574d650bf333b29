"""Reusable Excel import pipeline: safety gate → read → parse by schema → bulk upsert with change log."""
