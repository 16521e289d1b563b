"""Sphinx configuration of the tacker-k8s-sync documentation."""

project = 'tacker-k8s-sync'
copyright = '2026, the tacker-k8s-sync contributors'
extensions = []
master_doc = 'index'
exclude_patterns = []
html_theme = 'alabaster'
