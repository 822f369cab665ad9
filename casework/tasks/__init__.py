"""Broker tasks: visits, surveys and documents to collect, dispatched by district officers."""
