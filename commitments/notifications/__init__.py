"""Notifications of published changes: Atom feeds (`feeds`) and signed webhooks (`events` collects
what a transaction published and queues it after the commit, `delivery` signs and sends it from
the worker, `ssrf` keeps the URLs on public addresses). docs/notifications.md describes them."""
