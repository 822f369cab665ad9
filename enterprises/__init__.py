"""Returning-entrepreneur enterprises, their founders, needs and measured outcomes."""
